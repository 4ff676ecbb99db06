#include <map>
#include <string>
#include <vector>

#include "pipeline/changelog/changelog.h"
#include "pipeline/state/state_codec.h"

namespace crm::pipeline {

OutputRecord ChangelogWriter::Record(int32_t partition, std::string key) const {
  OutputRecord r;
  r.topic = topic_;
  r.partition = partition;
  r.key = std::move(key);
  r.headers = {{kEpochHeader, epoch_}};
  return r;
}

std::vector<OutputRecord> ChangelogWriter::Claim(int32_t partition, const std::string& owner) const {
  std::vector<OutputRecord> records;
  for (int part = 1; part <= kChangelogClaimRecords; ++part) {
    OutputRecord r = Record(partition, ChangelogClaimKey(owner, part));
    r.headers = {{kEpochHeader, owner}};
    r.value = owner;
    records.push_back(std::move(r));
  }
  return records;
}

OutputRecord ChangelogWriter::Customer(int32_t partition, const std::string& id,
                                       const operators::CustomerState* state) const {
  OutputRecord r = Record(partition, ChangelogCustomerKey(id));
  if (state == nullptr) {
    r.tombstone = true;
  } else {
    EncodeState(*state, r.value);
  }
  return r;
}

OutputRecord ChangelogWriter::Timer(int32_t partition, const std::string& timer_key_bytes, bool present) const {
  OutputRecord r = Record(partition, ChangelogTimerKey(timer_key_bytes));
  r.tombstone = !present;
  return r;
}

OutputRecord ChangelogWriter::Partition(int32_t partition, const std::string& encoded_partition_state) const {
  OutputRecord r = Record(partition, ChangelogPartitionKey());
  r.value = encoded_partition_state;
  return r;
}

OutputRecord ChangelogWriter::Marker(int32_t partition, const std::map<TopicPartitionKey, int64_t>& next_offsets) const {
  ChangelogMarker marker;
  for (const auto& [tp, offset] : next_offsets) {
    if (tp.partition == partition) marker.next_offsets[tp.topic] = offset;
  }
  OutputRecord r = Record(partition, ChangelogMarkerKey(ChangelogEpochRun(epoch_)));
  r.value = EncodeChangelogMarker(marker);
  return r;
}

}  // namespace crm::pipeline

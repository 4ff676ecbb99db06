#include "pipeline/changelog/changelog_reset.h"

#include <chrono>
#include <optional>

#include "pipeline/changelog/changelog.h"
#include "pipeline/changelog/changelog_record.h"
#include "pipeline/io/clock.h"

namespace crm::pipeline {
namespace {

constexpr int kPollMs = 200;
// Timer key bytes (state_store.h): partition (4 bytes) and due time (8) before the id.
constexpr size_t kPartitionPrefixBytes = 4;
constexpr size_t kTimerKeyPrefixBytes = 12;

// A key of state that a restore could have stored, and that a tombstone can
// delete without the tombstone itself being a corrupt record
// (changelog_record.h): others are left alone.
bool IsStateKey(std::string_view key, int32_t partition) {
  const auto [kind, body] = ParseChangelogKey(key);
  switch (kind) {
    case ChangelogKeyKind::kCustomer:
      return !body.empty() && body.size() <= kMaxChangelogIdBytes;
    case ChangelogKeyKind::kTimer: {
      const std::string own_prefix = TimerKeyBytes(TimerKey{partition, 0, ""}).substr(0, kPartitionPrefixBytes);
      return body.size() > kTimerKeyPrefixBytes && body.size() - kTimerKeyPrefixBytes <= kMaxChangelogIdBytes &&
             body.substr(0, kPartitionPrefixBytes) == own_prefix;
    }
    case ChangelogKeyKind::kPartition:
      return body.empty();
    default:
      return false;
  }
}

}  // namespace

Result<ChangelogScan> ScanChangelogPartition(const KafkaProperties& properties, const std::string& topic,
                                             int32_t partition, int stall_timeout_ms) {
  // Read like a restore, so records of aborted transactions are not counted
  // as state; always its own group.
  KafkaProperties props = AssignedReaderProperties(properties, "crmstream-reset");
  props["group.id"] = "crmstream-reset";
  ASSIGN_OR_RETURN(KafkaConf conf, MakeKafkaConf(props));
  ASSIGN_OR_RETURN(KafkaHandle consumer, MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(conf)));

  ChangelogScan scan;
  int64_t low = 0, high = 0;
  rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), partition, &low, &high, stall_timeout_ms);
  if (err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return scan;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("end offsets of " + topic + " [" + std::to_string(partition) + "]: " +
                               KafkaErrorText(err));
  }
  if (low >= high) return scan;
  TopicPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = low;
  err = rd_kafka_assign(consumer.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::IoError("assign changelog: " + KafkaErrorText(err));
  const SystemClock clock;
  auto last_progress = clock.Steady();
  for (;;) {
    OwnedMessage m(rd_kafka_consumer_poll(consumer.get(), kPollMs));
    if (!m) {
      if (clock.Steady() - last_progress > std::chrono::milliseconds(stall_timeout_ms)) {
        return Status::Unavailable("reading " + topic + " [" + std::to_string(partition) + "]: no records for " +
                                   std::to_string(stall_timeout_ms) + " ms");
      }
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable("reading " + topic + " [" + std::to_string(partition) +
                                 "]: " + rd_kafka_message_errstr(m.get()));
    }
    last_progress = clock.Steady();
    ++scan.records;
    if (m->key != nullptr) {
      std::string key(static_cast<const char*>(m->key), m->key_len);
      if (IsStateKey(key, partition)) {
        if (m->payload != nullptr) {
          scan.live_keys.insert(std::move(key));
        } else {
          scan.live_keys.erase(key);
        }
      }
    }
    if (m->offset >= high - 1) break;
  }
  return scan;
}

std::string ResetOwner(int64_t epoch_ns) { return "crmstream-reset@" + std::to_string(epoch_ns) + "/"; }

std::vector<OutputRecord> ResetEpochRecords(const std::string& topic, int32_t partition, const std::string& owner,
                                            const std::set<std::string>& live_keys,
                                            const std::map<TopicPartitionKey, int64_t>& next_offsets) {
  ChangelogWriter writer(topic, owner + "reset.1");  // run "<owner>reset.", its one epoch
  std::vector<OutputRecord> records = writer.Claim(partition, owner);
  for (const std::string& key : live_keys) {
    const auto [kind, rest] = ParseChangelogKey(key);
    switch (kind) {
      case ChangelogKeyKind::kCustomer:
        records.push_back(writer.Customer(partition, std::string(rest), nullptr));
        break;
      case ChangelogKeyKind::kTimer:
        records.push_back(writer.Timer(partition, std::string(rest), false));
        break;
      case ChangelogKeyKind::kPartition: {
        OutputRecord none = writer.Partition(partition, "");
        none.tombstone = true;
        records.push_back(std::move(none));
        break;
      }
      default:
        break;  // not state: ScanChangelogPartition never returns it
    }
  }
  records.push_back(writer.Marker(partition, next_offsets));
  return records;
}

}  // namespace crm::pipeline

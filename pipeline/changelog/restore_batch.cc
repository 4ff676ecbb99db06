#include "pipeline/changelog/restore_batch.h"

#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace crm::pipeline {

void RestoreBatch::AddEpoch(std::vector<RestoredRecord>&& records,
                            const std::map<TopicPartitionKey, int64_t>& next_offsets, int64_t checkpoint) {
  for (RestoredRecord& record : records) {
    bytes_ += record.key.size() + (record.value ? record.value->size() : 0);
    records_.push_back(std::move(record));
  }
  // A later epoch's offsets replace an earlier one's.
  for (const auto& [tp, next] : next_offsets) next_offsets_.insert_or_assign(tp, next);
  checkpoint_ = checkpoint;
}

Status RestoreBatch::Write() {
  if (!checkpoint_) return Status::Ok();
  // Only the last record of a key matters to the store: an earlier one, and
  // the check it armed, would be overwritten in the same atomic write.
  std::unordered_set<std::string_view> seen;
  std::vector<RestoredRecord*> latest;  // newest first
  bool partition_seen = false;
  for (auto it = records_.rbegin(); it != records_.rend(); ++it) {
    const bool first = it->customer ? seen.insert(it->key).second : !std::exchange(partition_seen, true);
    if (first) latest.push_back(&*it);
  }
  // Each customer's pending check as the store has it before this write
  // (0: none, or not stored).
  std::unordered_map<std::string_view, int64_t> stored_checks;
  std::vector<std::string_view> ids(seen.begin(), seen.end());
  RETURN_IF_ERROR(store_.MultiGet(ids, [&](std::string_view id, std::optional<operators::CustomerState> state) {
    stored_checks.emplace(id, state ? state->next_check.epoch_ms : 0);
  }));

  std::vector<RestoredMutation> mutations;
  mutations.reserve(latest.size() * 2);
  for (RestoredRecord* record : latest) {
    if (!record->customer) {
      mutations.push_back({RestoredMutation::Family::kPartition, "", std::move(record->value)});
      continue;
    }
    const int64_t stored = stored_checks[record->key];
    const int64_t next = record->value ? record->next_check_ms : 0;
    if (stored != next) {
      if (stored != 0) {
        mutations.push_back({RestoredMutation::Family::kTimer, TimerKeyBytes({partition_, stored, record->key}),
                             std::nullopt});
      }
      if (next != 0) {
        mutations.push_back({RestoredMutation::Family::kTimer, TimerKeyBytes({partition_, next, record->key}),
                             std::string()});
      }
    }
    // The key is copied: `stored_checks` holds views of the batch's keys.
    mutations.push_back({RestoredMutation::Family::kCustomer, record->key, std::move(record->value)});
  }
  Status written = store_.ApplyRestored(partition_, mutations, next_offsets_, *checkpoint_);
  records_.clear();
  next_offsets_.clear();
  checkpoint_.reset();
  bytes_ = 0;
  return written;
}

}  // namespace crm::pipeline

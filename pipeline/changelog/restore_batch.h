// pipeline/changelog/restore_batch.h
//
// The complete epochs of one changelog partition that a restore collected,
// written to the state store together in one atomic write (with the input
// offsets and the changelog checkpoint of the last of them) once they hold
// about kRestoreBatchBytes, instead of one synced write per epoch; of
// several records of one key in a batch only the last is written. The
// timers column family is derived here: a customer record carries the
// customer's one pending overdue check (CustomerState::next_check), so the
// write stores the timer the record names and deletes the one the store
// held for the customer before, which keeps the restored timers exactly
// those of the writer's store whatever compaction removed from the
// changelog. Owned by one restore; one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operators/status.h"
#include "pipeline/io/topic_partition.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {

inline constexpr size_t kRestoreBatchBytes = 4 << 20;

// One state record of an epoch, as read from the changelog.
struct RestoredRecord {
  bool customer = true;              // false: the partition's data
  std::string key;                   // customer id (empty for partition data)
  std::optional<std::string> value;  // nullopt: deleted
  int64_t next_check_ms = 0;         // customer: the state's pending check (0: none)
};

class RestoreBatch {
 public:
  RestoreBatch(int32_t partition, StateStore& store) : partition_(partition), store_(store) {}

  // Adds a complete epoch: its records in changelog order, the input
  // offsets its marker names and the changelog offset after the marker.
  void AddEpoch(std::vector<RestoredRecord>&& records, const std::map<TopicPartitionKey, int64_t>& next_offsets,
                int64_t checkpoint);
  bool Full() const { return bytes_ >= kRestoreBatchBytes; }
  // Writes what was added (nothing when empty) in one atomic store write.
  Status Write();

 private:
  int32_t partition_;
  StateStore& store_;
  std::vector<RestoredRecord> records_;
  std::map<TopicPartitionKey, int64_t> next_offsets_;
  std::optional<int64_t> checkpoint_;
  size_t bytes_ = 0;
};

}  // namespace crm::pipeline

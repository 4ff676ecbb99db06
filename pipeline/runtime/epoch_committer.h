// pipeline/runtime/epoch_committer.h
//
// The pipelined commit's second half: the steps that complete a cut epoch
// (produce its changelog records, wait for them and its outputs to be
// acknowledged, check ownership, produce its markers, commit the Kafka
// transaction, write the RocksDB batch) run on a thread of their own while
// the processor goes on with the next epoch. At most one epoch is in flight; the processor
// collects its Status (Poll, Wait) before it cuts the next one, and starts
// the same steps again after Unavailable. The epoch's data travels as an
// EpochSnapshot: copies of what changed, never pointers into state the next
// epoch may change. Values and Status cross the threads, never exceptions
// (one escaping the steps becomes an Internal status). One thread (the
// processor's) calls its methods; the destructor waits for the steps.
#pragma once

#include <functional>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "operators/customer_state.h"
#include "operators/status.h"
#include "pipeline/changelog/changelog_epoch.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {

// One cut epoch's RocksDB batch and changelog records, owning the customer
// states they write.
struct EpochSnapshot {
  // Never copied or moved: batch and changelog point into it.
  EpochSnapshot() = default;
  EpochSnapshot(const EpochSnapshot&) = delete;
  EpochSnapshot& operator=(const EpochSnapshot&) = delete;

  std::vector<std::pair<std::string, operators::CustomerState>> customers;
  CommitBatch batch;  // batch.customers point into `customers`
  std::map<TopicPartitionKey, int64_t> next_offsets;  // what the epoch reached (also in batch)
  // The changelog's view (with state.changelog): its customers point into
  // `customers` and batch.deleted_customers; partition_data answers from
  // `consumed_partition_data`, never from the processor's live state.
  EpochChanges changelog;
  std::map<int32_t, std::optional<std::string>> consumed_partition_data;
};

class EpochCommitter {
 public:
  using Steps = std::function<Status()>;

  EpochCommitter() = default;
  EpochCommitter(const EpochCommitter&) = delete;
  EpochCommitter& operator=(const EpochCommitter&) = delete;
  ~EpochCommitter();

  // Runs `steps` on a new thread; kept for Retry(). Not while in flight.
  void Start(Steps steps);
  // Runs the same steps again (after they returned Unavailable).
  void Retry();
  bool in_flight() const { return running_.valid(); }
  // The steps' Status once they returned (nothing is in flight then);
  // nullopt while they run or when nothing was started.
  std::optional<Status> Poll();
  // Waits for the steps and returns their Status (Ok when none run).
  Status Wait();
  // Forgets the steps (after Wait, when the epoch is given up).
  void Clear() { steps_ = nullptr; }

 private:
  Steps steps_;
  std::future<Status> running_;
};

}  // namespace crm::pipeline

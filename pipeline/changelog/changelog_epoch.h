// pipeline/changelog/changelog_epoch.h
//
// The changelog side of one processor's commits (changelog.h says what the
// topic is for): this process's epoch ids, the claims of newly assigned
// partitions, the rewrite of keys that a restore found in unfinished epochs,
// and, for every commit, the epoch's data records (produced once, however
// often the commit is retried), the ownership check once they are
// acknowledged (fenced when another writer appended in between) and the
// markers that complete the epoch. The processor hands it what the commit
// changed (EpochChanges); the state store is read only for rewrites. One
// thread at a time (the processor's, or its committer's: ProduceEpoch).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "operators/customer_state.h"
#include "operators/status.h"
#include "pipeline/changelog/changelog.h"
#include "pipeline/io/record_sink.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {

// What one commit changed, as the changelog records it.
struct EpochChanges {
  struct Customer {
    int32_t partition = -1;
    const std::string* id = nullptr;
    const operators::CustomerState* state = nullptr;  // nullptr: deleted
  };
  // Each customer's record carries its pending check: re-armed timers are
  // no records of their own (changelog_record.h).
  std::vector<Customer> customers;
  std::map<int32_t, std::string> partitions;         // changed partitions' encoded PartitionState
  std::map<TopicPartitionKey, int64_t> offsets;      // every next offset the state includes
  std::vector<int32_t> consumed;                     // partitions with input since the last commit
  // A partition's encoded PartitionState as the processor holds it now
  // (nullopt: none), for partitions that consumed input without a change.
  std::function<Result<std::optional<std::string>>(int32_t partition)> partition_data;
};

class ChangelogEpochs {
 public:
  // `epoch_prefix`: this process's unique epoch-id prefix (instance id and
  // start time), which is also its owner name in claims.
  ChangelogEpochs(const std::string& topic, std::string epoch_prefix, RecordSink& sink, const StateStore& store);

  // Writes this process's claim of `partitions` and waits until it is
  // acknowledged (RecordProcessor::ClaimPartitions).
  Status Claim(const std::set<int32_t>& partitions, int timeout_ms);
  // Keys of unfinished epochs to rewrite with the next commit; false when
  // there were none.
  bool ScheduleRewrite(int32_t partition, std::set<std::string> keys);

  // Before the commit's flush: the epoch's data records (once per commit),
  // then, once they and the outputs are acknowledged, the ownership check
  // and the markers (once). Fenced: another writer owns a partition now
  // (the outputs were aborted). Unavailable: not acknowledged in time; call
  // again with the same commit.
  Status Prepare(const std::function<EpochChanges()>& changes, int flush_timeout_ms);
  // Prepare in two steps, for a commit finished on another thread
  // (epoch_committer.h): ProduceEpoch produces the data records (once per
  // commit) while `changes` may still be read; Complete then waits for the
  // acknowledgements, checks ownership and produces the markers, with
  // Prepare's errors, and may be called again after Unavailable. Between
  // ProduceEpoch and Committed (or Reset), only the thread finishing the
  // commit uses this object.
  Status ProduceEpoch(const EpochChanges& changes);
  Status Complete(int flush_timeout_ms);
  // After the flush: the changelog offsets the state batch records as
  // checkpoints (the marked partitions' last acknowledged record + 1).
  std::map<int32_t, int64_t> Checkpoints() const;
  // The state batch is written: the next commit is a new epoch.
  void Committed();
  // Drops everything of the epoch in progress (the processor's state was dropped).
  void Reset();

 private:
  Result<std::set<int32_t>> ProduceData(const EpochChanges& changes);
  Status ProduceRewrites(const std::set<std::string>& written, std::set<int32_t>& marked);
  Status Produce(const OutputRecord& record);
  Status CheckOwnership() const;

  ChangelogWriter writer_;
  std::string epoch_prefix_;
  RecordSink& sink_;
  const StateStore& store_;
  int64_t run_ = 0;        // a new run after every Reset (changelog_record.h)
  int64_t epoch_seq_ = 0;
  std::map<int32_t, std::set<std::string>> rewrites_;
  bool data_produced_ = false;        // data records produced for the commit in progress
  std::set<int32_t> claims_pending_;  // partitions whose claims are produced, not yet acknowledged
  bool markers_produced_ = false;     // ... and, once those were acknowledged, the markers
  std::set<int32_t> marked_;
  std::map<TopicPartitionKey, int64_t> offsets_;  // for the markers
  struct EpochWrites {
    std::optional<int64_t> previous_last;  // our last acknowledged offset before the epoch
    int64_t records = 0;                   // this epoch's records produced
  };
  std::map<int32_t, EpochWrites> epoch_writes_;  // per changelog partition
};

}  // namespace crm::pipeline

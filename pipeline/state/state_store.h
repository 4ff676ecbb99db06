// pipeline/state/state_store.h
//
// The RocksDB adapter: per-customer state and input positions in one
// database, written together in one atomic batch per commit, so that after a
// crash the stored offsets always describe exactly the events the stored
// state contains (DESIGN.md "Runtime guarantees"). Column families:
//   customers  customer_id -> encoded CustomerState (state_codec.h)
//   offsets    topic '\0' partition(4 bytes BE) -> next offset (8 bytes BE)
//   timers     TimerKeyBytes: partition(4 bytes BE) due(8 bytes BE, sign bit flipped)
//              customer_id -> empty: pending overdue checks in due order,
//              so firing is a range scan and costs no memory per timer
// One shared LRU block cache and a write-buffer manager are sized from the
// memory budget; index and bloom filters are partitioned and live in that
// cache too (their top levels pinned), so they never outgrow the budget. Counters live in the default family under "counter/",
// partition data under "partition/" + partition (4 bytes BE), changelog
// checkpoints under "checkpoint/" + partition. Reads may come
// from any thread; Commit from one at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "operators/customer_state.h"
#include "operators/status.h"
#include "pipeline/io/topic_partition.h"

namespace crm::pipeline {

struct StateStoreOptions {
  std::string dir;
  int64_t memory_budget_bytes = 256LL << 20;
  bool read_only = false;
};

// One stored timer.
struct TimerKey {
  int32_t partition = 0;
  int64_t due_ms = 0;
  std::string customer_id;
  auto operator<=>(const TimerKey&) const = default;
};

// The timer's key bytes in the store (and in the changelog): partition (4
// bytes BE), due (8 bytes BE, sign bit flipped), customer id.
std::string TimerKeyBytes(const TimerKey& timer);

// What one commit writes: changed customers and the next offset to read per
// input partition.
struct CommitBatch {
  std::vector<std::pair<std::string_view, const operators::CustomerState*>> customers;
  std::map<TopicPartitionKey, int64_t> next_offsets;
  // Named counters kept consistent with the state (e.g. customers per
  // segment), written as absolute values.
  std::map<std::string, int64_t> counters;
  // Per input partition number: encoded data that belongs to the partition
  // as a whole (its RFM population), replacing what was stored.
  std::map<int32_t, std::string> partition_data;
  // Timers to store (true) or delete (false).
  std::map<TimerKey, bool> timers;
  // Customers whose state is deleted (expired).
  std::vector<std::string> deleted_customers;
  // Per input partition: the changelog offset after this commit's records
  // (what a restore of this store starts from).
  std::map<int32_t, int64_t> changelog_checkpoints;
};

// One restored changelog mutation, in the store's own key and value bytes
// (changelog.h maps changelog records to these).
struct RestoredMutation {
  enum class Family { kCustomer, kTimer, kPartition };
  Family family = Family::kCustomer;
  std::string key;                   // customer id, timer key bytes, or ignored (partition)
  std::optional<std::string> value;  // nullopt: delete
};

class StateStore {
 public:
  static Result<std::unique_ptr<StateStore>> Open(const StateStoreOptions& options);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The customer's committed state, nullopt when unknown.
  Result<std::optional<operators::CustomerState>> Get(const std::string& customer_id) const;

  // Looks up many customers at once (sorted, batched: much cheaper per key
  // than Get). `visit` is called for every id with its state or nullopt.
  Status MultiGet(std::vector<std::string_view>& ids,
                  const std::function<void(std::string_view id,
                                           std::optional<operators::CustomerState> state)>& visit) const;

  // Next offset stored for an input partition, nullopt when never committed.
  Result<std::optional<int64_t>> NextOffset(const TopicPartitionKey& tp) const;

  // Writes one restored changelog epoch of `partition` atomically: its
  // mutations, the input offsets it reached and the checkpoint to restore
  // from next time.
  Status ApplyRestored(int32_t partition, const std::vector<RestoredMutation>& mutations,
                       const std::map<TopicPartitionKey, int64_t>& next_offsets, int64_t checkpoint);

  // Forgets everything stored for input partition `partition`, in one
  // atomic write: the given customers (the caller knows which customers are
  // the partition's: changelog.h collects them from its changelog
  // partition), every timer and the data of the partition, its input offsets
  // (every topic) and its changelog checkpoint. Without stored offsets the
  // partition is then processed again from the beginning of its inputs, which
  // rebuilds its state.
  Status DropPartition(int32_t partition, const std::vector<std::string>& customer_ids);

  // The changelog offset a restore of `partition` starts from (nullopt: from
  // the beginning).
  Result<std::optional<int64_t>> ChangelogCheckpoint(int32_t partition) const;

  // Whether the timer is stored (to rewrite changelog keys after a restore).
  Result<bool> HasTimer(std::string_view timer_key_bytes) const;

  // The partition's data (CommitBatch::partition_data), nullopt when none.
  Result<std::optional<std::string>> PartitionData(int32_t partition) const;

  // Visits the partition's stored timers with from_ms <= due <= up_to_ms in
  // (due, customer) order until `visit` returns false. Fired timers leave
  // tombstones behind; starting past them (from_ms) keeps a scan cheap.
  Status ScanTimers(int32_t partition, int64_t up_to_ms,
                    const std::function<bool(int64_t due_ms, std::string_view customer_id)>& visit,
                    int64_t from_ms = INT64_MIN) const;

  // Every stored counter (see CommitBatch::counters).
  Result<std::map<std::string, int64_t>> Counters() const;

  // Writes the batch atomically (fsync'd WAL). On error nothing is written.
  Status Commit(const CommitBatch& batch);

  // Visits every customer in ascending id order with its encoded bytes.
  Status ForEachCustomer(
      const std::function<Status(const std::string& id, const std::string& bytes)>& visit) const;

  // Flushes memtables and compacts everything (benchmarks, maintenance).
  Status CompactAll();

  // Approximate live data size and block-cache usage, for metrics.
  int64_t ApproximateSizeBytes() const;
  int64_t BlockCacheUsageBytes() const;

  // Where RocksDB's memory is, for metrics and benchmarks.
  struct MemoryUsage {
    int64_t block_cache_bytes = 0;         // everything charged to the cache (memtables included)
    int64_t block_cache_pinned_bytes = 0;  // of which in use (pinned) and so not evictable
    int64_t memtable_bytes = 0;            // memtables, live and waiting to be flushed
    int64_t table_readers_bytes = 0;       // open files' readers outside the cache
  };
  MemoryUsage Memory() const;

 private:
  struct Impl;
  explicit StateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace crm::pipeline

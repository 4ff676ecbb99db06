// pipeline/changelog/changelog.h
//
// The changelog topic that lets a partition's state move between instances
// (DESIGN.md "Scale-out"). Changelog partition p holds input partition p's
// state: every commit writes, before its atomic RocksDB batch and in the same
// producer flush (or Kafka transaction) as the outputs, one record per
// customer and partition data it changed (a customer's record carries its
// pending timer) and then a marker that completes the epoch with the input
// offsets it reached, every record carrying the writer's epoch id. The
// record format is changelog_record.h's. The topic is meant to be
// compacted: the latest record per key is the state.
//
// Restore reads a partition from the local checkpoint to the end and applies
// an epoch only when its marker, or a later marker of its run, arrives (a
// compacted topic keeps only each run's newest marker; changelog_record.h
// says what a run is); complete epochs are written
// together, a few MiB at a time, each write atomic with the offsets and
// checkpoint of its last epoch, the timers derived from the customer records
// (restore_batch.h). Records of an epoch without
// a marker (a writer that died mid-commit) are never applied; their keys are
// returned so that the next commit rewrites their current values, and
// compaction then keeps the rewritten record instead of the dead writer's.
//
// Corrupt records (changelog_record.h says what that is) never stop the
// service. A corrupt record in an epoch that never completes is only
// counted: that epoch is dropped like any unfinished one. A complete epoch
// that cannot be applied as written (a corrupt marker, or a corrupt record
// in an epoch whose marker arrives) means the changelog no longer describes
// the partition's state: skipping the epoch would lose the input events it
// applied (later epochs only carry the keys they change, and their markers
// move the offsets past the skipped events), so the partition's state is
// rebuilt from its input instead: everything stored for it is dropped
// (StateStore::DropPartition: the customers named in its changelog
// partition, its timers, data, offsets and checkpoint), and without stored
// offsets the service processes the partition again from the beginning of
// its input topics.
//
// While the broker cannot be reached, restore waits with bounded back-off
// and never gives up by itself; it ends early only when asked to stop
// (RestoreOptions::interrupted), leaving what it applied so far durable:
// each write of applied epochs carries their checkpoint, so the next restore
// goes on from there.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "operators/customer_state.h"
#include "operators/status.h"
#include "pipeline/changelog/changelog_record.h"
#include "pipeline/io/clock.h"
#include "pipeline/kafka/kafka_client.h"
#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {

// Builds changelog records of one epoch.
class ChangelogWriter {
 public:
  ChangelogWriter(std::string topic, std::string epoch) : topic_(std::move(topic)), epoch_(std::move(epoch)) {}
  const std::string& topic() const { return topic_; }

  OutputRecord Customer(int32_t partition, const std::string& id, const operators::CustomerState* state) const;
  OutputRecord Timer(int32_t partition, const std::string& timer_key_bytes, bool present) const;
  OutputRecord Partition(int32_t partition, const std::string& encoded_partition_state) const;
  OutputRecord Marker(int32_t partition, const std::map<TopicPartitionKey, int64_t>& next_offsets) const;
  // The claim of `partition` by `owner` (this process's epoch-id prefix):
  // kChangelogClaimRecords records, written when the partition is assigned
  // and acknowledged before it is restored (changelog_record.h).
  std::vector<OutputRecord> Claim(int32_t partition, const std::string& owner) const;

  // A new epoch id for the next commit.
  void NextEpoch(std::string epoch) { epoch_ = std::move(epoch); }

 private:
  OutputRecord Record(int32_t partition, std::string key) const;
  std::string topic_;
  std::string epoch_;
};

struct RestoreResult {
  int64_t records = 0;        // changelog records read
  int64_t epochs = 0;         // complete epochs applied
  double seconds = 0;
  std::set<std::string> keys_to_rewrite;  // changelog keys of epochs without a marker
  int64_t corrupt_records = 0;            // records DecodeChangelogRecord rejected
  // Epochs completed by a writer after another one had claimed the
  // partition (a fenced zombie's): never applied, their keys rewritten.
  int64_t fenced_epochs = 0;
  // A complete epoch could not be applied: the partition's stored state was
  // dropped and is to be rebuilt from its input.
  bool rebuild_from_input = false;
  std::string rebuild_reason;             // the first unusable record, for the log
  int64_t unavailable_waits = 0;          // back-off waits for the broker
  double unavailable_seconds = 0;         // time spent waiting for the broker
  // Ended early because RestoreOptions::interrupted said so: the partition is
  // not restored (what was applied is durable, with its checkpoint).
  bool interrupted = false;
};

struct RestoreOptions {
  // Back-off between attempts while the broker cannot be reached: the first
  // wait, doubled up to the longest.
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds max_backoff{10'000};
  // One attempt at the partition's offsets (ListOffsets).
  int query_timeout_ms = 5'000;
  // Reading without a record for this long counts as the broker being away
  // (reported, and waited out with the same back-off).
  std::chrono::milliseconds stall_after{3'000};
  // Asked at least every 500 ms; true ends the restore (result.interrupted).
  // The service checks its stop flag here and refreshes its heartbeat.
  std::function<bool()> interrupted;
  // Told about every wait for the broker: why, how many waits so far, and
  // how long the changelog has been unreachable.
  std::function<void(const Status& why, int64_t waits, std::chrono::milliseconds unavailable_for)> on_unavailable;
  // Told about every corrupt record: its offset and what is wrong with it.
  std::function<void(int64_t offset, const Status& why)> on_corrupt;
  // The steady time of back-off, stall detection and the restore's duration;
  // nullptr: the system's.
  const Clock* clock = nullptr;
};

// Makes sure the changelog topic has at least as many partitions as
// `input_topic`: creates it (compacted) when it does not exist yet, and
// fails with InvalidArgument, saying what to do, when it has fewer. When the
// cluster cannot be asked (broker away), logs nothing and returns Ok: a
// produce to a missing partition fails later with the broker's error.
Status EnsureChangelogTopic(rd_kafka_t* client, const std::string& input_topic, const std::string& changelog,
                            int timeout_ms);

// Restores `partition` of the changelog `topic` into `store`, from the
// store's checkpoint to the current end. `progress` is called every 100k
// records with (records read, records to read). Errors are infrastructure
// failures only (RocksDB, a bad client configuration, a non-retriable
// broker error); corruption and an unreachable broker are handled as the
// header comment says.
Result<RestoreResult> RestoreChangelogPartition(const KafkaProperties& properties, const std::string& topic,
                                                int32_t partition, StateStore& store,
                                                const std::function<void(int64_t, int64_t)>& progress,
                                                const RestoreOptions& options = {});

}  // namespace crm::pipeline

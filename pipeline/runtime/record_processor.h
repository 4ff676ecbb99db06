// pipeline/runtime/record_processor.h
//
// The heart of one instance's processing, free of Kafka consumer details: it
// takes input records in their merged order, decodes them, runs the operator
// chain on the customer's state (held in a bounded in-memory cache in front of
// the state store), hands outputs and dead letters to a RecordSink, and tracks
// which input positions the in-memory state contains. Commit() makes it all
// durable in the order that keeps the guarantees: first every output is
// acknowledged by the sink, then state + next offsets + counters are written
// in one atomic batch. A crash between the two replays the records, which
// republishes the same outputs with the same ids (copies, never losses).
// Its parts: the customer cache (customer_cache.h), the event-time timers
// (timer_service.h) and, with state.changelog, the changelog epochs of its
// commits (changelog_epoch.h); it keeps the partitions' clocks and
// populations, the input positions and the segment counters itself.
// The commit can be pipelined (BeginCommit, Settle): the second half of an
// epoch's commit runs on a committer thread (epoch_committer.h) while the
// next epoch is processed; everything else, one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "operators/customer_processor.h"
#include "operators/customer_state.h"
#include "operators/model_params.h"
#include "operators/rfm_population.h"
#include "operators/status.h"
#include "pipeline/changelog/changelog_epoch.h"
#include "pipeline/io/clock.h"
#include "pipeline/io/record_sink.h"
#include "pipeline/observe/metrics.h"
#include "pipeline/runtime/epoch_committer.h"
#include "pipeline/runtime/event_time_bounds.h"
#include "pipeline/runtime/holding_sink.h"
#include "pipeline/runtime/timer_service.h"
#include "pipeline/state/customer_cache.h"
#include "pipeline/state/population_codec.h"
#include "pipeline/state/state_store.h"
#include "pipeline/wire/event_decoder.h"
#include "pipeline/wire/output_encoder.h"

namespace crm::pipeline {

// One input record as the consumer hands it over; views stay valid for the
// duration of Process().
struct InputRecordView {
  InputKind kind = InputKind::kPurchase;
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view key;
  std::string_view value;
  bool has_key = false;
  bool has_value = true;     // false: a null value (not the same as an empty one)
  int64_t timestamp_ms = 0;  // the Kafka record's timestamp, 0 when unknown
  RecordTimestampType timestamp_type = RecordTimestampType::kNone;
};

class RecordProcessor {
 public:
  // `clock` gives the wall time of new partitions' trusted clocks, of the
  // watermark lag metric and of this process's changelog epoch ids.
  RecordProcessor(const config::Config& config, StateStore& store, RecordSink& sink,
                  Metrics& metrics, const Clock& clock);

  // Loads the persisted counters (customers per segment). Call once.
  Status Start();

  // Loads the given customers (message keys of records about to be
  // processed) into the cache in one batched read, so that Process() rarely
  // goes to the store one key at a time. Only stored customers are cached:
  // ids the store does not know are remembered until the next Prefetch (so
  // Process does not ask again), and keys longer than any customer id are
  // skipped, so a flood of bad records creates no state and no cache entry.
  Status Prefetch(std::vector<std::string_view>& customer_ids);

  // Processes one record. A non-ok status is an infrastructure failure (state
  // store read, sink refused); bad data never fails, it is dead-lettered.
  // Event time: the record's partition advances its watermark (largest event
  // time - allowed lateness) and fires the timers it passes, in (due,
  // customer) order, before the next record. An event older than the
  // watermark still updates state (counted as late); one stamped more than
  // max_future_skew_ms after its Kafka timestamp or after the partition's
  // trusted clock, or one before time.earliest_event_ms, is dead-lettered
  // (event_time_bounds.h) and leaves the partition's clock alone. Every
  // fired check counts as an uncommitted record, and one record fires at
  // most as many as the epoch has room for (runtime.max_uncommitted_events
  // less uncommitted_records(), at least one): the rest is the timer
  // backlog (timer_backlog()), which fires before the partition's next
  // record, so an epoch's size (its dirty customers, their copy, changelog
  // records, outputs) stays bounded whatever a watermark jump passes.
  Status Process(const InputRecordView& record);
  // Checks a record left due because its epoch was full. The caller commits,
  // then fires them in slices (FireTimerBacklog), a commit between, before
  // the next record; left alone, they fire before their partition's next
  // record. Either way they fire in the same order, before the same records.
  bool timer_backlog() const { return !timer_backlog_.empty(); }
  // Fires at most `max_timers` of the backlog, partition by partition;
  // returns how many fired.
  Result<int64_t> FireTimerBacklog(int64_t max_timers);

  // Records `wall_ms` as the partition's trusted clock (the reference of the
  // future-event bound) when the recorded one is missing or older than a
  // minute; true when it changed, which is progress to commit. The runtime
  // calls it for its assigned partitions and commits before processing, so
  // records are always judged against a committed clock and a replay from
  // that commit decides the same way.
  Result<bool> RefreshClock(int32_t partition, int64_t wall_ms);

  // Idle partitions (the runtime decides when): raises the partition's
  // watermark to `watermark_ms` without firing anything, so that the advance
  // can be committed (recorded) before its effects; false when the watermark
  // was already there or the partition never saw an event. FireDueTimers then fires what it passed. A partition
  // loaded from the store first fires the timers its stored watermark passed,
  // so a crash between the two is repaired on restart.
  Result<bool> AdvanceWatermark(int32_t partition, int64_t watermark_ms);
  // FireDueTimers fires at most `max_timers` (in order), so that a large
  // backlog can be committed in slices; returns how many fired.
  Result<int64_t> FireDueTimers(int32_t partition, int64_t max_timers = INT64_MAX);

  // Flushes outputs, then writes state and offsets atomically. Fenced:
  // another instance wrote to one of this commit's changelog partitions (it
  // owns them now); nothing was written, the outputs were aborted, and the
  // caller must drop its state (DropCachedState) and rejoin. Unavailable:
  // the outputs were not all acknowledged within `flush_timeout_ms` (broker
  // slow or away); nothing was written and Commit may be called again. Any
  // other error: nothing is marked committed and the caller must stop (the
  // next start replays from the last committed offsets).
  // BeginCommit, then Settle until it lands (Unavailable: call again).
  Status Commit(int flush_timeout_ms);

  // The pipelined commit (epoch_committer.h). BeginCommit first settles the
  // epoch in flight (Settle, waiting), then cuts this one: what its RocksDB
  // batch and changelog records write is copied, and the rest of Commit's
  // steps (the changelog records among them) run on the committer thread
  // while processing goes on. Until the epoch lands, the outputs of the next wait in memory
  // (holding_sink.h), its customers stay cached and its timer changes stay
  // visible, and committed_offsets() does not move. Errors: as Commit's.
  Status BeginCommit(int flush_timeout_ms);
  // Collects the epoch in flight (without `wait`, only once its steps have
  // returned): true when it landed now (state, offsets and checkpoints
  // stored, outputs acknowledged or committed, the held outputs produced);
  // false when none was in flight or it is still running. Unavailable: not
  // acknowledged within BeginCommit's `flush_timeout_ms`; the next Settle
  // starts the steps again (without `wait` reported as false). Fenced or any other error: the epoch is given up,
  // with the outputs held for the next; the caller drops its state
  // (DropCachedState) or stops, as after Commit.
  Result<bool> Settle(bool wait);
  bool commit_in_flight() const { return in_flight_ != nullptr; }
  // The next epoch's held outputs passed their bound: settle before more.
  bool holding_full() const { return outputs_.full(); }
  // Waits for the steps of the epoch in flight, if any, and gives it up
  // with the held outputs (what the steps wrote stays written). The caller
  // then drops its state (DropCachedState does this first).
  void AbandonCommit();

  // Fitted model parameters to use from the next record on (nullopt: the
  // fallback models). The runtime calls it at start and on reload.
  void SetModelParams(std::optional<operators::ModelParams> params) { params_ = std::move(params); }
  bool has_model_params() const { return params_.has_value(); }

  // With the changelog: writes this process's claim of `partitions` and
  // waits until it is acknowledged, before they are restored. From the claim
  // on, a restore applies no epoch of another writer (a zombie that lost
  // the partition), and such a writer's next commit is fenced. Unavailable:
  // not acknowledged within `timeout_ms`; call again (the claim is produced
  // once). Without the changelog it does nothing.
  Status ClaimPartitions(const std::set<int32_t>& partitions, int timeout_ms);

  // After a restore: the changelog keys of epochs that never completed, to be
  // rewritten with their current values by the next commit.
  void ScheduleChangelogRewrite(int32_t partition, std::set<std::string> keys);

  // Forgets uncommitted progress for partitions the instance no longer owns
  // and drops cached customers (they may now belong to another instance).
  // An error: the committed count of pending timers could not be read back
  // (the store failed; the caller stops).
  Status DropCachedState();

  int64_t uncommitted_records() const { return uncommitted_records_; }
  // Largest event time processed so far (epoch ms; 0 before the first event).
  int64_t latest_event_time_ms() const { return latest_event_time_ms_; }
  const std::map<TopicPartitionKey, int64_t>& committed_offsets() const { return committed_offsets_; }
  // The hot customers (entries, approximate bytes), for benchmarks.
  const CustomerCache& customer_cache() const { return customers_; }

 private:
  static inline const std::string kSegmentCounterPrefix = "customers_in_segment/";
  static inline const std::string kTimersPendingCounter = "timers_pending";
  // Outputs the next epoch may hold back while one is in flight.
  static constexpr size_t kMaxHeldBytes = 64u << 20;

  // One input partition's clock and RFM population, loaded from the store on
  // first use and written with the partition's next commit once changed.
  struct PartitionTask {
    PartitionState stored;
    bool dirty = false;
    int32_t partition = 0;  // names the origin of timer outputs (alert ids)
  };

  // Loads the partition on first use and then (unless told not to) fires
  // the timers its stored watermark passed.
  Result<PartitionTask*> TaskFor(int32_t partition, bool fire_stored = true);
  // Fires at most `limit` due checks and counts them as uncommitted records;
  // a scan cut short by the limit leaves the partition in timer_backlog_.
  Result<int64_t> FireDue(int32_t partition, PartitionTask& task, int64_t limit = INT64_MAX);
  Status FireOne(int32_t partition, PartitionTask& task, const TimerKey& key);
  operators::ModelContext ContextFor(PartitionTask& task);
  // The Markov view's counts (operators/segment_flows.h): moves the
  // partition's period to that of its clock (largest event time, the
  // watermark if an idle advance went further, or `event_ms`), and records a
  // customer's segment moves and purchase spend.
  void AdvanceFlows(PartitionTask& task, int64_t event_ms = INT64_MIN);
  void RecordFlows(PartitionTask& task, const operators::Effects& effects, operators::CustomerState& state,
                   double spend);
  Status DeadLetter(const InputRecordView& record, const operators::EventOrigin& origin,
                    const std::string& code, const std::string& reason);
  Status Emit(const operators::Effects& effects, const operators::EventOrigin& origin);
  void CountReward(const operators::RewardEvent& reward);

  const config::Config& config_;
  const EventTimeBounds time_bounds_;
  const size_t dead_letter_budget_;  // bytes a dead letter may take (dead_letter.h)
  StateStore& store_;
  RecordSink& sink_;
  Metrics& metrics_;
  const Clock& clock_;
  EventDecoder decoder_;
  OutputEncoder encoder_;

  // Per-topic counters, looked up once: a labelled lookup per event would
  // cost a lock and a hash of the labels.
  struct TopicCounters {
    prometheus::Counter* ok;
    prometheus::Counter* duplicate;
    prometheus::Counter* deadletter;
  };
  TopicCounters& CountersFor(const std::string& topic);

  CustomerCache customers_{store_, config_.state.cache_customers, config::CustomerCacheBytes(config_.state)};
  std::map<std::string, TopicCounters, std::less<>> topic_counters_;
  std::map<TopicPartitionKey, int64_t> pending_offsets_;
  std::map<TopicPartitionKey, int64_t> committed_offsets_;
  std::map<std::string, int64_t> segment_counts_;  // segment -> customers (stored with kSegmentCounterPrefix)
  std::optional<operators::ModelParams> params_;
  std::map<int32_t, PartitionTask> tasks_;
  TimerService timers_{store_};
  std::set<int32_t> timer_backlog_;  // partitions whose due scan a full epoch cut short
  bool quantile_scoring_ = false;  // some RFM score ranks against the population
  // With state.changelog: this process's changelog epochs. While an epoch
  // is in flight only the committer's thread uses it.
  std::unique_ptr<ChangelogEpochs> changelog_;
  // Keys a restore found in unfinished epochs, handed to changelog_ at the
  // next cut.
  std::map<int32_t, std::set<std::string>> pending_rewrites_;
  Status CutChangelog(EpochSnapshot& epoch);
  Status LoadCommittedCounters();
  int64_t uncommitted_records_ = 0;
  int64_t latest_event_time_ms_ = 0;

  // The pipelined commit (record_processor_commit.cc): outputs go through
  // outputs_, which holds them while an epoch is in flight; the changelog
  // and the committer use sink_ itself.
  Status CutEpoch(int flush_timeout_ms);
  Status CommitSteps(EpochSnapshot& epoch, int flush_timeout_ms);
  Status Landed();
  HoldingSink outputs_{sink_, kMaxHeldBytes};
  std::unique_ptr<EpochSnapshot> in_flight_;
  // Last: destroyed first, so its thread is done before what it uses goes.
  EpochCommitter committer_;
};

}  // namespace crm::pipeline

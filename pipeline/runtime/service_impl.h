// pipeline/runtime/service_impl.h
//
// Service's insides, shared by the files that implement it: service.cc (the
// loop: source -> merge -> processor -> sink and store), service_rebalance.cc
// (assignment, revocation, fencing) and service_commit.cc (the commit cycle,
// trusted clocks and idle-partition watermarks). Only those include it. One
// thread (the service's) uses an Impl, but for the profile fields that the
// HTTP thread reads under params_mutex / atomically.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/runtime/input_merger.h"
#include "pipeline/runtime/record_processor.h"
#include "pipeline/runtime/service.h"

namespace crm::pipeline {

using Merger = InputMerger<SourceRecord>;

// Per-partition buffering beyond which fetching pauses (the merge may be
// waiting for another input) and below which it resumes; in bytes too
// (runtime.partition_buffer_bytes), so large messages cannot grow it.
constexpr size_t kPauseAbove = 20000;
constexpr size_t kResumeBelow = 5000;
constexpr size_t kResumeBelowFraction = 4;
constexpr int kMaxPollBatch = 10000;
// A commit waits for output acknowledgements in slices of this length, so
// that health and stop requests are looked at while the broker is away.
constexpr int kFlushSliceMs = 1000;
// A long silence can pass many timers: an idle advance fires and commits
// them in slices so memory stays bounded.
constexpr int64_t kTimersPerCommit = 50'000;


struct Service::Impl final : RebalanceListener {
  Impl(const config::Config& c, Metrics& m, ServiceHealth& h, const Clock& k)
      : config(c), metrics(m), health(h), clock(k), merger(std::chrono::milliseconds(c.runtime.max_task_idle_ms)),
        last_commit(k.Steady()) {
    topics = config::InputTopics(c.topics);
  }

  const config::Config& config;
  Metrics& metrics;
  ServiceHealth& health;
  const Clock& clock;
  std::array<std::string, kInputKinds> topics;
  std::unique_ptr<StateStore> store;
  std::unique_ptr<RecordSink> sink;
  std::unique_ptr<RecordProcessor> processor;
  std::unique_ptr<RecordSource> source;  // destroyed first: it may call back into the rest
  ChangelogRestorer restorer;
  Merger merger;
  std::set<std::pair<int, int32_t>> assigned;  // (kind, partition)
  std::set<std::pair<int, int32_t>> paused;
  Status fatal;  // set by callbacks, checked by the loop
  std::vector<std::string_view> received_keys;  // keys of this poll round, for prefetching
  Clock::SteadyTime last_commit;   // the last commit point (cut)
  Clock::SteadyTime commit_started;  // the cut of the epoch in flight
  const std::atomic<bool>* stop = nullptr;  // Run()'s stop flag
  bool stopping_after_error = false;
  // Set when a commit was fenced: the instance dropped its state and left
  // the group to rejoin; nothing is processed until partitions are assigned.
  bool rejoining_after_fence = false;
  // What profiles read from the HTTP thread: the parameters in use and the
  // latest committed event time.
  mutable std::mutex params_mutex;
  std::shared_ptr<const operators::ModelParams> params_in_use;
  std::atomic<int64_t> committed_event_time_ms{0};
  // The input partition numbers owned, for GET /segments (HTTP thread).
  mutable std::mutex owned_mutex;
  std::vector<int32_t> owned_partitions;
  void PublishOwned() {
    std::set<int32_t> numbers;
    for (const auto& [kind, partition] : assigned) numbers.insert(partition);
    std::lock_guard lock(owned_mutex);
    owned_partitions.assign(numbers.begin(), numbers.end());
  }
  // When each assigned partition number last received an input record.
  std::map<int32_t, Clock::SteadyTime> last_input;
  // (kind, partition) -> the offset after the last record received (or the
  // stored position it was assigned from): what the merge compares with the
  // consumer's high watermark (KnownUnreceived).
  std::map<std::pair<int, int32_t>, int64_t> next_unreceived;
  std::optional<Clock::SteadyTime> stop_requested_at;

  void UseModelParams(operators::ModelParams params) {
    processor->SetModelParams(params);
    std::lock_guard lock(params_mutex);
    params_in_use = std::make_shared<const operators::ModelParams>(std::move(params));
  }

  int KindOf(std::string_view topic) const {
    for (int k = 0; k < kInputKinds; ++k) {
      if (topics[k] == topic) return k;
    }
    return -1;
  }
  bool StopRequested() const { return stop != nullptr && stop->load(); }

  // Cuts the epoch and starts its commit (settling the one in flight first).
  Status Commit();
  // Commit, then wait until it lands: before a revoke, at the end.
  Status CommitAndSettle();
  // Collects the epoch in flight (waiting for it, retrying while the broker
  // is away, or only when its steps are done) and does AfterCommit once it
  // lands.
  Status Settle(bool wait);
  // The parameters file's contents; nullopt when none is configured or, on a
  // reload, when the file is bad (logged; the old parameters stay).
  Result<std::optional<operators::ModelParams>> LoadModelParams(bool at_start);
  void AfterCommit(Clock::SteadyTime started);
  void OnAssigned(std::vector<AssignedPartition>& partitions) override;
  void OnRevoked(const std::vector<TopicPartitionKey>& partitions, bool lost) override;
  void OnSourceError(Status status) override {
    if (fatal.ok()) fatal = std::move(status);
  }
  Status AssignFromStore(std::vector<AssignedPartition>& partitions);
  void Receive(SourceRecord record);
  Status Drain();
  // True when the consumer knows that the input holds records beyond those
  // received (its high watermark is past them): a slow fetch, not silence.
  bool KnownUnreceived(int32_t partition, int kind);
  Status AdvanceIdlePartitions();
  Status AdvanceIdle(int32_t partition);
  Status RefreshClocks();
  // A fenced commit (another instance owns a partition now): drops every
  // uncommitted change and buffered record, leaves the group and joins it
  // again, so that what this instance gets next is restored and claimed
  // afresh. Other statuses pass through.
  Status RejoinIfFenced(Status status);
  void SetPaused(int kind, int32_t partition, bool pause);
  Status Loop(const RunOptions& options);
};

}  // namespace crm::pipeline

// Service: the commit cycle (retried while the broker is away, given up at
// the shutdown deadline), the partitions' trusted clocks and the idle-
// partition watermark advance (service_impl.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <string>

#include "pipeline/runtime/service_impl.h"
#include "pipeline/wire/output_encoder.h"

namespace crm::pipeline {

// A commit point cuts the epoch and hands its commit to the committer
// thread (record_processor.h); processing goes on. An epoch still in flight
// at the next commit point is settled first: at most one is in flight.
// The next commit point is one interval after this one, not after the wait
// for the epoch in flight and the cut: an output waits at most one interval
// for its cut.
Status Service::Impl::Commit() {
  const auto point = clock.Steady();
  if (processor->uncommitted_records() == 0) {
    last_commit = point;
    return Status::Ok();
  }
  RETURN_IF_ERROR(Settle(/*wait=*/true));
  const auto started = clock.Steady();
  Status status = processor->BeginCommit(kFlushSliceMs);
  if (!status.ok()) {
    health.last_commit_ok.store(false);
    metrics.Commits(status.code() == StatusCode::kFenced ? "fenced" : "failed").Increment();
    return status;
  }
  if (processor->commit_in_flight()) commit_started = started;
  last_commit = point;
  return Status::Ok();
}

Status Service::Impl::CommitAndSettle() {
  RETURN_IF_ERROR(Commit());
  return Settle(/*wait=*/true);
}

// While the broker does not acknowledge the outputs (down, slow), keep
// waiting: librdkafka retries with back-off and fails the records itself
// after message.timeout.ms. Not ready meanwhile; a stop request gives up
// after the shutdown deadline (nothing is lost: the next start replays).
Status Service::Impl::Settle(bool wait) {
  if (!processor->commit_in_flight()) return Status::Ok();
  Status status;
  for (int attempt = 1;; ++attempt) {
    health.Beat();
    Result<bool> landed = processor->Settle(wait);
    if (landed.ok() && !*landed) return Status::Ok();  // still running (not waiting)
    status = landed.status();
    if (status.code() != StatusCode::kUnavailable) break;
    health.last_commit_ok.store(false);
    if (attempt == 1 || attempt % 10 == 0) {
      spdlog::warn("commit waiting for the broker ({} s so far): {}", attempt * kFlushSliceMs / 1000,
                   status.message());
    }
    if (StopRequested()) {
      if (!stop_requested_at) stop_requested_at = clock.Steady();
      if (clock.Steady() - *stop_requested_at >= std::chrono::milliseconds(config.runtime.shutdown_deadline_ms)) {
        processor->AbandonCommit();
        return Status(StatusCode::kUnavailable, "shutdown deadline passed: " + status.message());
      }
    }
  }
  health.last_commit_ok.store(status.ok());
  metrics.Commits(status.ok() ? "ok" : status.code() == StatusCode::kFenced ? "fenced" : "failed").Increment();
  if (!status.ok()) return status;
  AfterCommit(commit_started);
  return Status::Ok();
}

// Metrics, the profile's event time, and the advisory offsets and lag.
void Service::Impl::AfterCommit(Clock::SteadyTime started) {
  // From the cut to the landing: the commit's whole latency, most of it
  // overlapped with processing.
  metrics.commit_duration().Observe(std::chrono::duration<double>(clock.Steady() - started).count());
  metrics.state_size().Set(static_cast<double>(store->ApproximateSizeBytes()));
  committed_event_time_ms.store(processor->latest_event_time_ms());
  if (processor->latest_event_time_ms() > 0) {
    metrics.event_time_lag().Set(static_cast<double>(clock.WallMs() - processor->latest_event_time_ms()) / 1000.0);
  }
  metrics.state_cache_usage().Set(static_cast<double>(store->BlockCacheUsageBytes()));
  std::map<TopicPartitionKey, int64_t> offsets;
  for (const auto& [tp, offset] : processor->committed_offsets()) {
    int kind = KindOf(tp.topic);
    if (kind >= 0 && assigned.count({kind, tp.partition})) offsets[tp] = offset;
  }
  source->CommitOffsets(offsets);
  for (const auto& [kind, partition] : assigned) {
    const TopicPartitionKey tp{topics[kind], partition};
    std::optional<LogExtent> extent = source->Extent(tp);
    if (!extent) continue;
    auto it = processor->committed_offsets().find(tp);
    int64_t position = it == processor->committed_offsets().end() ? extent->start : it->second;
    metrics.ConsumerLag(topics[kind], partition).Set(static_cast<double>(std::max<int64_t>(0, extent->end - position)));
  }
}

Status Service::Impl::RefreshClocks() {
  const int64_t wall_ms = clock.WallMs();
  bool refreshed = false;
  std::set<int32_t> partitions;
  for (const auto& [kind, partition] : assigned) partitions.insert(partition);
  for (int32_t partition : partitions) {
    ASSIGN_OR_RETURN(bool changed, processor->RefreshClock(partition, wall_ms));
    refreshed |= changed;
  }
  return refreshed ? Commit() : Status::Ok();
}

Status Service::Impl::AdvanceIdlePartitions() {
  const auto now = clock.Steady();
  const auto idle_timeout = std::chrono::milliseconds(config.time.idle_timeout_ms);
  std::set<int32_t> partitions;
  for (const auto& [kind, partition] : assigned) partitions.insert(partition);
  for (int32_t partition : partitions) {
    bool buffered = false;
    for (int kind = 0; kind < kInputKinds; ++kind) buffered |= merger.Buffered(partition, kind) > 0;
    auto [it, fresh] = last_input.try_emplace(partition, now);
    if (buffered || fresh || now - it->second < idle_timeout) continue;
    it->second = now;  // the next advance needs another idle period
    RETURN_IF_ERROR(AdvanceIdle(partition));
  }
  return Status::Ok();
}

// Raises an idle partition's watermark to the wall clock (less the allowed
// lateness). Everything before the advance is durable first, then the
// advance is recorded, then its effects follow: a replay repeats exactly this.
Status Service::Impl::AdvanceIdle(int32_t partition) {
  const int64_t watermark = clock.WallMs() - config.time.allowed_lateness_ms;
  RETURN_IF_ERROR(Commit());
  ASSIGN_OR_RETURN(bool advanced, processor->AdvanceWatermark(partition, watermark));
  if (!advanced) return Status::Ok();
  RETURN_IF_ERROR(Commit());
  // Each slice an epoch within runtime.max_uncommitted_events.
  const int64_t timers_per_commit = std::min(kTimersPerCommit, config.runtime.max_uncommitted_events);
  int64_t fired = 0;
  for (;;) {
    ASSIGN_OR_RETURN(int64_t slice, processor->FireDueTimers(partition, timers_per_commit));
    RETURN_IF_ERROR(Commit());
    fired += slice;
    if (slice < timers_per_commit) break;
  }
  metrics.WatermarkIdleAdvances(partition).Increment();
  spdlog::info("partition {} idle for {} ms: watermark advanced by wall clock to {}; {} timers fired", partition,
               config.time.idle_timeout_ms, FormatRfc3339(watermark), fired);
  return Status::Ok();
}

}  // namespace crm::pipeline

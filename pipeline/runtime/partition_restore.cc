#include "pipeline/runtime/partition_restore.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace crm::pipeline {
namespace {

// A claim waits for its acknowledgement in slices of this length, so that
// health and stop requests are looked at while the broker is away.
constexpr int kClaimSliceMs = 1000;

bool StopRequested(const PartitionRestoreContext& c) { return c.stop != nullptr && c.stop->load(); }

void LogRestored(const PartitionRestoreContext& c, int32_t partition, const RestoreResult& restored) {
  if (restored.rebuild_from_input) {
    c.metrics.ChangelogRebuilds(partition).Increment();
    spdlog::warn("partition {}: changelog unusable ({}); its state was dropped and is rebuilt from the beginning "
                 "of its input", partition, restored.rebuild_reason);
  } else if (restored.epochs > 0 || restored.corrupt_records > 0 || restored.fenced_epochs > 0 ||
             !restored.keys_to_rewrite.empty()) {
    spdlog::info("restored partition {} from {}: {} records, {} epochs in {:.2f} s ({:.0f} records/s); "
                 "{} keys of unfinished epochs to rewrite; {} corrupt records; {} epochs of fenced writers "
                 "ignored; {:.1f} s waiting for the broker",
                 partition, c.config.topics.changelog, restored.records, restored.epochs, restored.seconds,
                 static_cast<double>(restored.records) / std::max(restored.seconds, 1e-6),
                 restored.keys_to_rewrite.size(), restored.corrupt_records, restored.fenced_epochs,
                 restored.unavailable_seconds);
  }
}

// The claim goes first and is acknowledged: the restore then reads past it,
// and whatever another writer completes after it (a zombie that had these
// partitions) is never applied, here or by any later restore.
Status Claim(const PartitionRestoreContext& c, const std::set<int32_t>& partitions) {
  for (int attempt = 1;; ++attempt) {
    c.health.Beat();
    Status claimed = c.processor.ClaimPartitions(partitions, kClaimSliceMs);
    if (claimed.ok() || StopRequested(c)) return Status::Ok();
    if (claimed.code() != StatusCode::kUnavailable) {
      return Status(claimed.code(), "claim partitions: " + claimed.message());
    }
    if (attempt == 1 || attempt % 10 == 0) spdlog::warn("claiming partitions waits for the broker: {}", claimed.message());
  }
}

// One partition's restore, on a worker thread: only thread-safe things
// (metrics, logs, the heartbeat, the store) are touched here; what the
// processor must learn is handed back to the service's thread.
Result<RestoreResult> RestoreOne(const PartitionRestoreContext& c, int32_t partition) {
  RestoreOptions options;
  options.clock = &c.clock;
  options.interrupted = [&c] {
    c.health.Beat();
    return StopRequested(c);
  };
  auto progress = [&c, partition](int64_t read, int64_t total) {
    c.metrics.RestoreRemaining(partition).Set(static_cast<double>(total - read));
    spdlog::info("restoring partition {}: {} of {} changelog records", partition, read, total);
  };
  options.on_unavailable = [&c, partition](const Status& why, int64_t waits, std::chrono::milliseconds down) {
    c.metrics.RestoreRetries(partition).Increment();
    spdlog::warn("restoring partition {}: waiting for the broker ({} s so far, wait {}; not ready): {}", partition,
                 down.count() / 1000, waits, why.message());
  };
  options.on_corrupt = [&c, partition](int64_t offset, const Status& why) {
    c.metrics.ChangelogCorruptRecords(partition).Increment();
    spdlog::error("restoring partition {}: corrupt changelog record at offset {}: {}", partition, offset,
                  why.message());
  };
  return c.restorer(partition, c.store, progress, options);
}

// Restores the partitions on up to state.restore_threads threads, each
// taking the next partition not yet started; a stop request ends the
// taking. Every partition's result, in partition order (none for those
// never started).
std::map<int32_t, Result<RestoreResult>> RestoreAll(const PartitionRestoreContext& c,
                                                    const std::set<int32_t>& partitions) {
  const std::vector<int32_t> order(partitions.begin(), partitions.end());
  std::vector<std::optional<Result<RestoreResult>>> results(order.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < order.size() && !StopRequested(c); i = next++) {
      results[i] = RestoreOne(c, order[i]);
      if (results[i]->ok() && (*results[i])->interrupted) break;
    }
  };
  const size_t threads =
      std::min<size_t>(order.size(), static_cast<size_t>(std::max<int64_t>(1, c.config.state.restore_threads)));
  std::vector<std::thread> workers;
  for (size_t t = 1; t < threads; ++t) workers.emplace_back(work);
  work();  // this thread is one of them
  for (std::thread& worker : workers) worker.join();
  std::map<int32_t, Result<RestoreResult>> by_partition;
  for (size_t i = 0; i < order.size(); ++i) {
    if (results[i]) by_partition.emplace(order[i], std::move(*results[i]));
  }
  return by_partition;
}

Result<std::set<int32_t>> ClaimAndRestore(const PartitionRestoreContext& c, const std::set<int32_t>& partitions) {
  RETURN_IF_ERROR(Claim(c, partitions));
  std::map<int32_t, Result<RestoreResult>> restored = RestoreAll(c, partitions);
  std::set<int32_t> unrestored = partitions;
  for (auto& [partition, result] : restored) {
    if (!result.ok()) {
      return Status(result.status().code(),
                    "restore partition " + std::to_string(partition) + ": " + result.status().message());
    }
    c.metrics.RestoredRecords(partition).Increment(static_cast<double>(result->records));
    if (result->interrupted) {
      spdlog::info("restore of partition {} interrupted by the stop request after {} records", partition,
                   result->records);
      continue;
    }
    unrestored.erase(partition);
    c.metrics.RestoreRemaining(partition).Set(0);
    LogRestored(c, partition, *result);
    c.processor.ScheduleChangelogRewrite(partition, std::move(result->keys_to_rewrite));
  }
  return unrestored;
}

}  // namespace

Result<std::set<int32_t>> RestorePartitions(const PartitionRestoreContext& context,
                                            const std::set<int32_t>& partitions) {
  if (partitions.empty()) return std::set<int32_t>();
  // Not ready until every new partition is restored. A stop request ends the
  // restore at once: what it applied is durable with its checkpoint, and the
  // partitions not restored are left out of the assignment, so nothing is
  // processed on partial state and the loop stops as usual.
  context.health.restoring.store(true);
  Result<std::set<int32_t>> unrestored = ClaimAndRestore(context, partitions);
  context.health.restoring.store(false);
  return unrestored;
}

}  // namespace crm::pipeline

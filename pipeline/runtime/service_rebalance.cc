// Service: what happens when partitions are assigned, revoked or lost, and
// when a commit finds the instance fenced (service_impl.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <string>

#include "pipeline/runtime/metric_series.h"
#include "pipeline/runtime/service_impl.h"

namespace crm::pipeline {

Status Service::Impl::AssignFromStore(std::vector<AssignedPartition>& partitions) {
  std::set<int32_t> numbers;
  for (const AssignedPartition& p : partitions) {
    if (KindOf(p.topic) < 0) continue;
    RegisterPartitionSeries(metrics, p.partition);
    numbers.insert(p.partition);
  }
  for (const auto& [kind, partition] : assigned) numbers.erase(partition);  // ours already
  // State first: a partition that moved here resumes from the offsets its
  // restored state reached.
  if (config.state.changelog) {
    ASSIGN_OR_RETURN(std::set<int32_t> unrestored,
                     RestorePartitions({config, metrics, health, clock, *processor, *store, restorer, stop}, numbers));
    std::erase_if(partitions, [&](const AssignedPartition& p) {
      return unrestored.count(p.partition) > 0 && KindOf(p.topic) >= 0;
    });
  }
  int resumed = 0;
  for (AssignedPartition& p : partitions) {
    int kind = KindOf(p.topic);
    if (kind < 0) continue;
    ASSIGN_OR_RETURN(std::optional<int64_t> stored, store->NextOffset(TopicPartitionKey{p.topic, p.partition}));
    // Without a stored position the partition's state is rebuilt from the
    // start of the log, whatever Kafka's group offset says.
    p.offset = stored ? *stored : kSourceOffsetBeginning;
    merger.Assign(p.partition, kind);
    if (stored) {
      next_unreceived[{kind, p.partition}] = *stored;
    } else {
      next_unreceived.erase({kind, p.partition});  // the log's start, once known
    }
    assigned.insert({kind, p.partition});
    resumed += stored ? 1 : 0;
    spdlog::debug("assigned {} [{}] from offset {}", p.topic, p.partition,
                  stored ? std::to_string(*stored) : std::string("beginning"));
  }
  const int count = static_cast<int>(partitions.size());
  spdlog::info("assigned {} input partitions: {} resume from stored offsets, {} start from the beginning", count,
               resumed, count - resumed);
  return Status::Ok();
}

void Service::Impl::OnAssigned(std::vector<AssignedPartition>& partitions) {
  metrics.Rebalances("assigned").Increment();
  rejoining_after_fence = false;
  // The claims and restores below use the sink and the store on their own.
  Status s = Settle(/*wait=*/true);
  if (s.code() == StatusCode::kFenced) {
    spdlog::warn("fenced while settling a commit before an assignment: {}", s.message());
    s = processor->DropCachedState();
  }
  if (s.ok()) s = AssignFromStore(partitions);
  if (!s.ok() && fatal.ok()) fatal = s;
  health.assigned.store(!assigned.empty());
  metrics.assigned_partitions().Set(static_cast<double>(assigned.size()));
  PublishOwned();
}

void Service::Impl::OnRevoked(const std::vector<TopicPartitionKey>& partitions, bool lost) {
  // Make what was processed durable before another instance takes over
  // (unless the service is stopping because something failed: then the
  // next owner replays from the last commit).
  received_keys.clear();  // they point into buffers dropped below
  // Partitions lost (the session expired: another instance may own them
  // already) or taken from a fenced instance are not committed: their
  // uncommitted outputs are aborted and the next owner replays.
  metrics.Rebalances(lost ? "lost" : "revoked").Increment();
  if (lost || rejoining_after_fence) {
    spdlog::warn("{} input partitions {}: uncommitted work dropped, outputs aborted", partitions.size(),
                 lost ? "lost (session expired)" : "given up after fencing");
    processor->AbandonCommit();  // the committer is done with the sink after this
    Status aborted = sink->Abort(kFlushSliceMs);
    // The state is dropped below either way, and the next owner replays
    // from the last commit: an abort that fails only leaves outputs that a
    // read_committed reader never sees (the transaction times out).
    if (!aborted.ok()) spdlog::warn("aborting the outputs of the revoked partitions: {}", aborted.message());
  } else if (!stopping_after_error) {
    Status s = CommitAndSettle();
    if (s.code() == StatusCode::kFenced) {
      spdlog::warn("fenced while committing before a revoke: {}", s.message());
    } else if (!s.ok() && fatal.ok()) {
      fatal = s;
    }
  }
  for (const TopicPartitionKey& tp : partitions) {
    int kind = KindOf(tp.topic);
    if (kind < 0) continue;
    merger.Revoke(tp.partition, kind);
    last_input.erase(tp.partition);
    next_unreceived.erase({kind, tp.partition});
    assigned.erase({kind, tp.partition});
    paused.erase({kind, tp.partition});
  }
  spdlog::info("revoked {} input partitions{}", partitions.size(), stopping_after_error ? "" : " after committing");
  Status dropped = processor->DropCachedState();
  if (!dropped.ok() && fatal.ok()) fatal = dropped;
  health.assigned.store(!assigned.empty());
  metrics.assigned_partitions().Set(static_cast<double>(assigned.size()));
  PublishOwned();
}

Status Service::Impl::RejoinIfFenced(Status status) {
  if (status.code() != StatusCode::kFenced) return status;
  spdlog::error("fenced: {}; uncommitted work dropped, rejoining the group", status.message());
  health.last_commit_ok.store(false);
  RETURN_IF_ERROR(processor->DropCachedState());
  merger.Clear();
  next_unreceived.clear();
  received_keys.clear();
  for (auto it = paused.begin(); it != paused.end();) {
    auto [kind, partition] = *it++;
    SetPaused(kind, partition, false);
  }
  last_input.clear();
  rejoining_after_fence = true;
  return source->Rejoin();
}

}  // namespace crm::pipeline

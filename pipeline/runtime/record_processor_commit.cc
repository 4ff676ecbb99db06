// RecordProcessor: the commit (record_processor.h), pipelined. The cut
// (CutEpoch) runs on the processor's thread: what the epoch's RocksDB batch
// and changelog records write is copied. The steps that complete it
// (CommitSteps: the changelog records, the acknowledgements, the markers,
// the batch) run on the committer's thread, and
// the processor collects them (Settle) before it cuts the next epoch, so
// epochs land in order and the stored state is always the result of a
// prefix of the epochs: a crash replays from the last one that landed.
#include <memory>
#include <utility>

#include "pipeline/runtime/record_processor.h"
#include "pipeline/state/population_codec.h"

namespace crm::pipeline {

Status RecordProcessor::Commit(int flush_timeout_ms) {
  RETURN_IF_ERROR(BeginCommit(flush_timeout_ms));
  return Settle(/*wait=*/true).status();
}

Status RecordProcessor::BeginCommit(int flush_timeout_ms) {
  RETURN_IF_ERROR(Settle(/*wait=*/true).status());
  if (uncommitted_records_ == 0 && pending_offsets_.empty()) return Status::Ok();
  return CutEpoch(flush_timeout_ms);
}

Status RecordProcessor::CutEpoch(int flush_timeout_ms) {
  // Copies, not pointers: the next epoch changes the cached states.
  auto epoch = std::make_unique<EpochSnapshot>();
  CommitBatch& batch = epoch->batch;
  EpochChanges& changes = epoch->changelog;
  // Reserved, so that the changelog's pointers into them stay valid.
  epoch->customers.reserve(customers_.dirty().size());
  batch.deleted_customers.reserve(customers_.dirty().size());
  if (changelog_) changes.customers.reserve(customers_.dirty().size());
  for (const auto& [id, customer] : customers_.dirty()) {
    if (customer->deleted) {
      batch.deleted_customers.push_back(*id);
      if (changelog_) changes.customers.push_back({customer->partition, &batch.deleted_customers.back(), nullptr});
    } else {
      auto& [kept_id, kept_state] = epoch->customers.emplace_back(*id, customer->state);
      if (changelog_) changes.customers.push_back({customer->partition, &kept_id, &kept_state});
    }
  }
  batch.customers.reserve(epoch->customers.size());
  for (const auto& [id, state] : epoch->customers) batch.customers.emplace_back(id, &state);
  batch.next_offsets = pending_offsets_;
  for (const auto& [segment, count] : segment_counts_) batch.counters[kSegmentCounterPrefix + segment] = count;
  batch.counters[kTimersPendingCounter] = timers_.pending();
  for (const auto& [partition, task] : tasks_) {
    if (task.dirty) batch.partition_data[partition] = EncodePartitionState(task.stored);
  }
  // Last to fail (it may read the store): until here the processor's state
  // is as it was, so a failed cut loses nothing.
  if (changelog_) RETURN_IF_ERROR(CutChangelog(*epoch));
  for (auto& [partition, task] : tasks_) task.dirty = false;
  batch.timers = timers_.changes();
  timers_.Cut();
  customers_.Cut();
  epoch->next_offsets = std::move(pending_offsets_);
  pending_offsets_.clear();
  uncommitted_records_ = 0;

  in_flight_ = std::move(epoch);
  outputs_.Hold();
  committer_.Start([this, epoch = in_flight_.get(), flush_timeout_ms] { return CommitSteps(*epoch, flush_timeout_ms); });
  return Status::Ok();
}

// The changelog's view of the epoch being cut (before pending_offsets_
// moves into it): what the committer's thread encodes and produces, so the
// processor's thread does not.
Status RecordProcessor::CutChangelog(EpochSnapshot& epoch) {
  EpochChanges& changes = epoch.changelog;
  changes.partitions = epoch.batch.partition_data;
  changes.offsets = committed_offsets_;
  for (const auto& [tp, offset] : pending_offsets_) {
    changes.offsets[tp] = offset;
    changes.consumed.push_back(tp.partition);
    // A partition that consumed input without a change still gets a data
    // record (changelog_epoch.cc): its state as of now.
    if (changes.partitions.count(tp.partition) || epoch.consumed_partition_data.count(tp.partition)) continue;
    auto task = tasks_.find(tp.partition);
    if (task != tasks_.end()) {
      epoch.consumed_partition_data[tp.partition] = EncodePartitionState(task->second.stored);
    } else {
      ASSIGN_OR_RETURN(epoch.consumed_partition_data[tp.partition], store_.PartitionData(tp.partition));
    }
  }
  changes.partition_data = [&epoch](int32_t partition) -> Result<std::optional<std::string>> {
    auto it = epoch.consumed_partition_data.find(partition);
    if (it == epoch.consumed_partition_data.end()) return std::optional<std::string>();
    return it->second;
  };
  // Rewrites scheduled since the last cut (nothing was in flight then).
  for (auto& [partition, keys] : pending_rewrites_) changelog_->ScheduleRewrite(partition, std::move(keys));
  pending_rewrites_.clear();
  return Status::Ok();
}

// On the committer's thread. While it runs, the processor's thread leaves
// sink_, changelog_ and the snapshot alone (its outputs are held) and only
// reads the store, which RocksDB allows.
Status RecordProcessor::CommitSteps(EpochSnapshot& epoch, int flush_timeout_ms) {
  if (changelog_) {
    // The epoch's changelog records go out with its outputs, in the same
    // transaction, before the state batch (changelog_epoch.h); once per
    // commit, however often these steps are retried.
    RETURN_IF_ERROR(changelog_->ProduceEpoch(epoch.changelog));
    RETURN_IF_ERROR(changelog_->Complete(flush_timeout_ms));
  }
  Status flushed = sink_.Flush(flush_timeout_ms);
  if (!flushed.ok()) return Status(flushed.code(), "commit: outputs not acknowledged: " + flushed.message());
  if (changelog_) epoch.batch.changelog_checkpoints = changelog_->Checkpoints();
  RETURN_IF_ERROR(store_.Commit(epoch.batch));
  if (changelog_) changelog_->Committed();
  return Status::Ok();
}

Result<bool> RecordProcessor::Settle(bool wait) {
  if (!in_flight_) return false;
  // Not acknowledged in time last time (broker slow or away): the same
  // steps again; the changelog epoch knows what it already produced.
  if (!committer_.in_flight()) committer_.Retry();
  std::optional<Status> done = committer_.Poll();
  if (!done && !wait) return false;
  Status status = done ? std::move(*done) : committer_.Wait();
  if (status.code() == StatusCode::kUnavailable) return wait ? Result<bool>(status) : Result<bool>(false);
  if (!status.ok()) {
    AbandonCommit();
    return status;
  }
  RETURN_IF_ERROR(Landed());
  return true;
}

Status RecordProcessor::Landed() {
  committer_.Clear();
  timers_.Landed();
  customers_.Landed();
  for (const auto& [tp, offset] : in_flight_->next_offsets) committed_offsets_[tp] = offset;
  in_flight_.reset();
  const double wall_ms = static_cast<double>(clock_.WallMs());
  for (const auto& [partition, task] : tasks_) {
    if (task.stored.watermark_ms != INT64_MIN) {
      metrics_.WatermarkLag(partition).Set((wall_ms - static_cast<double>(task.stored.watermark_ms)) / 1000.0);
    }
  }
  metrics_.timers_pending().Set(static_cast<double>(timers_.pending()));
  metrics_.hot_customers().Set(static_cast<double>(customers_.size()));
  // Into the transaction the commit began: the next epoch's outputs.
  return outputs_.Release();
}

void RecordProcessor::AbandonCommit() {
  committer_.Wait().IgnoreError();  // given up either way
  committer_.Clear();
  in_flight_.reset();
  outputs_.Discard();
}

Status RecordProcessor::DropCachedState() {
  AbandonCommit();
  // Positions of partitions that may now move on elsewhere: the store (or a
  // restore) knows them next time.
  committed_offsets_.clear();
  if (changelog_) changelog_->Reset();
  pending_rewrites_.clear();
  customers_.Clear();
  tasks_.clear();
  pending_offsets_.clear();
  timer_backlog_.clear();  // the stored watermark fires it again (TaskFor)
  uncommitted_records_ = 0;
  // Back to the committed counts of pending timers and customers per
  // segment: the replay counts its records again.
  return LoadCommittedCounters();
}

}  // namespace crm::pipeline

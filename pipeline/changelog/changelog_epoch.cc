#include "pipeline/changelog/changelog_epoch.h"

namespace crm::pipeline {
namespace {

// Offsets between two of this instance's changelog epochs that are not its
// own records: none, or one transaction control marker on a real cluster.
constexpr int64_t kMaxForeignOffsetsBetweenEpochs = 1;

// The changelog key of a partition's data record, with the partition: the
// rewrite and the changes of one epoch share a set of written keys.
std::string PartitionWriteKey(int32_t partition) { return ChangelogPartitionKey() + std::to_string(partition); }

}  // namespace

ChangelogEpochs::ChangelogEpochs(const std::string& topic, std::string epoch_prefix, RecordSink& sink,
                                 const StateStore& store)
    : writer_(topic, epoch_prefix), epoch_prefix_(std::move(epoch_prefix)), sink_(sink), store_(store) {}

Status ChangelogEpochs::Claim(const std::set<int32_t>& partitions, int timeout_ms) {
  if (partitions.empty()) return Status::Ok();
  for (int32_t partition : partitions) {
    if (claims_pending_.count(partition)) continue;  // produced by an earlier call, waiting for its ack
    for (const OutputRecord& record : writer_.Claim(partition, epoch_prefix_)) {
      RETURN_IF_ERROR(sink_.Produce(record));
    }
    claims_pending_.insert(partition);
  }
  RETURN_IF_ERROR(sink_.Flush(timeout_ms));
  claims_pending_.clear();
  return Status::Ok();
}

bool ChangelogEpochs::ScheduleRewrite(int32_t partition, std::set<std::string> keys) {
  if (keys.empty()) return false;
  rewrites_[partition].merge(keys);
  return true;
}

Status ChangelogEpochs::Produce(const OutputRecord& record) {
  auto [it, first] = epoch_writes_.try_emplace(record.partition);
  if (first) it->second.previous_last = sink_.LastDeliveredOffset(writer_.topic(), record.partition);
  ++it->second.records;
  return sink_.Produce(record);
}

Status ChangelogEpochs::ProduceRewrites(const std::set<std::string>& written, std::set<int32_t>& marked) {
  for (const auto& [partition, keys] : rewrites_) {
    marked.insert(partition);
    for (const std::string& key : keys) {
      const ChangelogKey parsed = ParseChangelogKey(key);
      const std::string body(parsed.body);
      // One record per key and epoch: a key this epoch writes anyway is
      // written with its newest value below. Timer keys (of an older
      // writer) need no rewrite: restore derives timers from customers.
      if (parsed.kind == ChangelogKeyKind::kCustomer) {
        if (written.count(key)) continue;
        ASSIGN_OR_RETURN(auto state, store_.Get(body));
        RETURN_IF_ERROR(Produce(writer_.Customer(partition, body, state ? &*state : nullptr)));
      } else if (parsed.kind == ChangelogKeyKind::kPartition) {
        if (written.count(PartitionWriteKey(partition))) continue;
        ASSIGN_OR_RETURN(auto data, store_.PartitionData(partition));
        OutputRecord r = writer_.Partition(partition, data.value_or(""));
        r.tombstone = !data.has_value();
        RETURN_IF_ERROR(Produce(r));
      }
    }
  }
  return Status::Ok();
}

Result<std::set<int32_t>> ChangelogEpochs::ProduceData(const EpochChanges& changes) {
  std::set<int32_t> marked;
  epoch_writes_.clear();
  // Epoch ids are the run ("<prefix><run>.") and a sequence number: a marker
  // vouches for every earlier epoch of its run (changelog_record.h).
  writer_.NextEpoch(epoch_prefix_ + std::to_string(run_) + "." + std::to_string(++epoch_seq_));
  // The keys the changes write, so that rewrites skip them (rare: only
  // after a restore found unfinished epochs).
  std::set<std::string> written;
  if (!rewrites_.empty()) {
    for (const EpochChanges::Customer& customer : changes.customers) {
      if (customer.partition >= 0) written.insert(ChangelogCustomerKey(*customer.id));
    }
    for (const auto& [partition, data] : changes.partitions) written.insert(PartitionWriteKey(partition));
  }
  RETURN_IF_ERROR(ProduceRewrites(written, marked));
  // A re-armed timer is no record of its own: the customer's record carries
  // its pending check (changelog_record.h).
  for (const EpochChanges::Customer& customer : changes.customers) {
    if (customer.partition < 0) continue;
    marked.insert(customer.partition);
    RETURN_IF_ERROR(Produce(writer_.Customer(customer.partition, *customer.id, customer.state)));
  }
  for (const auto& [partition, data] : changes.partitions) {
    marked.insert(partition);
    RETURN_IF_ERROR(Produce(writer_.Partition(partition, data)));
  }
  for (int32_t partition : changes.consumed) {
    if (!marked.insert(partition).second) continue;
    // Input consumed without a state change (dead letters, duplicates):
    // still one data record, so that the ownership check has a record of
    // this epoch to count from.
    ASSIGN_OR_RETURN(std::optional<std::string> data, changes.partition_data(partition));
    OutputRecord r = writer_.Partition(partition, data.value_or(""));
    r.tombstone = !data.has_value();
    RETURN_IF_ERROR(Produce(r));
  }
  offsets_ = changes.offsets;
  return marked;
}

Status ChangelogEpochs::CheckOwnership() const {
  for (const auto& [partition, writes] : epoch_writes_) {
    std::optional<int64_t> last = sink_.LastDeliveredOffset(writer_.topic(), partition);
    if (!writes.previous_last || !last) continue;  // nothing of ours there to count from
    // Offsets in (previous last, last] that are not this epoch's records:
    // at most one transaction control marker when nobody else writes. A new
    // owner's claim alone is two records (changelog.h).
    const int64_t others = *last - *writes.previous_last - writes.records;
    if (others > kMaxForeignOffsetsBetweenEpochs) {
      return Status(StatusCode::kFenced,
                    "changelog " + writer_.topic() + " [" + std::to_string(partition) + "] has " +
                        std::to_string(others) + " record(s) of another writer between offsets " +
                        std::to_string(*writes.previous_last) + " and " + std::to_string(*last) +
                        ": another instance owns the partition now");
    }
  }
  return Status::Ok();
}

Status ChangelogEpochs::Prepare(const std::function<EpochChanges()>& changes, int flush_timeout_ms) {
  // The changelog records go out with the outputs, in the same flush (or
  // transaction), before the state batch: a state that reaches RocksDB is
  // always in the changelog too. A retried commit writes them again under a
  // new epoch; restore applies each complete epoch, so repeats are harmless.
  // Produced once per commit: a retry after a flush timeout waits for the
  // same records. The epoch markers go out only after every output and data
  // record of the epoch is acknowledged: a restore applies an epoch when its
  // marker is there, and then nothing of the epoch may be missing.
  if (!data_produced_) RETURN_IF_ERROR(ProduceEpoch(changes()));
  return Complete(flush_timeout_ms);
}

Status ChangelogEpochs::ProduceEpoch(const EpochChanges& changes) {
  if (data_produced_) return Status::Ok();
  ASSIGN_OR_RETURN(marked_, ProduceData(changes));
  data_produced_ = true;
  return Status::Ok();
}

Status ChangelogEpochs::Complete(int flush_timeout_ms) {
  if (markers_produced_) return Status::Ok();
  Status acked = sink_.AwaitDelivery(flush_timeout_ms);
  if (!acked.ok()) return Status(acked.code(), "commit: outputs not acknowledged: " + acked.message());
  // A zombie (paused past its session, its partitions taken over) must not
  // complete an epoch: the new owner wrote its claim to the changelog
  // first, so records after ours mean someone else owns the partition.
  // The epoch is given up, its outputs aborted; the caller rejoins.
  Status owned = CheckOwnership();
  if (owned.code() == StatusCode::kFenced) {
    Status aborted = sink_.Abort(flush_timeout_ms);
    // Fenced either way: the caller drops its state and rejoins, and a
    // transaction that could not be aborted times out unseen.
    if (!aborted.ok()) return Status(StatusCode::kFenced, owned.message() + " (abort: " + aborted.message() + ")");
    return owned;
  }
  RETURN_IF_ERROR(owned);
  for (int32_t partition : marked_) RETURN_IF_ERROR(sink_.Produce(writer_.Marker(partition, offsets_)));
  markers_produced_ = true;
  return Status::Ok();
}

std::map<int32_t, int64_t> ChangelogEpochs::Checkpoints() const {
  std::map<int32_t, int64_t> checkpoints;
  for (int32_t partition : marked_) {
    if (auto last = sink_.LastDeliveredOffset(writer_.topic(), partition)) checkpoints[partition] = *last + 1;
  }
  return checkpoints;
}

void ChangelogEpochs::Committed() {
  rewrites_.clear();
  data_produced_ = false;
  markers_produced_ = false;
}

void ChangelogEpochs::Reset() {
  Committed();
  // The epoch in progress may have records and no marker: the next epoch
  // starts a new run, so that its marker does not vouch for this one.
  ++run_;
  claims_pending_.clear();
}

}  // namespace crm::pipeline

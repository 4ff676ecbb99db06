#include "pipeline/changelog/changelog.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "pipeline/changelog/restore_batch.h"
#include "pipeline/changelog/restore_wait.h"

namespace crm::pipeline {
namespace {

using SteadyTime = Clock::SteadyTime;
using std::chrono::milliseconds;

constexpr int64_t kProgressEvery = 100'000;

std::optional<std::string_view> HeaderValue(const rd_kafka_message_t* m, const char* name) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  if (value == nullptr) return std::string_view();
  return std::string_view(static_cast<const char*>(value), size);
}

std::optional<std::string_view> KeyOf(const rd_kafka_message_t* m) {
  if (m->key == nullptr) return std::nullopt;
  return std::string_view(static_cast<const char*>(m->key), m->key_len);
}

std::optional<std::string_view> ValueOf(const rd_kafka_message_t* m) {
  if (m->payload == nullptr) return std::nullopt;
  return std::string_view(static_cast<const char*>(m->payload), m->len);
}


enum class ReadEnd { kDone, kStopped, kInterrupted };

// Reads `partition` of `topic` from `from` up to `high` (exclusive), calling
// `visit` for every record. kStopped when `visit` said so (its status not
// ok, with kCorruption meaning "stop reading" rather than failure).
Result<ReadEnd> ReadRange(rd_kafka_t* consumer, const std::string& topic, int32_t partition, int64_t from,
                          int64_t high, BrokerWait& wait, const RestoreOptions& options,
                          const std::function<bool(const rd_kafka_message_t&)>& visit) {
  TopicPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = from;
  rd_kafka_resp_err_t err = rd_kafka_assign(consumer, list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::IoError("assign changelog: " + KafkaErrorText(err));
  auto last_record = wait.clock().Steady();
  for (;;) {
    if (wait.Interrupted()) return ReadEnd::kInterrupted;
    rd_kafka_message_t* raw = rd_kafka_consumer_poll(consumer, static_cast<int>(kRestoreCheckEvery.count()));
    if (raw == nullptr) {
      // No record for a while: the broker is away (or slow). librdkafka keeps
      // reconnecting and fetching by itself.
      const auto quiet = wait.clock().Steady() - last_record;
      if (quiet >= options.stall_after &&
          !wait.Report(Status::Unavailable(
              "no changelog records for " + std::to_string(std::chrono::duration_cast<milliseconds>(quiet).count()) +
              " ms"),
          last_record)) {
        return ReadEnd::kInterrupted;
      }
      continue;
    }
    OwnedMessage m(raw);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return ReadEnd::kDone;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (!IsTransientKafkaError(m->err)) {
        return Status::IoError("read changelog: " + std::string(rd_kafka_message_errstr(m.get())));
      }
      if (!wait.Report(Status::Unavailable(rd_kafka_message_errstr(m.get())), last_record)) {
        return ReadEnd::kInterrupted;
      }
      continue;
    }
    wait.Answered();
    last_record = wait.clock().Steady();
    if (!visit(*m)) return ReadEnd::kStopped;
    if (m->offset >= high - 1) return ReadEnd::kDone;
  }
}

struct PendingEpoch {
  std::vector<RestoredRecord> records;
  std::vector<std::string> corrupt_keys;  // changelog keys of its corrupt records
  std::string corruption;                 // the epoch's first corrupt record, empty when none

  // The changelog keys to rewrite if the epoch never completes.
  void TakeKeys(std::set<std::string>& keys) {
    for (const RestoredRecord& r : records) keys.insert(r.customer ? ChangelogCustomerKey(r.key) : ChangelogPartitionKey());
    for (std::string& key : corrupt_keys) keys.insert(std::move(key));
  }
};

using PendingEpochs = std::map<std::string, PendingEpoch, std::less<>>;

// The sequence number of pending epoch `id` in `marker`'s run; nullopt when
// it is of another run (or the marker is a bare 'm', which has none).
std::optional<int64_t> SeqInRun(std::string_view id, const ChangelogRecord& marker) {
  constexpr size_t kMaxSeqDigits = 18;
  if (marker.epoch_seq < 0 || !id.starts_with(marker.key)) return std::nullopt;
  const std::string_view digits = id.substr(marker.key.size());
  if (digits.empty() || digits.size() > kMaxSeqDigits) return std::nullopt;
  int64_t seq = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + (c - '0');
  }
  return seq;
}

// Whether pending epoch `id` is a later one of `marker`'s run (it stays
// pending: its own marker is still to come).
bool SameRun(std::string_view id, const ChangelogRecord& marker) {
  const std::optional<int64_t> seq = SeqInRun(id, marker);
  return seq && *seq > marker.epoch_seq;
}

// Takes out of `pending` the epochs `marker` completes, in sequence order:
// a bare 'm' completes its own epoch; a run's marker every epoch of the run
// up to its own.
std::vector<PendingEpoch> TakeCompleted(PendingEpochs& pending, const ChangelogRecord& marker) {
  std::vector<PendingEpoch> completed;
  if (marker.epoch_seq < 0) {
    if (auto it = pending.find(marker.epoch); it != pending.end()) {
      completed.push_back(std::move(it->second));
      pending.erase(it);
    }
    return completed;
  }
  std::map<int64_t, PendingEpochs::iterator> in_run;
  for (auto it = pending.lower_bound(marker.key); it != pending.end() && it->first.starts_with(marker.key); ++it) {
    const std::optional<int64_t> seq = SeqInRun(it->first, marker);
    if (seq && *seq <= marker.epoch_seq) in_run.emplace(*seq, it);
  }
  for (auto& [seq, it] : in_run) {
    completed.push_back(std::move(it->second));
    pending.erase(it);
  }
  return completed;
}

}  // namespace

Result<RestoreResult> RestoreChangelogPartition(const KafkaProperties& properties, const std::string& topic,
                                                int32_t partition, StateStore& store,
                                                const std::function<void(int64_t, int64_t)>& progress,
                                                const RestoreOptions& options) {
  const SystemClock system_clock;
  const Clock& clock = options.clock != nullptr ? *options.clock : system_clock;
  const auto started = clock.Steady();
  RestoreResult result;
  auto finish = [&]() -> Result<RestoreResult> {
    result.seconds = std::chrono::duration<double>(clock.Steady() - started).count();
    return std::move(result);
  };
  ASSIGN_OR_RETURN(std::optional<int64_t> checkpoint, store.ChangelogCheckpoint(partition));

  KafkaProperties props = AssignedReaderProperties(properties, "crmstream-restore");
  // Reconnect soon after an outage (librdkafka's default backs off up to
  // 10 s): while a restore waits, the partition is not ready.
  props.try_emplace("reconnect.backoff.max.ms", "1000");
  ASSIGN_OR_RETURN(KafkaConf conf, MakeKafkaConf(props));
  ASSIGN_OR_RETURN(KafkaHandle consumer, MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(conf)));
  BrokerWait wait(options, result, clock);

  int64_t low = 0, high = 0;
  for (;;) {
    if (wait.Interrupted()) {
      result.interrupted = true;
      return finish();
    }
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), partition, &low,
                                                                     &high, options.query_timeout_ms);
    if (err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
      return finish();  // no changelog yet: nothing to restore
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (!IsTransientKafkaError(err)) {
      return Status::Unavailable("changelog " + topic + " [" + std::to_string(partition) + "]: " + KafkaErrorText(err));
    }
    if (!wait.Wait(Status::Unavailable("end offsets of " + topic + " [" + std::to_string(partition) +
                                       "]: " + KafkaErrorText(err)))) {
      result.interrupted = true;
      return finish();
    }
  }
  wait.Answered();
  const int64_t from = std::max(low, checkpoint.value_or(0));
  if (from >= high) return finish();
  spdlog::info("restoring partition {} from {} offsets {} to {}", partition, topic, from, high);

  PendingEpochs pending;  // epoch id -> its records so far
  // The epoch of the previous record: most records follow one of their own.
  PendingEpoch* current = nullptr;
  std::string_view current_epoch;
  auto epoch_of = [&](std::string_view epoch) -> PendingEpoch& {
    if (current == nullptr || epoch != current_epoch) {
      auto it = pending.find(epoch);
      if (it == pending.end()) it = pending.emplace(std::string(epoch), PendingEpoch{}).first;
      current = &it->second;
      current_epoch = it->first;
    }
    return *current;
  };
  // Completed epochs, written together once they are big enough.
  RestoreBatch batch(partition, store);
  // The latest claim's owner: from a claim on, only its epochs count. (From
  // a checkpoint, the writer of the checkpoint owned the partition until the
  // next claim.)
  std::optional<std::string> owner;
  const int64_t total = high - from;
  auto abandon = [&](PendingEpochs::iterator it) {
    if (&it->second == current) current = nullptr;
    it->second.TakeKeys(result.keys_to_rewrite);
    return pending.erase(it);
  };
  Status failed;  // an infrastructure failure inside `visit`
  auto unusable = [&](int64_t offset, const std::string& why) {
    result.rebuild_from_input = true;
    result.rebuild_reason = "offset " + std::to_string(offset) + ": " + why;
    return false;
  };
  auto visit = [&](const rd_kafka_message_t& m) {
    ++result.records;
    if (progress && result.records % kProgressEvery == 0) progress(result.records, total);
    const std::optional<std::string_view> key = KeyOf(&m);
    const std::optional<std::string_view> epoch = HeaderValue(&m, kEpochHeader);
    Result<ChangelogRecord> decoded = DecodeChangelogRecord(partition, key, ValueOf(&m), epoch);
    if (!decoded.ok()) {
      ++result.corrupt_records;
      if (options.on_corrupt) options.on_corrupt(m.offset, decoded.status());
      // A corrupt record of a known epoch spoils that epoch (if it ever
      // completes); a corrupt marker, or a record that names no epoch, leaves
      // no way to know what the changelog says.
      const bool marker = key && ParseChangelogKey(*key).kind == ChangelogKeyKind::kMarker;
      if (marker || !epoch || epoch->empty() || epoch->size() > kMaxChangelogEpochBytes) {
        return unusable(m.offset, decoded.status().message());
      }
      PendingEpoch& spoiled = epoch_of(*epoch);
      if (spoiled.corruption.empty()) spoiled.corruption = decoded.status().message();
      spoiled.corrupt_keys.emplace_back(*key);
      return true;
    }
    ChangelogRecord& record = *decoded;
    switch (record.kind) {
      case ChangelogRecord::Kind::kForeign:
      case ChangelogRecord::Kind::kTimer:  // an older writer's: the customer's record says the same
        return true;
      case ChangelogRecord::Kind::kClaim:
        if (owner != record.value) {
          owner.emplace(*record.value);
          // Epochs begun by the previous owner can no longer complete.
          for (auto other = pending.begin(); other != pending.end();) {
            other = other->first.rfind(*owner, 0) == 0 ? std::next(other) : abandon(other);
          }
        }
        return true;
      case ChangelogRecord::Kind::kMarker: {
        if (owner && !record.epoch.starts_with(*owner)) {
          // A zombie's epoch: it lost the partition before completing it.
          ++result.fenced_epochs;
          auto zombie = pending.find(record.epoch);
          if (zombie != pending.end()) abandon(zombie);
          return true;
        }
        // The epochs the marker completes, in their order: its own and, a
        // run's marker, every earlier epoch of the run still pending (a
        // compacted topic keeps only the run's newest marker).
        std::vector<PendingEpoch> completed = TakeCompleted(pending, record);
        current = nullptr;
        // Epochs of other runs begun before this one completed and never
        // will: their runs' newest markers came before.
        for (auto other = pending.begin(); other != pending.end();) {
          other = SameRun(other->first, record) ? std::next(other) : abandon(other);
        }
        std::vector<RestoredRecord> records;
        for (PendingEpoch& epoch : completed) {
          if (!epoch.corruption.empty()) {
            return unusable(m.offset, "epoch " + std::string(record.epoch) +
                                          " completes an epoch that holds a corrupt record: " + epoch.corruption);
          }
          if (records.empty()) {
            records = std::move(epoch.records);
          } else {
            std::move(epoch.records.begin(), epoch.records.end(), std::back_inserter(records));
          }
        }
        std::map<TopicPartitionKey, int64_t> offsets;
        for (const auto& [name, next] : record.marker.next_offsets) offsets[TopicPartitionKey{name, partition}] = next;
        batch.AddEpoch(std::move(records), offsets, m.offset + 1);
        result.epochs += std::max<int64_t>(1, static_cast<int64_t>(completed.size()));
        if (batch.Full()) {
          failed = batch.Write();
          if (!failed.ok()) return false;
        }
        return true;
      }
      case ChangelogRecord::Kind::kCustomer:
      case ChangelogRecord::Kind::kPartition:
        break;
    }
    RestoredRecord restored;
    restored.customer = record.kind == ChangelogRecord::Kind::kCustomer;
    restored.key.assign(record.key);
    if (record.value) restored.value.emplace(*record.value);
    restored.next_check_ms = record.next_check_ms;
    epoch_of(record.epoch).records.push_back(std::move(restored));
    return true;
  };
  ASSIGN_OR_RETURN(ReadEnd end, ReadRange(consumer.get(), topic, partition, from, high, wait, options, visit));
  RETURN_IF_ERROR(failed);
  // The epochs completed so far are durable, however the read ended.
  RETURN_IF_ERROR(batch.Write());
  if (end == ReadEnd::kInterrupted) {
    result.interrupted = true;
    return finish();
  }
  if (!result.rebuild_from_input) {
    for (auto it = pending.begin(); it != pending.end();) it = abandon(it);
    return finish();
  }

  // Rebuild from input: forget everything stored for the partition. Its
  // customers are those its changelog partition names, from the beginning.
  spdlog::warn("changelog {} [{}] is unusable at {}; dropping the partition's state to rebuild it from its input",
               topic, partition, result.rebuild_reason);
  std::set<std::string> customers;
  auto collect = [&](const rd_kafka_message_t& m) {
    const std::optional<std::string_view> key = KeyOf(&m);
    if (!key) return true;
    if (const ChangelogKey k = ParseChangelogKey(*key); k.kind == ChangelogKeyKind::kCustomer && !k.body.empty()) {
      customers.emplace(k.body);
    }
    return true;
  };
  ASSIGN_OR_RETURN(end, ReadRange(consumer.get(), topic, partition, low, high, wait, options, collect));
  if (end == ReadEnd::kInterrupted) {
    // The epochs applied before the corruption stay, with their checkpoint:
    // the next restore meets the same corruption and decides again.
    result.interrupted = true;
    return finish();
  }
  RETURN_IF_ERROR(store.DropPartition(partition, std::vector<std::string>(customers.begin(), customers.end())));
  result.keys_to_rewrite.clear();
  return finish();
}

}  // namespace crm::pipeline

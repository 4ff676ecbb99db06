#include "pipeline/changelog.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "pipeline/state_codec.h"

namespace crm::pipeline {
namespace {

using SteadyTime = Clock::SteadyTime;
using std::chrono::milliseconds;

// How often a waiting restore looks at RestoreOptions::interrupted.
constexpr milliseconds kCheckEvery{500};
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

// Errors that mean "the broker is away or busy; the client retries": the
// restore waits them out. Anything else stops it.
bool IsTransient(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__NODE_UPDATE:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
      return true;
    default:
      return false;
  }
}

// Waiting for the broker: bounded exponential back-off, interruptible, and
// reported through RestoreOptions.
class BrokerWait {
 public:
  BrokerWait(const RestoreOptions& options, RestoreResult& result, const Clock& clock)
      : options_(options), result_(result), clock_(clock), delay_(options.first_backoff) {}

  const Clock& clock() const { return clock_; }

  bool Interrupted() const { return options_.interrupted && options_.interrupted(); }

  // Reports `why` and sleeps one back-off step before the caller tries
  // again; false when interrupted meanwhile.
  bool Wait(const Status& why) {
    const auto until = clock_.Steady() + delay_;
    Note(why);
    for (;;) {
      if (Interrupted()) return false;
      const auto left = until - clock_.Steady();
      if (left <= SteadyTime::duration::zero()) return true;
      std::this_thread::sleep_for(std::min<SteadyTime::duration>(left, kCheckEvery));
    }
  }

  // For a reader that keeps polling (librdkafka reconnects by itself, and a
  // poll is a wait): reports `why` on the same back-off schedule, without
  // sleeping; false when interrupted.
  // `since`: when the broker was last heard from.
  bool Report(const Status& why, SteadyTime since) {
    if (!since_) since_ = since;
    if (!next_report_ || clock_.Steady() >= *next_report_) {
      next_report_ = clock_.Steady() + delay_;
      Note(why);
    }
    return !Interrupted();
  }

  // The broker answered: the next outage starts from the first back-off again.
  void Answered() {
    if (since_) {
      const double waited = std::chrono::duration<double>(clock_.Steady() - *since_).count();
      result_.unavailable_seconds += waited;
      spdlog::info("changelog reachable again after {:.1f} s", waited);
    }
    since_.reset();
    next_report_.reset();
    delay_ = options_.first_backoff;
  }

 private:
  void Note(const Status& why) {
    const auto now = clock_.Steady();
    if (!since_) since_ = now;
    ++result_.unavailable_waits;
    if (options_.on_unavailable) {
      options_.on_unavailable(why, result_.unavailable_waits, std::chrono::duration_cast<milliseconds>(now - *since_));
    }
    delay_ = std::min(delay_ * 2, options_.max_backoff);
  }

  const RestoreOptions& options_;
  RestoreResult& result_;
  const Clock& clock_;
  milliseconds delay_;
  std::optional<SteadyTime> since_;        // unreachable since
  std::optional<SteadyTime> next_report_;  // Report()'s schedule
};

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
    rd_kafka_message_t* raw = rd_kafka_consumer_poll(consumer, static_cast<int>(kCheckEvery.count()));
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
      if (!IsTransient(m->err)) {
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
  std::vector<RestoredMutation> mutations;
  std::vector<std::string> keys;  // changelog keys, to rewrite if the epoch never completes
  std::string corruption;         // the epoch's first corrupt record, empty when none
};

}  // namespace

OutputRecord ChangelogWriter::Record(int32_t partition, std::string key) const {
  OutputRecord r;
  r.topic = topic_;
  r.partition = partition;
  r.key = std::move(key);
  r.headers = {{kEpochHeader, epoch_}};
  return r;
}

std::vector<OutputRecord> ChangelogWriter::Claim(int32_t partition, const std::string& owner) const {
  std::vector<OutputRecord> records;
  for (int part = 1; part <= kChangelogClaimRecords; ++part) {
    OutputRecord r = Record(partition, ChangelogClaimKey(owner, part));
    r.headers = {{kEpochHeader, owner}};
    r.value = owner;
    records.push_back(std::move(r));
  }
  return records;
}

OutputRecord ChangelogWriter::Customer(int32_t partition, const std::string& id,
                                       const operators::CustomerState* state) const {
  OutputRecord r = Record(partition, ChangelogCustomerKey(id));
  if (state == nullptr) {
    r.tombstone = true;
  } else {
    EncodeState(*state, r.value);
  }
  return r;
}

OutputRecord ChangelogWriter::Timer(int32_t partition, const std::string& timer_key_bytes, bool present) const {
  OutputRecord r = Record(partition, ChangelogTimerKey(timer_key_bytes));
  r.tombstone = !present;
  return r;
}

OutputRecord ChangelogWriter::Partition(int32_t partition, const std::string& encoded_partition_state) const {
  OutputRecord r = Record(partition, ChangelogPartitionKey());
  r.value = encoded_partition_state;
  return r;
}

OutputRecord ChangelogWriter::Marker(int32_t partition, const std::map<TopicPartitionKey, int64_t>& next_offsets) const {
  ChangelogMarker marker;
  for (const auto& [tp, offset] : next_offsets) {
    if (tp.partition == partition) marker.next_offsets[tp.topic] = offset;
  }
  OutputRecord r = Record(partition, ChangelogMarkerKey());
  r.value = EncodeChangelogMarker(marker);
  return r;
}

Status EnsureChangelogTopic(rd_kafka_t* client, const std::string& input_topic, const std::string& changelog,
                            int timeout_ms) {
  const rd_kafka_metadata_t* metadata = nullptr;
  // All topics: asking for one by name could auto-create it with the
  // broker's default partition count.
  if (rd_kafka_metadata(client, 1, nullptr, &metadata, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Ok();
  }
  int inputs = -1, existing = -1;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    if (input_topic == t.topic) inputs = t.partition_cnt;
    if (changelog == t.topic) existing = t.partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  if (inputs <= 0) return Status::Ok();  // no inputs yet: nothing to match
  if (existing >= inputs) return Status::Ok();
  if (existing > 0) {
    return Status::InvalidArgument("changelog topic '" + changelog + "' has " + std::to_string(existing) +
                                   " partitions, fewer than the " + std::to_string(inputs) + " of '" + input_topic +
                                   "': recreate it with " + std::to_string(inputs) +
                                   " partitions and cleanup.policy=compact");
  }
  char error[256];
  rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(changelog.c_str(), inputs, -1, error, sizeof error);
  if (topic == nullptr) return Status::InvalidArgument("changelog topic '" + changelog + "': " + error);
  rd_kafka_NewTopic_set_config(topic, "cleanup.policy", "compact");
  rd_kafka_queue_t* queue = rd_kafka_queue_new(client);
  rd_kafka_CreateTopics(client, &topic, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, timeout_ms);
  Status status = Status::Ok();
  if (event != nullptr && rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // E.g. the embedded broker, which has no CreateTopics: producing will
    // auto-create the topic with the broker's default partition count.
    spdlog::warn("could not create changelog topic '{}' ({}); create it compacted with {} partitions", changelog,
                 rd_kafka_event_error_string(event), inputs);
  } else if (event != nullptr) {
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
    size_t n = 0;
    const rd_kafka_topic_result_t** results = result ? rd_kafka_CreateTopics_result_topics(result, &n) : nullptr;
    if (n == 1 && rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_NO_ERROR &&
        rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      status = Status::IoError("create changelog topic '" + changelog +
                               "': " + rd_kafka_err2str(rd_kafka_topic_result_error(results[0])));
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(topic);
  return status;
}

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
    if (!IsTransient(err)) {
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

  std::map<std::string, PendingEpoch> pending;  // epoch id -> its records so far
  // The latest claim's owner: from a claim on, only its epochs count. (From
  // a checkpoint, the writer of the checkpoint owned the partition until the
  // next claim.)
  std::optional<std::string> owner;
  const int64_t total = high - from;
  auto abandon = [&](std::map<std::string, PendingEpoch>::iterator it) {
    for (std::string& key : it->second.keys) result.keys_to_rewrite.insert(std::move(key));
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
      PendingEpoch& spoiled = pending[std::string(*epoch)];
      if (spoiled.corruption.empty()) spoiled.corruption = decoded.status().message();
      spoiled.keys.emplace_back(*key);
      return true;
    }
    ChangelogRecord& record = *decoded;
    switch (record.kind) {
      case ChangelogRecord::Kind::kForeign:
        return true;
      case ChangelogRecord::Kind::kClaim:
        if (owner != record.value) {
          owner = std::move(record.value);
          // Epochs begun by the previous owner can no longer complete.
          for (auto other = pending.begin(); other != pending.end();) {
            other = other->first.rfind(*owner, 0) == 0 ? std::next(other) : abandon(other);
          }
        }
        return true;
      case ChangelogRecord::Kind::kMarker: {
        if (owner && record.epoch.rfind(*owner, 0) != 0) {
          // A zombie's epoch: it lost the partition before completing it.
          ++result.fenced_epochs;
          auto zombie = pending.find(record.epoch);
          if (zombie != pending.end()) abandon(zombie);
          return true;
        }
        auto it = pending.find(record.epoch);
        PendingEpoch completed;
        if (it != pending.end()) {
          completed = std::move(it->second);
          pending.erase(it);
        }
        // Epochs begun before this one completed and never will.
        for (auto other = pending.begin(); other != pending.end();) other = abandon(other);
        if (!completed.corruption.empty()) {
          return unusable(m.offset, "epoch " + record.epoch + " is complete but holds a corrupt record: " +
                                        completed.corruption);
        }
        std::map<TopicPartitionKey, int64_t> offsets;
        for (const auto& [name, next] : record.marker.next_offsets) offsets[TopicPartitionKey{name, partition}] = next;
        failed = store.ApplyRestored(partition, completed.mutations, offsets, m.offset + 1);
        if (!failed.ok()) return false;
        ++result.epochs;
        return true;
      }
      case ChangelogRecord::Kind::kCustomer:
      case ChangelogRecord::Kind::kTimer:
      case ChangelogRecord::Kind::kPartition:
        break;
    }
    RestoredMutation mutation;
    mutation.family = record.kind == ChangelogRecord::Kind::kCustomer ? RestoredMutation::Family::kCustomer
                      : record.kind == ChangelogRecord::Kind::kTimer  ? RestoredMutation::Family::kTimer
                                                                      : RestoredMutation::Family::kPartition;
    mutation.key = std::move(record.key);
    mutation.value = std::move(record.value);
    PendingEpoch& epoch_records = pending[record.epoch];
    epoch_records.mutations.push_back(std::move(mutation));
    epoch_records.keys.emplace_back(*key);
    return true;
  };
  ASSIGN_OR_RETURN(ReadEnd end, ReadRange(consumer.get(), topic, partition, from, high, wait, options, visit));
  RETURN_IF_ERROR(failed);
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

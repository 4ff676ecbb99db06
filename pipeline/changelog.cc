#include "pipeline/changelog.h"

#include <librdkafka/rdkafka.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <vector>

#include "pipeline/state_codec.h"

namespace crm::pipeline {
namespace {

constexpr char kCustomerKey = 'c';
constexpr char kTimerKey = 't';
constexpr char kPartitionKey = 'p';
constexpr char kMarkerKey = 'm';

std::string HeaderValue(const rd_kafka_message_t* m, const char* name) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return "";
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) return "";
  return std::string(static_cast<const char*>(value), size);
}

struct PendingEpoch {
  std::vector<RestoredMutation> mutations;
  std::vector<std::string> keys;  // changelog keys, to rewrite if the epoch never completes
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

OutputRecord ChangelogWriter::Customer(int32_t partition, const std::string& id,
                                       const operators::CustomerState* state) const {
  OutputRecord r = Record(partition, kCustomerKey + id);
  if (state == nullptr) {
    r.tombstone = true;
  } else {
    EncodeState(*state, r.value);
  }
  return r;
}

OutputRecord ChangelogWriter::Timer(int32_t partition, const std::string& timer_key_bytes, bool present) const {
  OutputRecord r = Record(partition, kTimerKey + timer_key_bytes);
  r.tombstone = !present;
  return r;
}

OutputRecord ChangelogWriter::Partition(int32_t partition, const std::string& encoded_partition_state) const {
  OutputRecord r = Record(partition, std::string(1, kPartitionKey));
  r.value = encoded_partition_state;
  return r;
}

OutputRecord ChangelogWriter::Marker(int32_t partition, const std::map<TopicPartitionKey, int64_t>& next_offsets) const {
  nlohmann::json offsets = nlohmann::json::object();
  for (const auto& [tp, offset] : next_offsets) {
    if (tp.partition == partition) offsets[tp.topic] = offset;
  }
  OutputRecord r = Record(partition, std::string(1, kMarkerKey));
  r.value = nlohmann::json{{"offsets", offsets}}.dump();
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
                                                const std::function<void(int64_t, int64_t)>& progress) {
  const auto started = std::chrono::steady_clock::now();
  RestoreResult result;
  ASSIGN_OR_RETURN(std::optional<int64_t> checkpoint, store.ChangelogCheckpoint(partition));

  // A plain assigned reader, not a group member.
  KafkaProperties props = ConsumerProperties(properties);
  props.erase("group.instance.id");
  props.erase("partition.assignment.strategy");
  props["enable.auto.commit"] = "false";
  props["enable.partition.eof"] = "true";
  props["isolation.level"] = "read_committed";
  props.try_emplace("group.id", "crmstream-restore");
  ASSIGN_OR_RETURN(KafkaConf conf, MakeKafkaConf(props));
  ASSIGN_OR_RETURN(KafkaHandle consumer, MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(conf)));

  int64_t low = 0, high = 0;
  rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), partition, &low, &high, 30'000);
  if (err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    return result;  // no changelog yet: nothing to restore
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("changelog " + topic + " [" + std::to_string(partition) + "]: " + KafkaErrorText(err));
  }
  const int64_t from = std::max(low, checkpoint.value_or(0));
  if (from >= high) {
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
  }
  TopicPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = from;
  err = rd_kafka_assign(consumer.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::IoError("assign changelog: " + KafkaErrorText(err));

  std::map<std::string, PendingEpoch> pending;  // epoch id -> its records so far
  const int64_t total = high - from;
  auto abandon = [&](std::map<std::string, PendingEpoch>::iterator it) {
    for (std::string& key : it->second.keys) result.keys_to_rewrite.insert(std::move(key));
    return pending.erase(it);
  };
  Status failed;
  for (bool done = false; !done;) {
    rd_kafka_message_t* raw = rd_kafka_consumer_poll(consumer.get(), 1000);
    if (raw == nullptr) continue;
    OwnedMessage m(raw);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;
    if (m->err == RD_KAFKA_RESP_ERR__TRANSPORT) continue;  // the client reconnects by itself
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::IoError("read changelog: " + std::string(rd_kafka_message_errstr(m.get())));
    }
    ++result.records;
    if (progress && result.records % 100'000 == 0) progress(result.records, total);
    done = m->offset >= high - 1;
    if (m->key_len == 0) continue;
    const std::string key(static_cast<const char*>(m->key), m->key_len);
    const std::string epoch = HeaderValue(m.get(), kEpochHeader);
    std::optional<std::string> value;
    if (m->payload != nullptr) value.emplace(static_cast<const char*>(m->payload), m->len);
    if (key[0] == kMarkerKey) {
      auto it = pending.find(epoch);
      std::vector<RestoredMutation> mutations;
      if (it != pending.end()) {
        mutations = std::move(it->second.mutations);
        pending.erase(it);
      }
      // Epochs begun before this one completed and never will.
      for (auto other = pending.begin(); other != pending.end();) other = abandon(other);
      std::map<TopicPartitionKey, int64_t> offsets;
      auto marker = nlohmann::json::parse(value.value_or(""), nullptr, false);
      if (marker.is_discarded() || !marker.contains("offsets") || !marker["offsets"].is_object()) {
        return Status::Corruption("changelog marker at offset " + std::to_string(m->offset) + " is not valid");
      }
      for (const auto& [name, next] : marker["offsets"].items()) {
        offsets[TopicPartitionKey{name, partition}] = next.get<int64_t>();
      }
      RETURN_IF_ERROR(store.ApplyRestored(partition, mutations, offsets, m->offset + 1));
      ++result.epochs;
      continue;
    }
    RestoredMutation mutation;
    if (key[0] == kCustomerKey) {
      mutation.family = RestoredMutation::Family::kCustomer;
    } else if (key[0] == kTimerKey) {
      mutation.family = RestoredMutation::Family::kTimer;
    } else if (key[0] == kPartitionKey) {
      mutation.family = RestoredMutation::Family::kPartition;
    } else {
      continue;  // not ours
    }
    mutation.key = key.substr(1);
    mutation.value = std::move(value);
    PendingEpoch& epoch_records = pending[epoch];
    epoch_records.mutations.push_back(std::move(mutation));
    epoch_records.keys.push_back(key);
  }
  for (auto it = pending.begin(); it != pending.end();) it = abandon(it);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace crm::pipeline

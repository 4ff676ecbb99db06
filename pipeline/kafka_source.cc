#include "pipeline/kafka_source.h"

#include <spdlog/spdlog.h>

namespace crm::pipeline {
namespace {

void DestroyMessage(void* message) { rd_kafka_message_destroy(static_cast<rd_kafka_message_t*>(message)); }

bool Cooperative(rd_kafka_t* consumer) {
  return std::string(rd_kafka_rebalance_protocol(consumer)) == "COOPERATIVE";
}

TopicPartitionList OneTopicPartition(const TopicPartitionKey& partition) {
  TopicPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), partition.topic.c_str(), partition.partition);
  return list;
}

// An error of a call that hands back an rd_kafka_error_t, as text (and freed).
std::optional<std::string> TakeError(rd_kafka_error_t* error) {
  if (error == nullptr) return std::nullopt;
  std::string text = rd_kafka_error_string(error);
  rd_kafka_error_destroy(error);
  return text;
}

}  // namespace

Result<std::unique_ptr<KafkaSource>> KafkaSource::Create(const config::Config& config) {
  KafkaProperties props = ConsumerProperties(config.kafka);
  props.try_emplace("client.id", config.runtime.instance_id);
  props["group.id"] = config.runtime.group_id;
  props["enable.auto.commit"] = "false";
  props["enable.auto.offset.store"] = "false";
  props["enable.partition.eof"] = "true";
  props.try_emplace("auto.offset.reset", "earliest");
  // Range assignment gives one instance the same partition number of every
  // input topic, which the per-partition merge relies on.
  props.try_emplace("partition.assignment.strategy", "range");
  props.try_emplace("isolation.level", "read_committed");
  std::unique_ptr<KafkaSource> source(new KafkaSource());
  ASSIGN_OR_RETURN(KafkaConf conf, MakeKafkaConf(props));
  rd_kafka_conf_set_opaque(conf.get(), source.get());
  rd_kafka_conf_set_rebalance_cb(
      conf.get(), [](rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                     void* opaque) { static_cast<KafkaSource*>(opaque)->OnRebalance(err, partitions); });
  ASSIGN_OR_RETURN(source->consumer_, MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(conf)));
  rd_kafka_resp_err_t err = rd_kafka_poll_set_consumer(source->consumer_.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::IoError("consumer queue: " + KafkaErrorText(err));
  return source;
}

KafkaSource::~KafkaSource() = default;

Status KafkaSource::Subscribe(const std::vector<std::string>& topics, RebalanceListener* listener) {
  listener_ = listener;
  subscription_.reset(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const std::string& topic : topics) {
    rd_kafka_topic_partition_list_add(subscription_.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), subscription_.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::IoError("subscribe: " + KafkaErrorText(err));
  return Status::Ok();
}

Status KafkaSource::Rejoin() {
  rd_kafka_resp_err_t err = rd_kafka_unsubscribe(consumer_.get());
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = rd_kafka_subscribe(consumer_.get(), subscription_.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::IoError("rejoin after fencing: " + KafkaErrorText(err));
  return Status::Ok();
}

std::optional<SourceRecord> KafkaSource::Poll(int timeout_ms) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), timeout_ms);
  if (m == nullptr) return std::nullopt;
  SourceRecord record;
  record.storage = std::unique_ptr<void, void (*)(void*)>(m, DestroyMessage);
  if (m->rkt != nullptr) record.topic = rd_kafka_topic_name(m->rkt);
  record.partition = m->partition;
  record.offset = m->offset;
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    record.type = SourceRecord::Type::kPartitionEnd;
    return record;
  }
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    record.type = SourceRecord::Type::kError;
    record.error = rd_kafka_message_errstr(m);
    return record;
  }
  if (m->key != nullptr) record.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) record.value = std::string_view(static_cast<const char*>(m->payload), m->len);
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  record.timestamp_ms = rd_kafka_message_timestamp(m, &type);
  record.timestamp_type = type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? RecordTimestampType::kLogAppendTime
                          : type == RD_KAFKA_TIMESTAMP_CREATE_TIME  ? RecordTimestampType::kCreateTime
                                                                    : RecordTimestampType::kNone;
  return record;
}

void KafkaSource::Pause(const TopicPartitionKey& partition) {
  TopicPartitionList list = OneTopicPartition(partition);
  // A partition not (or no longer) assigned cannot be paused: nothing to do.
  rd_kafka_resp_err_t err = rd_kafka_pause_partitions(consumer_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) spdlog::debug("pause {} [{}]: {}", partition.topic, partition.partition, KafkaErrorText(err));
}

void KafkaSource::Resume(const TopicPartitionKey& partition) {
  TopicPartitionList list = OneTopicPartition(partition);
  rd_kafka_resp_err_t err = rd_kafka_resume_partitions(consumer_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) spdlog::debug("resume {} [{}]: {}", partition.topic, partition.partition, KafkaErrorText(err));
}

void KafkaSource::CommitOffsets(const std::map<TopicPartitionKey, int64_t>& next_offsets) {
  if (next_offsets.empty()) return;
  TopicPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size())));
  for (const auto& [tp, offset] : next_offsets) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = offset;
  }
  // Advisory only (lag tools); the state store holds the positions we resume from.
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer_.get(), list.get(), /*async=*/1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) spdlog::debug("advisory offset commit failed: {}", KafkaErrorText(err));
}

std::optional<LogExtent> KafkaSource::Extent(const TopicPartitionKey& partition) {
  int64_t low = 0, high = 0;
  if (rd_kafka_get_watermark_offsets(consumer_.get(), partition.topic.c_str(), partition.partition, &low, &high) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    return std::nullopt;
  }
  return LogExtent{low, high};
}

void KafkaSource::Close() {
  if (closed_) return;
  closed_ = true;
  // Leaves the group; the revoke goes through the listener first.
  rd_kafka_resp_err_t err = rd_kafka_consumer_close(consumer_.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) spdlog::warn("leaving the group: {}", KafkaErrorText(err));
}

void KafkaSource::OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    std::vector<AssignedPartition> assigned;
    for (int i = 0; i < partitions->cnt; ++i) {
      assigned.push_back({partitions->elems[i].topic, partitions->elems[i].partition, partitions->elems[i].offset});
    }
    if (listener_ != nullptr) listener_->OnAssigned(assigned);
    // What the listener kept, at the offsets it chose.
    TopicPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(assigned.size())));
    for (const AssignedPartition& p : assigned) {
      rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition)->offset = p.offset;
    }
    if (std::optional<std::string> error = ChangeAssignment(list.get(), /*add=*/true); error && listener_ != nullptr) {
      listener_->OnSourceError(Status::IoError("assign: " + *error));
    }
    return;
  }
  std::vector<TopicPartitionKey> revoked;
  for (int i = 0; i < partitions->cnt; ++i) revoked.push_back({partitions->elems[i].topic, partitions->elems[i].partition});
  const bool lost = rd_kafka_assignment_lost(consumer_.get()) != 0;
  if (listener_ != nullptr) listener_->OnRevoked(revoked, lost);
  // The service has already let the partitions go (committed or dropped);
  // an unassign the client refuses leaves nothing of ours behind, and the
  // group's next rebalance replaces the assignment anyway: logged only.
  if (std::optional<std::string> error = ChangeAssignment(partitions, /*add=*/false)) {
    spdlog::warn("unassign after a revoke: {}", *error);
  }
}

std::optional<std::string> KafkaSource::ChangeAssignment(rd_kafka_topic_partition_list_t* partitions, bool add) {
  // Cooperative: add or remove these partitions. Eager: the whole new
  // assignment (none after a revoke).
  if (Cooperative(consumer_.get())) {
    return TakeError(add ? rd_kafka_incremental_assign(consumer_.get(), partitions)
                         : rd_kafka_incremental_unassign(consumer_.get(), partitions));
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(consumer_.get(), add ? partitions : nullptr);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaErrorText(err);
  return std::nullopt;
}

}  // namespace crm::pipeline

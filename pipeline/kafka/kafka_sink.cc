#include "pipeline/kafka/kafka_sink.h"

#include <algorithm>
#include <iterator>

namespace crm::pipeline {

namespace {

constexpr int kProducesPerPoll = 64;

// Takes ownership of a librdkafka error object and turns it into a Status:
// retriable errors are Unavailable (call again), others IoError.
Status FromKafkaError(rd_kafka_error_t* error, const std::string& what) {
  if (error == nullptr) return Status::Ok();
  Status s(rd_kafka_error_is_retriable(error) ? StatusCode::kUnavailable : StatusCode::kIoError,
           what + ": " + rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
  return s;
}

constexpr int kInitTransactionsTimeoutMs = 30000;

}  // namespace

Result<std::unique_ptr<KafkaSink>> KafkaSink::Create(KafkaProperties properties,
                                                     const std::string& transactional_id,
                                                     const std::map<std::string, TopicCompression>& topic_codecs) {
  if (!transactional_id.empty()) properties["transactional.id"] = transactional_id;
  properties.try_emplace("enable.idempotence", "true");
  properties.try_emplace("partitioner", "murmur2_random");
  properties.try_emplace("linger.ms", "5");
  properties.try_emplace("queue.buffering.max.messages", "1000000");
  properties.try_emplace("compression.type", "lz4");
  ASSIGN_OR_RETURN(KafkaConf conf, MakeKafkaConf(properties));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaSink::OnDelivery);
  // The opaque is set after construction; librdkafka copies the pointer.
  auto* raw_conf = conf.get();
  std::unique_ptr<KafkaSink> sink(new KafkaSink(nullptr));
  rd_kafka_conf_set_opaque(raw_conf, sink.get());
  ASSIGN_OR_RETURN(KafkaHandle producer, MakeKafkaClient(RD_KAFKA_PRODUCER, std::move(conf)));
  sink->producer_ = std::move(producer);
  for (const auto& [topic, codec] : topic_codecs) RETURN_IF_ERROR(sink->AddTopicCodec(topic, codec));
  if (!transactional_id.empty()) {
    // Also fences a previous incarnation with the same id, aborting its open
    // transaction.
    RETURN_IF_ERROR(FromKafkaError(
        rd_kafka_init_transactions(sink->producer_.get(), kInitTransactionsTimeoutMs), "init transactions"));
    RETURN_IF_ERROR(FromKafkaError(rd_kafka_begin_transaction(sink->producer_.get()), "begin transaction"));
    sink->transactional_ = true;
  }
  return sink;
}

Status KafkaSink::AddTopicCodec(const std::string& topic, const TopicCompression& compression) {
  if (topics_.count(topic) != 0) return Status::Ok();
  // A copy of the producer's topic defaults (the partitioner among them),
  // with only the codec and its level changed.
  rd_kafka_topic_conf_t* conf = rd_kafka_default_topic_conf_dup(producer_.get());
  char error[256];
  const std::string level = std::to_string(compression.level);
  if (rd_kafka_topic_conf_set(conf, "compression.codec", compression.codec.c_str(), error, sizeof error) !=
          RD_KAFKA_CONF_OK ||
      rd_kafka_topic_conf_set(conf, "compression.level", level.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
    rd_kafka_topic_conf_destroy(conf);
    return Status::InvalidArgument("compression of topic '" + topic + "': " + error);
  }
  rd_kafka_topic_t* handle = rd_kafka_topic_new(producer_.get(), topic.c_str(), conf);  // takes conf
  if (handle == nullptr) {
    return Status::InvalidArgument("topic '" + topic + "': " + KafkaErrorText(rd_kafka_last_error()));
  }
  topics_.emplace(topic, handle);
  return Status::Ok();
}

KafkaSink::~KafkaSink() {
  // An open transaction is left to be aborted by the next incarnation's
  // init_transactions (or the transaction timeout): its state was never
  // committed.
  if (producer_ && !transactional_) rd_kafka_flush(producer_.get(), 5000);
  for (auto& [name, handle] : topics_) rd_kafka_topic_destroy(handle);
}

void KafkaSink::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* sink = static_cast<KafkaSink*>(opaque);
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR && sink->first_error_ == RD_KAFKA_RESP_ERR_NO_ERROR) {
    sink->first_error_ = msg->err;
    sink->first_error_topic_ = rd_kafka_topic_name(msg->rkt);
  }
  // Records produced to an explicit partition carry a marker opaque.
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR && msg->_private != nullptr) {
    int64_t& last = sink->delivered_[{rd_kafka_topic_name(msg->rkt), msg->partition}];
    last = std::max(last, msg->offset);
  }
}

std::optional<int64_t> KafkaSink::LastDeliveredOffset(const std::string& topic, int32_t partition) const {
  auto it = delivered_.find({topic, partition});
  if (it == delivered_.end()) return std::nullopt;
  return it->second;
}

Status KafkaSink::Produce(const OutputRecord& record) {
  rd_kafka_headers_t* headers = nullptr;
  if (!record.headers.empty()) {
    headers = rd_kafka_headers_new(record.headers.size());
    for (const auto& [name, value] : record.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
  }
  // An explicit partition marks the record for offset tracking (opaque).
  static char tracked;
  const bool explicit_partition = record.partition >= 0;
  rd_kafka_vu_t args[8];
  auto own_codec = topics_.find(record.topic);
  if (own_codec != topics_.end()) {
    args[0].vtype = RD_KAFKA_VTYPE_RKT;
    args[0].u.rkt = own_codec->second;
  } else {
    args[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    args[0].u.cstr = record.topic.c_str();
  }
  args[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  args[1].u.i32 = explicit_partition ? record.partition : RD_KAFKA_PARTITION_UA;
  args[2].vtype = RD_KAFKA_VTYPE_KEY;
  args[2].u.mem = {record.null_key ? nullptr : const_cast<char*>(record.key.data()),
                   record.null_key ? 0 : record.key.size()};
  args[3].vtype = RD_KAFKA_VTYPE_VALUE;
  args[3].u.mem = {record.tombstone ? nullptr : const_cast<char*>(record.value.data()),
                   record.tombstone ? 0 : record.value.size()};
  args[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  args[4].u.i = RD_KAFKA_MSG_F_COPY;
  args[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
  args[5].u.ptr = explicit_partition ? &tracked : nullptr;
  args[6].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
  args[6].u.i64 = record.timestamp_ms;
  args[7].vtype = RD_KAFKA_VTYPE_HEADERS;
  args[7].u.headers = headers;
  for (;;) {
    rd_kafka_error_t* error = rd_kafka_produceva(producer_.get(), args, std::size(args));
    if (error == nullptr) break;
    const rd_kafka_resp_err_t err = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_.get(), 10);  // serve delivery reports, then retry
      continue;
    }
    if (headers != nullptr) rd_kafka_headers_destroy(headers);
    return Status::IoError("produce to '" + record.topic + "': " + KafkaErrorText(err));
  }
  // Delivery reports wait in their queue for a while: Flush and
  // AwaitDelivery serve them all, and a poll per record was a sixth of the
  // produce call's cost.
  if (++produced_since_poll_ >= kProducesPerPoll) {
    produced_since_poll_ = 0;
    rd_kafka_poll(producer_.get(), 0);
  }
  return Status::Ok();
}

Status KafkaSink::Abort(int timeout_ms) {
  if (on_abort_) on_abort_();
  if (transactional_) {
    RETURN_IF_ERROR(FromKafkaError(rd_kafka_abort_transaction(producer_.get(), timeout_ms), "abort transaction"));
    first_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
    return FromKafkaError(rd_kafka_begin_transaction(producer_.get()), "begin transaction");
  }
  rd_kafka_resp_err_t err = rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::IoError("abort: purge: " + KafkaErrorText(err));
  err = rd_kafka_flush(producer_.get(), timeout_ms);
  first_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;  // the purged records' reports
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Unavailable("abort: " + KafkaErrorText(err));
  return Status::Ok();
}

Status KafkaSink::CommitTransaction(int timeout_ms) {
  rd_kafka_error_t* error = rd_kafka_commit_transaction(producer_.get(), timeout_ms);
  if (error != nullptr && rd_kafka_error_txn_requires_abort(error)) {
    std::string reason = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    if (on_abort_) on_abort_();
    // The transaction's records will never be visible to read_committed
    // consumers; the caller stops without committing state, and the replay
    // after restart publishes them again.
    Status aborted = FromKafkaError(rd_kafka_abort_transaction(producer_.get(), timeout_ms), "abort");
    Status begun = aborted.ok() ? FromKafkaError(rd_kafka_begin_transaction(producer_.get()), "begin") : Status::Ok();
    // The caller stops either way; the message says whether the producer
    // was left without an open transaction too.
    const std::string also = !aborted.ok() ? "; " + aborted.message() : !begun.ok() ? "; " + begun.message() : "";
    return Status::IoError("transaction aborted: " + reason + also);
  }
  RETURN_IF_ERROR(FromKafkaError(error, "commit transaction"));
  return FromKafkaError(rd_kafka_begin_transaction(producer_.get()), "begin transaction");
}

Status KafkaSink::Flush(int timeout_ms) {
  if (transactional_) {
    Status committed = CommitTransaction(timeout_ms);
    if (first_error_ != RD_KAFKA_RESP_ERR_NO_ERROR && committed.ok()) first_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
    return committed;
  }
  return AwaitDelivery(timeout_ms);
}

Status KafkaSink::AwaitDelivery(int timeout_ms) {
  rd_kafka_resp_err_t err = rd_kafka_flush(producer_.get(), timeout_ms);
  if (first_error_ != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::string message = "delivery to '" + first_error_topic_ + "' failed: " +
                          KafkaErrorText(first_error_);
    first_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
    return Status::IoError(message);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("flush: " + KafkaErrorText(err) + " (" +
                               std::to_string(rd_kafka_outq_len(producer_.get())) +
                               " records still queued)");
  }
  return Status::Ok();
}

}  // namespace crm::pipeline

// pipeline/kafka/kafka_sink.h
//
// Publishes output records (alerts, segment changes, dead letters) with an
// idempotent librdkafka producer using the murmur2_random partitioner, so keys
// land where Java and kafkajs producers put them. Produce() only enqueues;
// Flush() waits until every enqueued record is acknowledged and reports the
// first delivery failure since the previous Flush. With a transactional id,
// records go out in Kafka transactions: Flush() commits the open transaction
// (so read_committed consumers of a real cluster see each commit's outputs
// once, or not at all) and begins the next. Topics can be given their own
// compression codec (outputs in gzip, which every client reads, while the
// changelog keeps the producer's default). One thread uses a sink.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "operators/status.h"
#include "pipeline/io/record_sink.h"
#include "pipeline/kafka/kafka_client.h"

namespace crm::pipeline {

// A topic's own compression: a librdkafka codec name and its level
// (-1: the codec's default).
struct TopicCompression {
  std::string codec;
  int64_t level = -1;
};

class KafkaSink : public RecordSink {
 public:
  // `properties` are the [kafka] table; producer settings crmstream relies on
  // (idempotence, partitioner) are added unless the user set them.
  // A non-empty `transactional_id` turns transactions on. `topic_codecs`
  // overrides compression.type (and its level) per topic.
  static Result<std::unique_ptr<KafkaSink>> Create(KafkaProperties properties,
                                                   const std::string& transactional_id = "",
                                                   const std::map<std::string, TopicCompression>& topic_codecs = {});
  ~KafkaSink() override;

  Status Produce(const OutputRecord& record) override;
  Status Flush(int timeout_ms) override;
  Status AwaitDelivery(int timeout_ms) override;
  std::optional<int64_t> LastDeliveredOffset(const std::string& topic, int32_t partition) const override;
  Status Abort(int timeout_ms) override;

  // Called (on the owning thread) each time outputs are given up: Abort(),
  // or a transaction whose commit the broker refused. For the metrics.
  void SetAbortListener(std::function<void()> listener) { on_abort_ = std::move(listener); }

 private:
  explicit KafkaSink(KafkaHandle producer) : producer_(std::move(producer)) {}
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  Status CommitTransaction(int timeout_ms);
  Status AddTopicCodec(const std::string& topic, const TopicCompression& compression);

  KafkaHandle producer_;
  // Topics with their own codec; destroyed before the producer.
  std::map<std::string, rd_kafka_topic_t*, std::less<>> topics_;
  bool transactional_ = false;
  // Written by the delivery callback, which runs inside rd_kafka_poll/flush on
  // the owning thread.
  rd_kafka_resp_err_t first_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string first_error_topic_;
  // (topic, partition) -> offset of the last acknowledged record produced
  // to an explicit partition.
  std::map<std::pair<std::string, int32_t>, int64_t> delivered_;
  std::function<void()> on_abort_;
  int produced_since_poll_ = 0;  // delivery reports are served every kProducesPerPoll records
};

}  // namespace crm::pipeline

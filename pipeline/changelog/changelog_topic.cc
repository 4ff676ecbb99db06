#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <string>

#include "pipeline/changelog/changelog.h"

namespace crm::pipeline {

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

}  // namespace crm::pipeline

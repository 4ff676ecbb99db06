#include "pipeline/kafka/kafka_client.h"

#include "pipeline/kafka/kafka_log.h"

namespace crm::pipeline {

void KafkaHandleDeleter::operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }

KafkaProperties ConsumerProperties(KafkaProperties properties) {
  for (const char* producer_only : {"enable.idempotence", "partitioner", "linger.ms", "queue.buffering.max.messages",
                                    "compression.type", "acks", "transactional.id"}) {
    properties.erase(producer_only);
  }
  return properties;
}

KafkaProperties AssignedReaderProperties(KafkaProperties properties, const std::string& group_id) {
  KafkaProperties props = ConsumerProperties(std::move(properties));
  props.erase("group.instance.id");
  props.erase("partition.assignment.strategy");
  props["enable.auto.commit"] = "false";
  props["enable.partition.eof"] = "true";
  props["isolation.level"] = "read_committed";
  props.try_emplace("group.id", group_id);
  return props;
}

KafkaProperties ProducerProperties(KafkaProperties properties) {
  for (const char* consumer_only : {"session.timeout.ms", "heartbeat.interval.ms", "group.instance.id",
                                    "auto.offset.reset", "isolation.level", "max.poll.interval.ms",
                                    "partition.assignment.strategy", "fetch.wait.max.ms", "fetch.min.bytes",
                                    "fetch.max.bytes", "max.partition.fetch.bytes", "queued.min.messages",
                                    "queued.max.messages.kbytes"}) {
    properties.erase(consumer_only);
  }
  return properties;
}

Result<KafkaConf> MakeKafkaConf(const KafkaProperties& properties) {
  KafkaConf conf(rd_kafka_conf_new());
  // librdkafka's own lines go through the service's logger and format.
  rd_kafka_conf_set_log_cb(conf.get(), &KafkaLogLine);
  char error[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), error, sizeof error) !=
        RD_KAFKA_CONF_OK) {
      return Status::InvalidArgument("kafka property '" + name + "': " + error);
    }
  }
  return conf;
}

Result<KafkaHandle> MakeKafkaClient(rd_kafka_type_t type, KafkaConf conf) {
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof error);
  if (rk == nullptr) return Status::InvalidArgument(std::string("kafka client: ") + error);
  conf.release();  // owned by rk now
  return KafkaHandle(rk);
}

std::string KafkaErrorText(rd_kafka_resp_err_t err) { return rd_kafka_err2str(err); }

std::string KafkaLibraryVersion() { return rd_kafka_version_str(); }

}  // namespace crm::pipeline

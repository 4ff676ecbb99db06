// pipeline/kafka/kafka_client.h
//
// The one adapter over librdkafka's C handles: RAII owners for rd_kafka_t and
// rd_kafka_conf_t, and construction of a configured client from a property
// map with librdkafka's errors turned into Status. Every other pipeline file
// that talks to Kafka gets its handle from here.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

#include "operators/status.h"

namespace crm::pipeline {

struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* rk) const;
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;

struct KafkaConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaConfDeleter>;

struct TopicPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using TopicPartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t, TopicPartitionListDeleter>;

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using OwnedMessage = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

using KafkaProperties = std::map<std::string, std::string>;

// The shared [kafka] table without the settings only the other kind of
// client takes (librdkafka warns about them): ConsumerProperties drops
// producer settings (those crmstream adds included), ProducerProperties
// drops consumer and group settings.
KafkaProperties ConsumerProperties(KafkaProperties properties);
KafkaProperties ProducerProperties(KafkaProperties properties);

// A plain assigned reader of a whole partition, not a group member:
// consumer properties without static membership or an assignor, no auto
// commit, end-of-partition events, read_committed (records of aborted
// transactions are never read), group.id `group_id` unless the user set one.
KafkaProperties AssignedReaderProperties(KafkaProperties properties, const std::string& group_id);

// A conf with every property of `properties` set; the message names the
// offending property when librdkafka rejects one.
Result<KafkaConf> MakeKafkaConf(const KafkaProperties& properties);

// Creates a client of `type` from `conf` (ownership of conf passes to it).
Result<KafkaHandle> MakeKafkaClient(rd_kafka_type_t type, KafkaConf conf);

// "Broker: Unknown topic" style text for an error code.
std::string KafkaErrorText(rd_kafka_resp_err_t err);

// The linked librdkafka's version, e.g. "2.0.2" (build-info metric).
std::string KafkaLibraryVersion();

}  // namespace crm::pipeline

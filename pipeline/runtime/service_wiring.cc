// Service::Create with the real parts: RocksDB, the Kafka producer and
// consumer, the changelog restore over Kafka. The one place they are wired.
#include <map>
#include <string>

#include "pipeline/changelog/changelog.h"
#include "pipeline/kafka/kafka_source.h"
#include "pipeline/runtime/service.h"

namespace crm::pipeline {

std::map<std::string, TopicCompression> OutputTopicCodecs(const config::Config& config) {
  std::map<std::string, TopicCompression> codecs;
  // -1 is gzip's fastest level, the others' own default (config.h).
  const int64_t level = config.output.compression_level == -1 && config.output.compression == "gzip"
                            ? 1
                            : config.output.compression_level;
  for (const std::string* topic : {&config.topics.churn_alerts, &config.topics.segment_changes,
                                   &config.topics.deadletter, &config.topics.rewards}) {
    codecs.emplace(*topic, TopicCompression{config.output.compression, level});
  }
  return codecs;
}

Result<ServiceParts> MakeKafkaServiceParts(const config::Config& config, Metrics& metrics) {
  ServiceParts parts;
  ASSIGN_OR_RETURN(parts.store, StateStore::Open(StateStoreOptions{
                                    config.state.dir, config::StoreBudgetBytes(config.state), false}));
  KafkaProperties producer_props = ProducerProperties(config.kafka);
  producer_props.try_emplace("client.id", config.runtime.instance_id);
  const std::string transactional_id =
      config.runtime.transactions ? config.runtime.group_id + "-" + config.runtime.instance_id : "";
  ASSIGN_OR_RETURN(std::unique_ptr<KafkaSink> sink,
                   KafkaSink::Create(producer_props, transactional_id, OutputTopicCodecs(config)));
  sink->SetAbortListener([&m = metrics] { m.aborted_transactions().Increment(); });
  parts.sink = std::move(sink);
  ASSIGN_OR_RETURN(std::unique_ptr<KafkaSource> source, KafkaSource::Create(config));
  if (config.state.changelog) {
    RETURN_IF_ERROR(EnsureChangelogTopic(source->handle(), config.topics.purchases, config.topics.changelog, 10'000));
  }
  parts.source = std::move(source);
  parts.restorer = [&config](int32_t partition, StateStore& store, const std::function<void(int64_t, int64_t)>& progress,
                             const RestoreOptions& options) {
    return RestoreChangelogPartition(config.kafka, config.topics.changelog, partition, store, progress, options);
  };
  return parts;
}

Result<std::unique_ptr<Service>> Service::Create(const config::Config& config, Metrics& metrics,
                                                 ServiceHealth& health, const Clock& clock) {
  return Create(config, metrics, health, clock, [&config, &metrics] { return MakeKafkaServiceParts(config, metrics); });
}

}  // namespace crm::pipeline

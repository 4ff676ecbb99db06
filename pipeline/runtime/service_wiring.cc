// Service::Create with the real parts: RocksDB, the Kafka producer and
// consumer, the changelog restore over Kafka. The one place they are wired.
#include <map>
#include <string>

#include "pipeline/changelog/changelog.h"
#include "pipeline/kafka/kafka_source.h"
#include "pipeline/runtime/service.h"

namespace crm::pipeline {

Result<ServiceParts> MakeKafkaServiceParts(const config::Config& config, Metrics& metrics) {
  ServiceParts parts;
  ASSIGN_OR_RETURN(parts.store, StateStore::Open(StateStoreOptions{
                                    config.state.dir, config::StoreBudgetBytes(config.state), false}));
  KafkaProperties producer_props = ProducerProperties(config.kafka);
  producer_props.try_emplace("client.id", config.runtime.instance_id);
  const std::string transactional_id =
      config.runtime.transactions ? config.runtime.group_id + "-" + config.runtime.instance_id : "";
  const std::map<std::string, std::string> output_codecs = {{config.topics.churn_alerts, config.output.compression},
                                                            {config.topics.segment_changes, config.output.compression},
                                                            {config.topics.deadletter, config.output.compression},
                                                            {config.topics.rewards, config.output.compression}};
  ASSIGN_OR_RETURN(std::unique_ptr<KafkaSink> sink, KafkaSink::Create(producer_props, transactional_id, output_codecs));
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

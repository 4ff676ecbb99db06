#include "bench/kafka_service.h"

#include <map>
#include <utility>

#include "pipeline/kafka/kafka_sink.h"

namespace crm::bench {

config::Config BenchConfig(const std::string& bootstrap, const std::string& state_dir, int64_t customers,
                           const std::string& group_id) {
  config::Config config;
  config.kafka["bootstrap.servers"] = bootstrap;
  config.state.dir = state_dir;
  config.state.cache_customers = customers + customers / 4;
  config.runtime.group_id = group_id;
  config.http.port = 0;
  return config;
}

Result<std::unique_ptr<pipeline::RecordSink>> CrmstreamProducer(const config::Config& config,
                                                                const std::string& transactional_id) {
  pipeline::KafkaProperties props = pipeline::ProducerProperties(config.kafka);
  props.try_emplace("client.id", config.runtime.instance_id);
  ASSIGN_OR_RETURN(std::unique_ptr<pipeline::KafkaSink> sink,
                   pipeline::KafkaSink::Create(props, transactional_id, pipeline::OutputTopicCodecs(config)));
  return std::unique_ptr<pipeline::RecordSink>(std::move(sink));
}

Result<std::unique_ptr<ObservedService>> CreateObservedService(const config::Config& config) {
  auto run = std::make_unique<ObservedService>();
  ObservedSink*& observed = run->sink;
  pipeline::Metrics& metrics = run->metrics;
  // crmstream run's own wiring, with its producer behind the observer.
  auto make_parts = [&config, &metrics, &observed]() -> Result<pipeline::ServiceParts> {
    ASSIGN_OR_RETURN(pipeline::ServiceParts parts, pipeline::MakeKafkaServiceParts(config, metrics));
    auto sink = std::make_unique<ObservedSink>(std::move(parts.sink));
    observed = sink.get();
    parts.sink = std::move(sink);
    return parts;
  };
  ASSIGN_OR_RETURN(run->service, pipeline::Service::Create(config, run->metrics, run->health, run->clock, make_parts));
  return run;
}

}  // namespace crm::bench

// bench/kafka_service.h
//
// crmstream's Service as `crmstream run` wires it (RocksDB, the transactional
// Kafka producer, the group consumer, the changelog topic and restore), with
// one difference: the producer sits behind an ObservedSink, so a benchmark
// can count what the service produced and time its commits. Also the config
// the end-to-end benchmarks run with: the defaults (transactions, timers,
// changelog on), a state directory, a customer cache that holds everyone.
#pragma once

#include <memory>
#include <string>

#include "bench/observed_sink.h"
#include "config/config.h"
#include "pipeline/io/clock.h"
#include "pipeline/observe/metrics.h"
#include "pipeline/observe/service_health.h"
#include "pipeline/runtime/service.h"

namespace crm::bench {

// The default config against `bootstrap`, state in `state_dir`, the cache
// sized for `customers`, consumer group `group_id`, no HTTP server.
config::Config BenchConfig(const std::string& bootstrap, const std::string& state_dir, int64_t customers,
                           const std::string& group_id);

// The service with what it runs with: metrics, the system clock, health,
// and its observed producer (owned by the service).
struct ObservedService {
  pipeline::Metrics metrics;
  pipeline::SystemClock clock;
  pipeline::ServiceHealth health{clock};
  ObservedSink* sink = nullptr;
  std::unique_ptr<pipeline::Service> service;
};

// `config` outlives the result.
Result<std::unique_ptr<ObservedService>> CreateObservedService(const config::Config& config);

// The producer crmstream uses (its properties, transactional id and per-topic
// codecs), for a reference that must produce the way crmstream does;
// `transactional_id` replaces crmstream's (empty: no transactions).
Result<std::unique_ptr<pipeline::RecordSink>> CrmstreamProducer(const config::Config& config,
                                                                const std::string& transactional_id);

}  // namespace crm::bench

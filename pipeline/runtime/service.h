// pipeline/runtime/service.h
//
// `crmstream run`: wires the consumer group, the deterministic input merger,
// the record processor (operators + state + outputs) and the commit cycle.
// The consumer's rebalance callback positions every assigned input partition
// at the offset stored in the state store (not Kafka's committed offset: the
// state store is the source of truth, see record_processor.h), and commits
// before giving partitions up. Kafka offsets are committed afterwards too, only
// so that standard lag tools see progress. Run() blocks on the calling thread
// until `stop` is set (or, with stop_at_end, all inputs are consumed).
// Model parameters (config model.params_file) are loaded by Create() and
// reloaded on request: a bad file at start is an InvalidArgument error, a bad
// file on reload keeps the parameters in use and logs why. The consumer, the
// producer, the state store and the changelog reader are ServiceParts: the
// real ones (Kafka, RocksDB) are wired by the first Create(), tests hand in
// fakes; time comes from the Clock.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "operators/status.h"
#include "pipeline/io/clock.h"
#include "pipeline/io/record_sink.h"
#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/io/record_source.h"
#include "pipeline/observe/metrics.h"
#include "pipeline/observe/service_health.h"
#include "pipeline/runtime/partition_restore.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {

struct RunOptions {
  // Exit once every assigned input partition is consumed to its end and
  // committed (batch replays, tests, benchmarks).
  bool stop_at_end = false;
  // Set (by SIGHUP) to reload the model parameters file at the next batch
  // boundary; the service clears it.
  std::atomic<bool>* reload_params = nullptr;
};

// What the service consumes from, produces to and keeps its state in.
struct ServiceParts {
  std::unique_ptr<StateStore> store;
  std::unique_ptr<RecordSink> sink;
  std::unique_ptr<RecordSource> source;
  ChangelogRestorer restorer;  // used with state.changelog
};

// The production parts (service_wiring.cc): RocksDB at state.dir, the Kafka
// producer (in transactions with runtime.transactions; aborts counted in
// `metrics`) and group consumer, the changelog topic made sure of and its
// restorer. Exposed so that a benchmark can wrap the sink and still run
// exactly what `crmstream run` runs. `config` and `metrics` outlive the parts.
Result<ServiceParts> MakeKafkaServiceParts(const config::Config& config, Metrics& metrics);

// The producer's compression for each output topic (output.compression at
// output.compression_level on every topic crmstream publishes to), as the
// service's producer uses it.
std::map<std::string, TopicCompression> OutputTopicCodecs(const config::Config& config);

class Service {
 public:
  // The production wiring: RocksDB at state.dir, a Kafka producer (in
  // transactions with runtime.transactions) and group consumer, and the
  // changelog topic made sure of (service_wiring.cc).
  static Result<std::unique_ptr<Service>> Create(const config::Config& config, Metrics& metrics,
                                                 ServiceHealth& health, const Clock& clock);
  // The same service on the parts `make_parts` builds, called once the
  // model parameters file proved good (so a bad one stops start-up before
  // any connection is made). `config`, `metrics`, `health` and `clock`
  // outlive the service.
  static Result<std::unique_ptr<Service>> Create(const config::Config& config, Metrics& metrics,
                                                 ServiceHealth& health, const Clock& clock,
                                                 const std::function<Result<ServiceParts>()>& make_parts);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Runs until `stop` becomes true; returns the first infrastructure error.
  Status Run(const RunOptions& options, const std::atomic<bool>& stop);

  // The state store, for read-only queries from other threads (HTTP).
  const StateStore& store() const;

  // GET /customers/{id}: the committed state with the model's view of it as
  // of the latest committed event time, using the parameters in use. Safe
  // from any thread.
  Result<std::optional<std::string>> CustomerProfile(const std::string& customer_id) const;
  StateStore& mutable_store();

  // GET /segments: the Markov view (segments_view.h) over the committed
  // data of the input partitions this instance owns now. Safe from any thread.
  Result<std::string> SegmentsReport() const;

 private:
  struct Impl;
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace crm::pipeline

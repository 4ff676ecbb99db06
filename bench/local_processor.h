// bench/local_processor.h
//
// A RecordProcessor without a broker, for the in-process benchmarks: a fresh
// RocksDB store at config.state.dir with config.state's memory budget, a
// NullSink (observed_sink.h) that drops every record and acknowledges it at
// the next flush, the system clock and metrics of its own. The processor is
// started (Start()) by Open. One thread.
#pragma once

#include <memory>

#include "bench/observed_sink.h"
#include "config/config.h"
#include "pipeline/observe/metrics.h"
#include "pipeline/runtime/record_processor.h"
#include "pipeline/state/state_store.h"

namespace crm::bench {

class LocalProcessor {
 public:
  // `config` outlives the result.
  static Result<std::unique_ptr<LocalProcessor>> Open(const config::Config& config);

  pipeline::RecordProcessor& processor() { return *processor_; }
  pipeline::StateStore& store() { return *store_; }
  const NullSink& sink() const { return sink_; }

 private:
  LocalProcessor() = default;
  std::unique_ptr<pipeline::StateStore> store_;
  pipeline::Metrics metrics_;
  NullSink sink_;
  pipeline::SystemClock clock_;
  std::unique_ptr<pipeline::RecordProcessor> processor_;  // destroyed before the store
};

}  // namespace crm::bench

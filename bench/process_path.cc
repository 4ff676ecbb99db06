// The processing path without a broker: a fixed, deterministic input through
// a RecordProcessor on a fresh RocksDB store, everything on as in the
// defaults (timers, changelog records, outputs), the records going to a
// NullSink (observed_sink.h) that drops them and acknowledges each commit.
// Input: `events` purchase events (~230 bytes of JSON, `spacing_ms` of event
// time apart: with the default 1 s, overdue checks of earlier customers fire
// during long runs) for `customers` customers, every customer once in order, then
// at random (fixed seed); customer c is keyed to input partition
// c % partitions; a commit every runtime.max_uncommitted_events records
// (events and fired overdue checks), as the service commits under load.
// The work on each chunk of input (decode, operators, state, timers, outputs,
// changelog, commit) happens inside ProcessChunk and nothing else does, so
// `bench/callgrind.sh` counts instructions in it alone (--toggle-collect) and
// divides by the events: a figure that does not depend on the machine's
// load. Run natively it also gives events/s, peak RSS and on-disk bytes per
// customer after compaction, for RSS and disk at 1M and 10M customers, and
// where the memory is (memory_split.h) at every million events and at the end.
//
//   crm_bench_process_path [events=200000] [customers=100000] [partitions=8] [spacing_ms=1000]
//                          [max_uncommitted_events=100000]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/local_processor.h"
#include "bench/memory_split.h"
#include "bench/purchase_input.h"
#include "config/config.h"
#include "pipeline/runtime/record_processor.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

void Check(const crm::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
  std::exit(1);
}

struct Chunk {
  std::vector<std::string> keys, values;
  std::vector<int32_t> partitions;
  std::vector<int64_t> offsets, timestamps;
};

// What callgrind measures: everything the service does for these records.
[[gnu::noinline]] void ProcessChunk(crm::pipeline::RecordProcessor& processor, const Chunk& chunk,
                                    int64_t max_uncommitted) {
  for (size_t i = 0; i < chunk.keys.size(); ++i) {
    crm::pipeline::InputRecordView view;
    view.topic = "crm.purchases";
    view.partition = chunk.partitions[i];
    view.offset = chunk.offsets[i];
    view.key = chunk.keys[i];
    view.has_key = true;
    view.value = chunk.values[i];
    view.timestamp_ms = chunk.timestamps[i];
    view.timestamp_type = crm::pipeline::RecordTimestampType::kCreateTime;
    Check(processor.Process(view), "process");
    // As the service does: overdue checks fired count towards the limit.
    if (processor.uncommitted_records() >= max_uncommitted) Check(processor.Commit(60'000), "commit");
    while (processor.timer_backlog()) {
      Check(processor.Commit(60'000), "commit");
      Check(processor.FireTimerBacklog(max_uncommitted).status(), "fire backlog");
    }
  }
  Check(processor.Commit(60'000), "commit");
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t events = argc > 1 ? std::atoll(argv[1]) : 200'000;
  const int64_t customers = argc > 2 ? std::atoll(argv[2]) : 100'000;
  const int32_t partitions = argc > 3 ? std::atoi(argv[3]) : 8;
  const int64_t spacing_ms = argc > 4 ? std::atoll(argv[4]) : 1000;
  const auto dir = std::filesystem::temp_directory_path() / ("crm-bench-process-path-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);

  crm::config::Config config;  // the defaults: changelog, timers, a 256 MiB memory budget
  config.state.dir = dir.string();
  // The epoch's size: its working set (changed customers, their copy, timer
  // changes, the RocksDB batch) grows with it.
  if (argc > 5) config.runtime.max_uncommitted_events = std::atoll(argv[5]);
  auto local = crm::bench::LocalProcessor::Open(config);
  Check(local.status(), "open");
  crm::pipeline::RecordProcessor& processor = (*local)->processor();
  crm::pipeline::StateStore& store = (*local)->store();
  const crm::bench::NullSink& sink = (*local)->sink();

  crm::bench::BenchInput input(customers);
  std::vector<int64_t> next_offset(static_cast<size_t>(partitions), 0);
  const int64_t chunk_size = config.runtime.max_uncommitted_events;
  Chunk chunk;
  double processing_s = 0;
  for (int64_t done = 0; done < events;) {
    chunk = Chunk{};
    for (int64_t i = done; i < events && i < done + chunk_size; ++i) {
      const int64_t c = input.CustomerOf(i);
      const int64_t ts = crm::bench::kInputStartMs + i * spacing_ms;
      std::string id = crm::bench::CustomerId(c);
      const auto p = static_cast<int32_t>(c % partitions);
      chunk.values.push_back(crm::bench::PurchaseJson(i, id, ts));
      chunk.keys.push_back(std::move(id));
      chunk.partitions.push_back(p);
      chunk.offsets.push_back(next_offset[static_cast<size_t>(p)]++);
      chunk.timestamps.push_back(ts);
    }
    done += static_cast<int64_t>(chunk.keys.size());
    const auto started = SteadyClock::now();
    ProcessChunk(processor, chunk, chunk_size);
    processing_s += std::chrono::duration<double>(SteadyClock::now() - started).count();
    if (done % 1'000'000 == 0) {
      std::fprintf(stderr, "%lld events, %.0f s processing, %s\n", static_cast<long long>(done), processing_s,
                   crm::bench::Describe(crm::bench::MeasureMemory(store, processor.customer_cache())).c_str());
    }
  }
  const crm::bench::MemorySplit memory = crm::bench::MeasureMemory(store, processor.customer_cache());
  Check(store.CompactAll(), "compact");
  const double disk = static_cast<double>(crm::bench::DirectoryBytes(config.state.dir));
  const double customer_cf = static_cast<double>(store.ApproximateSizeBytes());

  std::printf("== crm_bench_process_path %lld %lld %d %lld %lld (no broker; changelog, timers, outputs on) ==\n",
              static_cast<long long>(events), static_cast<long long>(customers), partitions,
              static_cast<long long>(spacing_ms), static_cast<long long>(config.runtime.max_uncommitted_events));
  std::printf("events               %lld\n", static_cast<long long>(events));
  std::printf("records produced     %lld (%.2f per event: outputs, changelog records, markers)\n",
              static_cast<long long>(sink.produced()),
              static_cast<double>(sink.produced()) / static_cast<double>(events));
  std::printf("processing           %.0f events/s (%.2f s; wall clock, noisy)\n",
              static_cast<double>(events) / processing_s, processing_s);
  std::printf("peak RSS             %.0f MiB (budget %lld MiB: %lld RocksDB + %lld customer cache)\n",
              memory.peak_rss_mib, static_cast<long long>(config.state.memory_budget_bytes >> 20),
              static_cast<long long>(crm::config::StoreBudgetBytes(config.state) >> 20),
              static_cast<long long>(crm::config::CustomerCacheBytes(config.state) >> 20));
  std::printf("memory at the end    %s\n", Describe(memory).c_str());
  std::printf("state on disk        %.1f bytes/customer (%.0f MiB: the state directory after compaction; "
              "customer records alone %.1f bytes/customer)\n",
              disk / static_cast<double>(customers), disk / (1 << 20), customer_cf / static_cast<double>(customers));
  local->reset();
  std::filesystem::remove_all(dir);
  return 0;
}

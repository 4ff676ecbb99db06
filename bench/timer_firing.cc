// Timers at scale: 1M customers each holding an overdue check, in the
// configured memory budget, and how fast the checks fire.
//
// In process, no broker (the timers' cost is the state store, not Kafka):
// a RecordProcessor on a fresh RocksDB store with a sink that drops outputs
// (NullSink, observed_sink.h).
// 1. Reference: N purchase events, one per customer, all within minutes of
//    event time (so no check falls due), committed every 100k events. Each
//    event arms that customer's one timer in the store.
// 2. The watermark jumps 100 days ahead (an idle partition's wall-clock
//    advance); every customer's first check is now due. The checks fire in
//    slices of 50k with a commit after each, as the service does. Each fired
//    check re-scores the customer and arms the next one.
// Prints events/s and timers fired/s with their ratio, the timers pending
// before and after, peak RSS against the memory budget plus the customer
// cache, and RocksDB's own accounting.
//
//   crm_bench_timers [customers=1000000] [memory_budget_mib=256] [cache_customers=200000]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/local_processor.h"
#include "bench/purchase_input.h"
#include "config/config.h"
#include "pipeline/runtime/record_processor.h"
#include "pipeline/wire/output_encoder.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kStart = 1'704'067'200'000;  // 2024-01-01
constexpr int64_t kDay = 86'400'000;

void Check(const crm::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t customers = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const int64_t budget_mib = argc > 2 ? std::atoll(argv[2]) : 256;
  const int64_t cache_customers = argc > 3 ? std::atoll(argv[3]) : 200'000;
  const auto dir = std::filesystem::temp_directory_path() / "crm-bench-timers";
  std::filesystem::remove_all(dir);

  crm::config::Config config;
  config.state.dir = dir.string();
  config.state.memory_budget_bytes = budget_mib << 20;
  config.state.cache_customers = cache_customers;
  config.state.changelog = false;  // no broker here: the timers' own cost
  auto local = crm::bench::LocalProcessor::Open(config);
  Check(local.status(), "open");
  crm::pipeline::RecordProcessor& processor = (*local)->processor();
  crm::pipeline::StateStore& store = (*local)->store();
  const crm::bench::NullSink& sink = (*local)->sink();

  // 1. One purchase per customer.
  const auto started = Clock::now();
  char json[256], id[24];
  for (int64_t i = 0; i < customers; ++i) {
    std::snprintf(id, sizeof id, "c%08lld", static_cast<long long>(i));
    const int n = std::snprintf(json, sizeof json,
                                R"({"event_id":"e%lld","customer_id":"%s","ts":"%s","amount":%lld.50})",
                                static_cast<long long>(i), id, crm::pipeline::FormatRfc3339(kStart + i).c_str(),
                                static_cast<long long>(10 + i % 90));
    crm::pipeline::InputRecordView view;
    view.topic = "crm.purchases";
    view.offset = i;
    view.key = id;
    view.has_key = true;
    view.value = std::string_view(json, static_cast<size_t>(n));
    Check(processor.Process(view), "process");
    if ((i + 1) % 100'000 == 0) Check(processor.Commit(60'000), "commit");
  }
  Check(processor.Commit(60'000), "commit");
  const double process_s = std::chrono::duration<double>(Clock::now() - started).count();
  const double rss_after_arming = crm::bench::PeakRssMiB();
  int64_t pending_before = 0;
  Check(store.ScanTimers(0, INT64_MAX, [&](int64_t, std::string_view) { return ++pending_before, true; }),
        "count timers");

  const int64_t outputs_of_events = sink.produced();

  // 2. The watermark passes every first check; fire in committed slices.
  auto advanced = processor.AdvanceWatermark(0, kStart + 100 * kDay);
  Check(advanced.status(), "advance");
  Check(processor.Commit(60'000), "commit advance");
  const auto firing = Clock::now();
  int64_t fired = 0;
  for (;;) {
    auto slice = processor.FireDueTimers(0, 50'000);
    Check(slice.status(), "fire");
    Check(processor.Commit(60'000), "commit");
    fired += *slice;
    if (*slice < 50'000) break;
  }
  const double fire_s = std::chrono::duration<double>(Clock::now() - firing).count();
  int64_t pending_after = 0;
  Check(store.ScanTimers(0, INT64_MAX, [&](int64_t, std::string_view) { return ++pending_after, true; }),
        "count timers");

  const double events_per_s = static_cast<double>(customers) / process_s;
  const double fired_per_s = static_cast<double>(fired) / fire_s;
  std::printf("customers (each arms one timer): %lld in %.1f s = %.0f events/s (reference)\n",
              static_cast<long long>(customers), process_s, events_per_s);
  std::printf("timers pending in the store:     %lld before firing, %lld after (each fired check arms the next)\n",
              static_cast<long long>(pending_before), static_cast<long long>(pending_after));
  std::printf("timers fired:                    %lld in %.1f s = %.0f timers/s; ratio to events/s %.2f\n",
              static_cast<long long>(fired), fire_s, fired_per_s, fired_per_s / events_per_s);
  std::printf("outputs: %lld from the events, %lld from the checks (segment changes and churn alerts)\n",
              static_cast<long long>(outputs_of_events), static_cast<long long>(sink.produced() - outputs_of_events));
  std::printf("peak RSS: %.0f MiB after arming, %.0f MiB at the end; budget %lld MiB RocksDB + %lld cached "
              "customers; RocksDB block cache now %.0f MiB\n",
              rss_after_arming, crm::bench::PeakRssMiB(), static_cast<long long>(budget_mib),
              static_cast<long long>(cache_customers),
              static_cast<double>(store.BlockCacheUsageBytes()) / (1 << 20));
  local->reset();
  std::filesystem::remove_all(dir);
  return fired == pending_before ? 0 : 1;
}

// End-to-end throughput: crmstream against two references on the same input
// log, in the same run (bare_clients.h):
// 1. `crmstream broker` starts as its own process with enough partitions that
//    the embedded broker's per-partition retention (~5 MiB) keeps every event.
// 2. N purchase events (~230 bytes, M distinct customers, every customer at
//    least once) are produced to crm.purchases.
// 3. Bare consumer: reads the log to its end.
// 4. crmstream (`Service` in this process, wired as `crmstream run
//    --stop-at-end` with the defaults: transactions, timers, changelog)
//    consumes the same log; its producer is observed (observed_sink.h) to
//    count what it produced per topic.
// 5. Bare pipe: reads the log and produces the same records per topic,
//    in transactions at the same commit interval.
// Prints a summary block: events/s of all three, crmstream's ratios to both
// references, what crmstream produced per input event, on-disk bytes per
// customer after compaction, peak RSS, and the commits.
//
//   crm_bench_throughput [events=2000000] [customers=1000000] [partitions=128]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/bare_clients.h"
#include "bench/kafka_service.h"
#include "bench/purchase_input.h"
#include "pipeline/kafka/kafka_sink.h"
#include "tests/integration/harness.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

void ProducePurchases(const std::string& bootstrap, int64_t events, int64_t customers) {
  auto sink = crm::pipeline::KafkaSink::Create({{"bootstrap.servers", bootstrap}, {"linger.ms", "20"}});
  if (!sink.ok()) std::abort();
  crm::bench::BenchInput input(customers);
  for (int64_t i = 0; i < events; ++i) {
    const std::string id = crm::bench::CustomerId(input.CustomerOf(i));
    const int64_t ts = crm::bench::kInputStartMs + i * 1000;
    crm::pipeline::OutputRecord r{"crm.purchases", id, crm::bench::PurchaseJson(i, id, ts), {}, ts};
    if (!(*sink)->Produce(r).ok()) std::abort();
  }
  if (!(*sink)->Flush(300000).ok()) std::abort();
}

// The value of the first line of the metrics text that starts with `name`.
double Metric(const std::string& text, const std::string& name) {
  const size_t pos = text.find("\n" + name);
  if (pos == std::string::npos) return 0;
  const size_t space = text.find(' ', pos + 1);
  return std::atof(text.c_str() + space + 1);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t events = argc > 1 ? std::atoll(argv[1]) : 2'000'000;
  const int64_t customers = argc > 2 ? std::atoll(argv[2]) : 1'000'000;
  const int partitions = argc > 3 ? std::atoi(argv[3]) : 128;

  crm::testing::BrokerProcess broker(partitions);
  std::printf("broker %s, %d partitions; producing %lld events for %lld customers...\n",
              broker.bootstrap().c_str(), partitions, static_cast<long long>(events),
              static_cast<long long>(customers));
  const auto t0 = SteadyClock::now();
  ProducePurchases(broker.bootstrap(), events, customers);
  std::printf("produced in %.1f s\n", std::chrono::duration<double>(SteadyClock::now() - t0).count());

  const crm::bench::BareRun bare = crm::bench::BareConsume(broker.bootstrap(), "crm.purchases", "bench-bare");
  if (bare.records != events) {
    std::printf("ERROR: the topic holds %lld of %lld events (broker retention); use more partitions\n",
                static_cast<long long>(bare.records), static_cast<long long>(events));
    return 1;
  }
  std::printf("bare consumer done: %.0f events/s\n", bare.rate());

  crm::testing::TempDir dir;
  const crm::config::Config config =
      crm::bench::BenchConfig(broker.bootstrap(), dir.path() + "/state", customers, "bench-crmstream");
  auto created = crm::bench::CreateObservedService(config);
  if (!created.ok()) {
    std::printf("ERROR: %s\n", created.status().message().c_str());
    return 1;
  }
  crm::bench::ObservedService& run = **created;
  std::atomic<bool> stop{false};
  const crm::Status status = run.service->Run(crm::pipeline::RunOptions{true}, stop);
  const double crm_s = static_cast<double>(run.clock.SteadyMs() - run.health.first_record_ms.load()) / 1000.0;
  if (!status.ok()) {
    std::printf("ERROR: %s\n", status.message().c_str());
    return 1;
  }
  const double crm_rate = static_cast<double>(events) / crm_s;
  std::printf("crmstream done: %.0f events/s\n", crm_rate);
  const double rss_mib = crm::bench::PeakRssMiB();
  if (!run.service->mutable_store().CompactAll().ok()) std::printf("WARNING: compaction failed\n");
  const double disk_per_customer =
      static_cast<double>(crm::bench::DirectoryBytes(config.state.dir)) / static_cast<double>(customers);
  const double customer_records =
      static_cast<double>(run.service->store().ApproximateSizeBytes()) / static_cast<double>(customers);

  auto pipe = crm::bench::BarePipe(config, "bench-pipe", run.sink->tallies(), events);
  if (!pipe.ok()) {
    std::printf("ERROR: bare pipe: %s\n", pipe.status().message().c_str());
    return 1;
  }

  const double per_event = 1.0 / static_cast<double>(events);
  const std::string text = run.metrics.Serialize();
  std::printf("\n== crm_bench_throughput %lld %lld %d (commit interval %lld ms, transactions, timers, changelog) ==\n",
              static_cast<long long>(events), static_cast<long long>(customers), partitions,
              static_cast<long long>(config.runtime.commit_interval_ms));
  std::printf("bare consumer        %9.0f events/s\n", bare.rate());
  std::printf("bare pipe            %9.0f events/s (%lld records in %lld transactions)\n", pipe->rate(),
              static_cast<long long>(pipe->produced), static_cast<long long>(pipe->transactions));
  std::printf("crmstream            %9.0f events/s (%.2f s)\n", crm_rate, crm_s);
  std::printf("crmstream/consumer   %9.3f (target >= 0.5)\n", crm_rate / bare.rate());
  std::printf("crmstream/pipe       %9.3f (target >= 0.8)\n", crm_rate / pipe->rate());
  for (const auto& [topic, tally] : run.sink->tallies()) {
    std::printf("produced %-20s %6.3f records/event, %6.1f bytes/event (%.0f bytes/record)\n", topic.c_str(),
                static_cast<double>(tally.records) * per_event, static_cast<double>(tally.bytes) * per_event,
                static_cast<double>(tally.bytes) / static_cast<double>(tally.records));
  }
  std::printf("commits              %9.0f, %.2f s in commits (service metrics)\n",
              Metric(text, "crmstream_commit_duration_seconds_count"),
              Metric(text, "crmstream_commit_duration_seconds_sum"));
  std::printf("state on disk        %9.1f bytes/customer (state directory after compaction; customer records "
              "alone %.1f)\n", disk_per_customer, customer_records);
  std::printf("peak RSS             %9.0f MiB (bench process: producer, bare consumer, crmstream)\n", rss_mib);
  return 0;
}

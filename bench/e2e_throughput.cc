// End-to-end throughput: crmstream against a bare librdkafka consumer on the
// same topic, in the same run.
//
// 1. `crmstream broker` starts as its own process with enough partitions that
//    the embedded broker's per-partition retention (~5 MiB) keeps every event.
// 2. N purchase events (~170 bytes, M distinct customers) are produced; the
//    bench checks the topic holds exactly N records.
// 3. Reference: a bare consumer-group member reads crm.purchases to the end.
// 4. crmstream (`Service`, in this process, exactly as `crmstream run
//    --stop-at-end`) consumes the same log with state, outputs and commits.
// Both timings run from the first record received (after the consumer-group
// join) to the end of the log, crmstream's including its final commit.
// Prints events/s, their ratio, on-disk bytes per customer and peak RSS.
//
//   crm_bench_throughput [events=2000000] [customers=1000000] [partitions=96]
#include <librdkafka/rdkafka.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "config/config.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/metrics.h"
#include "pipeline/output_encoder.h"
#include "pipeline/service.h"
#include "tests/integration/harness.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kStart = 1'704'067'200'000;

void ProducePurchases(const std::string& bootstrap, int64_t events, int64_t customers) {
  auto sink = crm::pipeline::KafkaSink::Create({{"bootstrap.servers", bootstrap}, {"linger.ms", "20"}});
  if (!sink.ok()) std::abort();
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> customer(0, customers - 1);
  char json[256];
  for (int64_t i = 0; i < events; ++i) {
    // Every customer appears at least once when events >= customers.
    int64_t c = i < customers ? i : customer(rng);
    int64_t ts = kStart + i * 1000;
    char id[16];
    std::snprintf(id, sizeof id, "c%08lld", static_cast<long long>(c));
    int n = std::snprintf(json, sizeof json,
                          R"({"event_id":"e%lld","customer_id":"%s","ts":"%s","amount":%lld.%02lld,)"
                          R"("currency":"EUR","quantity":1,"channel":"web","order_id":"o%lld"})",
                          static_cast<long long>(i), id, crm::pipeline::FormatRfc3339(ts).c_str(),
                          static_cast<long long>(10 + i % 90), static_cast<long long>(i % 100),
                          static_cast<long long>(i));
    crm::pipeline::OutputRecord r{"crm.purchases", id, std::string(json, static_cast<size_t>(n)), {}, ts};
    if (!(*sink)->Produce(r).ok()) std::abort();
  }
  if (!(*sink)->Flush(300000).ok()) std::abort();
}

// Reads crm.purchases to the end as a plain group member; returns records
// and sets `first` to when the first record arrived (after the group join).
int64_t BareConsume(const std::string& bootstrap, Clock::time_point& first) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "bench-bare", err, sizeof err);
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* sub = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(sub, "crm.purchases", RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, sub);
  rd_kafka_topic_partition_list_destroy(sub);
  int64_t records = 0, bytes = 0;
  int eofs = 0, partitions = -1;
  while (partitions < 0 || eofs < partitions) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++eofs;
      if (partitions < 0) {
        rd_kafka_topic_partition_list_t* assigned = nullptr;
        rd_kafka_assignment(rk, &assigned);
        partitions = assigned->cnt;
        rd_kafka_topic_partition_list_destroy(assigned);
      }
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (records == 0) first = Clock::now();
      ++records;
      bytes += static_cast<int64_t>(m->len);
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return records;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  const int64_t events = argc > 1 ? std::atoll(argv[1]) : 2'000'000;
  const int64_t customers = argc > 2 ? std::atoll(argv[2]) : 1'000'000;
  const int partitions = argc > 3 ? std::atoi(argv[3]) : 96;

  crm::testing::BrokerProcess broker(partitions);
  std::printf("broker %s, %d partitions; producing %lld events for %lld customers...\n",
              broker.bootstrap().c_str(), partitions, static_cast<long long>(events),
              static_cast<long long>(customers));
  auto t0 = Clock::now();
  ProducePurchases(broker.bootstrap(), events, customers);
  std::printf("produced in %.1f s\n", Seconds(Clock::now() - t0));

  Clock::time_point bare_first;
  int64_t bare = BareConsume(broker.bootstrap(), bare_first);
  double bare_s = Seconds(Clock::now() - bare_first);
  if (bare != events) {
    std::printf("ERROR: the topic holds %lld of %lld events (broker retention); use more partitions\n",
                static_cast<long long>(bare), static_cast<long long>(events));
    return 1;
  }

  crm::testing::TempDir dir;
  crm::config::Config config;
  config.kafka["bootstrap.servers"] = broker.bootstrap();
  config.state.dir = dir.path() + "/state";
  config.state.cache_customers = customers + customers / 4;
  config.runtime.group_id = "bench-crmstream";
  config.http.port = 0;
  crm::pipeline::Metrics metrics;
  crm::pipeline::SystemClock clock;
  crm::pipeline::ServiceHealth health{clock};
  auto service = crm::pipeline::Service::Create(config, metrics, health, clock);
  if (!service.ok()) {
    std::printf("ERROR: %s\n", service.status().message().c_str());
    return 1;
  }
  std::atomic<bool> stop{false};
  crm::Status status = (*service)->Run(crm::pipeline::RunOptions{true}, stop);
  const int64_t end_ms = clock.SteadyMs();
  double crm_s = static_cast<double>(end_ms - health.first_record_ms.load()) / 1000.0;
  if (!status.ok()) {
    std::printf("ERROR: %s\n", status.message().c_str());
    return 1;
  }
  if (!(*service)->mutable_store().CompactAll().ok()) std::printf("WARNING: compaction failed\n");
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double bare_rate = static_cast<double>(events) / bare_s;
  double crm_rate = static_cast<double>(events) / crm_s;
  std::printf("bare librdkafka consumer: %10.0f events/s (%.2f s)\n", bare_rate, bare_s);
  std::printf("crmstream end to end:     %10.0f events/s (%.2f s)\n", crm_rate, crm_s);
  std::printf("ratio crmstream/bare:     %10.3f  (target >= 0.5)\n", crm_rate / bare_rate);
  std::printf("state on disk:            %10.1f bytes/customer; peak RSS %.0f MiB\n",
              static_cast<double>((*service)->store().ApproximateSizeBytes()) /
                  static_cast<double>(customers),
              static_cast<double>(usage.ru_maxrss) / 1024.0);
  // Where the time went, from the service's own metrics.
  std::string text = metrics.Serialize();
  for (const char* name : {"crmstream_commit_duration_seconds_sum", "crmstream_commit_duration_seconds_count",
                           "crmstream_processing_latency_seconds_sum", "crmstream_commits_total"}) {
    for (size_t pos = text.find(name); pos != std::string::npos; pos = text.find(name, pos + 1)) {
      std::printf("  %s\n", text.substr(pos, text.find('\n', pos) - pos).c_str());
    }
  }
  return 0;
}

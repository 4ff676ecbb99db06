// Latency from produce to output readable, at a steady rate.
//
// `crmstream broker` as its own process; crmstream's Service (the defaults:
// transactions, timers, changelog) runs on a thread of this process with its
// producer observed (observed_sink.h). Once it owns its partitions, one
// purchase of a new customer is produced every 1/rate s for `seconds` s
// (event time = wall time); each new customer gets a segment change. For
// each customer the bench records when its purchase was produced, when a
// read_committed consumer of crm.segment-changes received the output, and
// when the Kafka transaction holding the output committed (the Flush that
// followed it). The embedded broker (librdkafka's mock) may hand records to
// read_committed consumers before their transaction commits, so an output
// counts as readable at the later of the two; on a real cluster the commit
// is what makes it readable.
// Prints p50/p99/max of produce -> readable (and of its two parts) beside
// the commit interval, in a summary block.
//
//   crm_bench_latency [rate=2000] [seconds=20] [commit_interval_ms=1000] [partitions=16] [fetch_wait_ms]
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench/kafka_service.h"
#include "bench/purchase_input.h"
#include "pipeline/kafka/kafka_client.h"
#include "pipeline/kafka/kafka_sink.h"
#include "tests/integration/harness.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now().time_since_epoch()).count();
}

int64_t CustomerIndex(std::string_view key) { return std::atoll(std::string(key.substr(1)).c_str()); }

// Reads `topic` read_committed until `stop`; sets read_us[customer] on the
// first record of each customer.
void ReadOutputs(const std::string& bootstrap, const std::string& topic, std::vector<int64_t>& read_us,
                 std::atomic<int64_t>& read, const std::atomic<bool>& stop) {
  auto conf = crm::pipeline::MakeKafkaConf({{"bootstrap.servers", bootstrap},
                                            {"group.id", "bench-latency-reader"},
                                            {"auto.offset.reset", "earliest"},
                                            {"isolation.level", "read_committed"},
                                            {"fetch.wait.max.ms", "10"}});
  if (!conf.ok()) std::abort();
  auto consumer = crm::pipeline::MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!consumer.ok()) std::abort();
  rd_kafka_t* rk = consumer->get();
  rd_kafka_poll_set_consumer(rk);
  crm::pipeline::TopicPartitionList sub(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(sub.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, sub.get());
  while (!stop.load()) {
    crm::pipeline::OwnedMessage m(rd_kafka_consumer_poll(rk, 50));
    if (!m || m->err != RD_KAFKA_RESP_ERR_NO_ERROR || m->key == nullptr) continue;
    const int64_t c = CustomerIndex(std::string_view(static_cast<const char*>(m->key), m->key_len));
    if (c >= 0 && c < static_cast<int64_t>(read_us.size()) && read_us[static_cast<size_t>(c)] == 0) {
      read_us[static_cast<size_t>(c)] = NowUs();
      read.fetch_add(1);
    }
  }
  rd_kafka_consumer_close(rk);
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};

Percentiles Of(std::vector<int64_t> us) {
  if (us.empty()) return {};
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return static_cast<double>(us[static_cast<size_t>(q * static_cast<double>(us.size() - 1))]) / 1000.0; };
  return {at(0.50), at(0.99), static_cast<double>(us.back()) / 1000.0};
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rate = argc > 1 ? std::atoll(argv[1]) : 2000;
  const int64_t seconds = argc > 2 ? std::atoll(argv[2]) : 20;
  const int64_t commit_interval_ms = argc > 3 ? std::atoll(argv[3]) : 1000;
  const int partitions = argc > 4 ? std::atoi(argv[4]) : 16;
  const int64_t customers = rate * seconds;

  crm::testing::BrokerProcess broker(partitions);
  crm::testing::TempDir dir;
  crm::config::Config config =
      crm::bench::BenchConfig(broker.bootstrap(), dir.path() + "/state", customers, "bench-latency");
  config.runtime.commit_interval_ms = commit_interval_ms;
  // The embedded broker answers a fetch that found nothing only after
  // fetch.wait.max.ms (librdkafka's default 500 ms), even when records
  // arrive meanwhile; a real broker answers as soon as there are any.
  if (argc > 5) config.kafka["fetch.wait.max.ms"] = argv[5];
  auto created = crm::bench::CreateObservedService(config);
  if (!created.ok()) {
    std::printf("ERROR: %s\n", created.status().message().c_str());
    return 1;
  }
  crm::bench::ObservedService& run = **created;
  // Written by the service thread (hooks) and read after it has stopped.
  std::vector<int64_t> produced_us(static_cast<size_t>(customers), 0), committed_us(produced_us), read_us(produced_us),
      emitted_us(produced_us), flushed_at_us;
  std::vector<int64_t> pending;
  run.sink->on_produce = [&](const crm::pipeline::OutputRecord& r) {
    if (r.topic != config.topics.segment_changes) return;
    const int64_t c = CustomerIndex(r.key);
    pending.push_back(c);
    if (c >= 0 && c < customers && emitted_us[static_cast<size_t>(c)] == 0) emitted_us[static_cast<size_t>(c)] = NowUs();
  };
  std::atomic<int64_t> committed{0};
  run.sink->on_flushed = [&] {
    const int64_t now = NowUs();
    flushed_at_us.push_back(now);
    for (int64_t c : pending) {
      if (c >= 0 && c < customers && committed_us[static_cast<size_t>(c)] == 0) {
        committed_us[static_cast<size_t>(c)] = now;
        committed.fetch_add(1);
      }
    }
    pending.clear();
  };
  std::atomic<bool> stop_service{false}, stop_reader{false};
  crm::Status status = crm::Status::Ok();
  std::thread service_thread([&] { status = run.service->Run(crm::pipeline::RunOptions{}, stop_service); });
  std::atomic<int64_t> read{0};
  std::thread reader([&] { ReadOutputs(broker.bootstrap(), config.topics.segment_changes, read_us, read, stop_reader); });

  const auto ready_deadline = SteadyClock::now() + std::chrono::seconds(60);
  while (!run.health.Ready(60'000) && SteadyClock::now() < ready_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition with a deadline
  }
  std::printf("service ready; producing %lld new customers/s for %lld s...\n", static_cast<long long>(rate),
              static_cast<long long>(seconds));
  auto producer = crm::pipeline::KafkaSink::Create({{"bootstrap.servers", broker.bootstrap()}, {"linger.ms", "1"}});
  if (!producer.ok()) std::abort();
  const auto start = SteadyClock::now();
  for (int64_t c = 0; c < customers; ++c) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(c * 1'000'000 / rate));
    const int64_t wall = run.clock.WallMs();
    const std::string id = crm::bench::CustomerId(c);
    produced_us[static_cast<size_t>(c)] = NowUs();
    crm::pipeline::OutputRecord r{config.topics.purchases, id, crm::bench::PurchaseJson(c, id, wall), {}, wall};
    if (!(*producer)->Produce(r).ok()) std::abort();
  }
  if (!(*producer)->Flush(60'000).ok()) std::abort();
  const auto drain_deadline = SteadyClock::now() + std::chrono::seconds(60);
  while ((committed.load() < customers || read.load() < customers) && SteadyClock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition with a deadline
  }
  stop_reader = true;
  reader.join();
  stop_service = true;
  service_thread.join();
  if (!status.ok()) {
    std::printf("ERROR: %s\n", status.message().c_str());
    return 1;
  }

  std::vector<int64_t> readable, to_read, to_commit, to_emit, emit_to_commit, between_commits;
  int64_t missing = 0;
  for (size_t c = 0; c < produced_us.size(); ++c) {
    if (read_us[c] == 0 || committed_us[c] == 0) {
      ++missing;
      continue;
    }
    readable.push_back(std::max(read_us[c], committed_us[c]) - produced_us[c]);
    to_read.push_back(read_us[c] - produced_us[c]);
    to_commit.push_back(committed_us[c] - produced_us[c]);
    if (emitted_us[c] != 0) {
      to_emit.push_back(emitted_us[c] - produced_us[c]);
      emit_to_commit.push_back(committed_us[c] - emitted_us[c]);
    }
  }
  for (size_t i = 1; i < flushed_at_us.size(); ++i) between_commits.push_back(flushed_at_us[i] - flushed_at_us[i - 1]);
  const Percentiles all = Of(readable), r = Of(to_read), k = Of(to_commit);
  std::printf("\n== crm_bench_latency %lld %lld %lld %d (transactions, timers, changelog) ==\n",
              static_cast<long long>(rate), static_cast<long long>(seconds), static_cast<long long>(commit_interval_ms),
              partitions);
  std::printf("commit interval          %lld ms; target p99 <= %lld ms\n", static_cast<long long>(commit_interval_ms),
              static_cast<long long>(commit_interval_ms + 50));
  std::printf("produce -> readable      p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms (%zu outputs, %lld missing)\n", all.p50,
              all.p99, all.max, readable.size(), static_cast<long long>(missing));
  std::printf("  produce -> committed   p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms\n", k.p50, k.p99, k.max);
  std::printf("  produce -> received    p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms (read_committed on the mock)\n",
              r.p50, r.p99, r.max);
  const Percentiles e = Of(to_emit), ec = Of(emit_to_commit), f = Of(run.sink->flush_us()), b = Of(between_commits);
  std::printf("  produce -> to the sink p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms (received, processed, held)\n", e.p50,
              e.p99, e.max);
  std::printf("  to the sink -> committed p50 %4.0f ms  p99 %6.0f ms  max %6.0f ms\n", ec.p50, ec.p99, ec.max);
  std::printf("transaction commit       p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms (the Flush alone)\n", f.p50, f.p99,
              f.max);
  std::printf("between commits          p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms\n", b.p50, b.p99, b.max);
  std::printf("transactions committed   %lld\n", static_cast<long long>(run.sink->flushes()));
  return missing == 0 ? 0 : 1;
}

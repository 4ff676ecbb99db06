// Changelog restore rate: how fast a partition's state comes back on an
// instance that takes it over, against a bare librdkafka consumer reading
// the same changelog in the same run.
//
// 1. `crmstream broker` as its own process; a generated log of N events
//    (M customers) is produced and `crmstream run --stop-at-end` processes
//    it, writing the changelog.
// 2. Reference: a bare consumer reads every changelog partition to its end,
//    counting records and their bytes (key, value and headers, before the
//    producer's compression): the changelog's records and bytes per input
//    event.
// 3. Restore: every partition is restored into a fresh RocksDB store
//    (RestoreChangelogPartition: parse, group by epoch, atomic batches),
//    `threads` partitions at a time as the service does (state.restore_threads).
// Prints records/s for both and their ratio, and checks that the restored
// store holds the service's customers and timers.
//
//   crm_bench_restore [events=300000] [customers=100000] [partitions=8] [threads=2]
#include <librdkafka/rdkafka.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "pipeline/changelog/changelog.h"
#include "pipeline/kafka/kafka_client.h"
#include "pipeline/state/state_store.h"
#include "tests/integration/harness.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Read {
  int64_t records = 0;
  int64_t bytes = 0;  // keys, values and headers
};

// Reads every partition of `topic` from the beginning to its end.
Read ReadAll(const std::string& bootstrap, const std::string& topic, int partitions) {
  auto conf = crm::pipeline::MakeKafkaConf({{"bootstrap.servers", bootstrap},
                                            {"group.id", "bench-restore-reference"},
                                            {"enable.auto.commit", "false"},
                                            {"enable.partition.eof", "true"}});
  if (!conf.ok()) std::abort();
  auto consumer = crm::pipeline::MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!consumer.ok()) std::abort();
  crm::pipeline::TopicPartitionList list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer->get(), list.get());
  Read read;
  int at_end = 0;
  while (at_end < partitions) {
    crm::pipeline::OwnedMessage m(rd_kafka_consumer_poll(consumer->get(), 1000));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++at_end;
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++read.records;
      read.bytes += static_cast<int64_t>(m->key_len + m->len);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(m.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
          read.bytes += static_cast<int64_t>(std::strlen(name) + size);
        }
      }
    }
  }
  return read;
}

struct Contents {
  int64_t customers = 0;
  int64_t timers = 0;
};

Contents Count(const crm::pipeline::StateStore& store, int partitions) {
  Contents c;
  (void)store.ForEachCustomer([&](const std::string&, const std::string&) { return ++c.customers, crm::Status::Ok(); });
  for (int p = 0; p < partitions; ++p) {
    (void)store.ScanTimers(p, INT64_MAX, [&](int64_t, std::string_view) { return ++c.timers, true; });
  }
  return c;
}

// CPU seconds of this process so far (every thread: librdkafka's too).
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t events = argc > 1 ? std::atoll(argv[1]) : 300'000;
  const int64_t customers = argc > 2 ? std::atoll(argv[2]) : 100'000;
  const int partitions = argc > 3 ? std::atoi(argv[3]) : 8;
  const int threads = argc > 4 ? std::max(1, std::atoi(argv[4])) : 2;
  crm::testing::BrokerProcess broker(partitions);
  crm::testing::ProduceAll(broker.bootstrap(), crm::testing::GeneratedLog(events, customers, 5));
  crm::testing::TempDir dir;
  const std::string config = crm::testing::WriteServiceConfig(dir.path(), broker.bootstrap(), dir.path() + "/state");
  if (crm::testing::RunServiceToEnd(config, {}, std::chrono::minutes(30)) != 0) {
    std::printf("ERROR: the service run failed\n");
    return 1;
  }

  double cpu_started = CpuSeconds();
  auto started = Clock::now();
  const Read reference = ReadAll(broker.bootstrap(), "crm.changelog", partitions);
  const int64_t reference_records = reference.records;
  const double reference_s = std::chrono::duration<double>(Clock::now() - started).count();
  const double reference_cpu_s = CpuSeconds() - cpu_started;

  auto store = crm::pipeline::StateStore::Open({dir.path() + "/restored", 256LL << 20, false});
  if (!store.ok()) std::abort();
  cpu_started = CpuSeconds();
  started = Clock::now();
  // As the service restores: `threads` partitions at a time, each with its
  // own reader (state.restore_threads).
  std::atomic<int64_t> restored = 0, epochs = 0;
  std::atomic<int> next_partition = 0;
  std::atomic<bool> failed = false;
  auto restore = [&] {
    for (int p = next_partition++; p < partitions; p = next_partition++) {
      auto r = crm::pipeline::RestoreChangelogPartition({{"bootstrap.servers", broker.bootstrap()}}, "crm.changelog",
                                                        p, **store, nullptr);
      if (!r.ok()) {
        std::printf("ERROR: %s\n", r.status().message().c_str());
        failed = true;
        return;
      }
      restored += r->records;
      epochs += r->epochs;
    }
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back(restore);
  restore();
  for (std::thread& worker : workers) worker.join();
  if (failed) return 1;
  const double restore_s = std::chrono::duration<double>(Clock::now() - started).count();
  const double restore_cpu_s = CpuSeconds() - cpu_started;
  const Contents restored_contents = Count(**store, partitions);
  const int64_t stored_customers = restored_contents.customers;
  auto service_store = crm::pipeline::StateStore::Open({dir.path() + "/state", 64LL << 20, /*read_only=*/true});
  if (!service_store.ok()) std::abort();
  const Contents service_contents = Count(**service_store, partitions);
  const double per_event = 1.0 / static_cast<double>(events);
  std::printf("changelog after %lld events: %lld records, %lld bytes (keys, values, headers; before compression): "
              "%.2f records and %.0f bytes per input event\n",
              static_cast<long long>(events), static_cast<long long>(reference_records),
              static_cast<long long>(reference.bytes), static_cast<double>(reference_records) * per_event,
              static_cast<double>(reference.bytes) * per_event);
  std::printf("service store: %lld customers, %lld timers; restored store: %lld customers, %lld timers\n",
              static_cast<long long>(service_contents.customers), static_cast<long long>(service_contents.timers),
              static_cast<long long>(restored_contents.customers), static_cast<long long>(restored_contents.timers));
  std::printf("bare consumer:  %10.0f records/s\n", static_cast<double>(reference_records) / reference_s);
  std::printf("restore:        %10.0f records/s (%lld records, %lld epochs, %lld customers, %d threads) in %.2f s; "
              "ratio %.2f\n",
              static_cast<double>(restored) / restore_s, static_cast<long long>(restored.load()),
              static_cast<long long>(epochs.load()), static_cast<long long>(stored_customers), threads, restore_s,
              (static_cast<double>(restored) / restore_s) / (static_cast<double>(reference_records) / reference_s));
  std::printf("CPU of this process: bare consumer %.2f s (%.2f us/record), restore %.2f s (%.2f us/record)\n",
              reference_cpu_s, reference_cpu_s * 1e6 / static_cast<double>(reference_records), restore_cpu_s,
              restore_cpu_s * 1e6 / static_cast<double>(restored));
  const bool same = service_contents.customers == restored_contents.customers &&
                    service_contents.timers == restored_contents.timers;
  if (!same) std::printf("ERROR: the restored store differs from the service's\n");
  return restored == reference_records && same ? 0 : 1;
}

// Changelog restore rate: how fast a partition's state comes back on an
// instance that takes it over, against a bare librdkafka consumer reading
// the same changelog in the same run.
//
// 1. `crmstream broker` as its own process; a generated log of N events
//    (M customers) is produced and `crmstream run --stop-at-end` processes
//    it, writing the changelog.
// 2. Reference: a bare consumer reads every changelog partition to its end.
// 3. Restore: every partition is restored into a fresh RocksDB store
//    (RestoreChangelogPartition: parse, group by epoch, atomic batches).
// Prints records/s for both and their ratio.
//
//   crm_bench_restore [events=300000] [customers=100000] [partitions=8]
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "pipeline/changelog/changelog.h"
#include "pipeline/kafka/kafka_client.h"
#include "pipeline/state/state_store.h"
#include "tests/integration/harness.h"

namespace {

using Clock = std::chrono::steady_clock;

// Reads every partition of `topic` from the beginning to its end; returns
// the records read.
int64_t ReadAll(const std::string& bootstrap, const std::string& topic, int partitions) {
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
  int64_t records = 0;
  int at_end = 0;
  while (at_end < partitions) {
    crm::pipeline::OwnedMessage m(rd_kafka_consumer_poll(consumer->get(), 1000));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++at_end;
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++records;
    }
  }
  return records;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t events = argc > 1 ? std::atoll(argv[1]) : 300'000;
  const int64_t customers = argc > 2 ? std::atoll(argv[2]) : 100'000;
  const int partitions = argc > 3 ? std::atoi(argv[3]) : 8;
  crm::testing::BrokerProcess broker(partitions);
  crm::testing::ProduceAll(broker.bootstrap(), crm::testing::GeneratedLog(events, customers, 5));
  crm::testing::TempDir dir;
  const std::string config = crm::testing::WriteServiceConfig(dir.path(), broker.bootstrap(), dir.path() + "/state");
  if (crm::testing::RunServiceToEnd(config, {}, std::chrono::minutes(30)) != 0) {
    std::printf("ERROR: the service run failed\n");
    return 1;
  }

  auto started = Clock::now();
  const int64_t reference_records = ReadAll(broker.bootstrap(), "crm.changelog", partitions);
  const double reference_s = std::chrono::duration<double>(Clock::now() - started).count();

  auto store = crm::pipeline::StateStore::Open({dir.path() + "/restored", 256LL << 20, false});
  if (!store.ok()) std::abort();
  started = Clock::now();
  int64_t restored = 0, epochs = 0;
  for (int p = 0; p < partitions; ++p) {
    auto r = crm::pipeline::RestoreChangelogPartition({{"bootstrap.servers", broker.bootstrap()}}, "crm.changelog", p,
                                                      **store, nullptr);
    if (!r.ok()) {
      std::printf("ERROR: %s\n", r.status().message().c_str());
      return 1;
    }
    restored += r->records;
    epochs += r->epochs;
  }
  const double restore_s = std::chrono::duration<double>(Clock::now() - started).count();
  int64_t stored_customers = 0;
  (void)(*store)->ForEachCustomer([&](const std::string&, const std::string&) { return ++stored_customers, crm::Status::Ok(); });
  std::printf("changelog after %lld events: %lld records\n", static_cast<long long>(events),
              static_cast<long long>(reference_records));
  std::printf("bare consumer:  %10.0f records/s\n", static_cast<double>(reference_records) / reference_s);
  std::printf("restore:        %10.0f records/s (%lld records, %lld epochs, %lld customers) in %.2f s; ratio %.2f\n",
              static_cast<double>(restored) / restore_s, static_cast<long long>(restored),
              static_cast<long long>(epochs), static_cast<long long>(stored_customers), restore_s,
              (static_cast<double>(restored) / restore_s) / (static_cast<double>(reference_records) / reference_s));
  return restored == reference_records ? 0 : 1;
}

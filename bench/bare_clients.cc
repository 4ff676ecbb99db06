#include "bench/bare_clients.h"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <vector>

#include "bench/kafka_service.h"
#include "pipeline/kafka/kafka_client.h"

namespace crm::bench {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Reads `topic` to the end of every assigned partition as a member of
// `group_id`, calling `on_record` for each record; returns the records and
// the time from the first one to the end.
BareRun ReadToEnd(const std::string& bootstrap, const std::string& topic, const std::string& group_id,
                  const std::function<void(rd_kafka_t*)>& on_record) {
  auto conf = pipeline::MakeKafkaConf({{"bootstrap.servers", bootstrap},
                                       {"group.id", group_id},
                                       {"auto.offset.reset", "earliest"},
                                       {"enable.auto.commit", "false"},
                                       {"enable.partition.eof", "true"}});
  if (!conf.ok()) std::abort();
  auto consumer = pipeline::MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!consumer.ok()) std::abort();
  rd_kafka_t* rk = consumer->get();
  rd_kafka_poll_set_consumer(rk);
  pipeline::TopicPartitionList sub(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(sub.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, sub.get());
  BareRun run;
  SteadyClock::time_point first;
  int eofs = 0, partitions = -1;
  while (partitions < 0 || eofs < partitions) {
    pipeline::OwnedMessage m(rd_kafka_consumer_poll(rk, 100));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++eofs;
      if (partitions < 0) {
        rd_kafka_topic_partition_list_t* assigned = nullptr;
        rd_kafka_assignment(rk, &assigned);
        partitions = assigned->cnt;
        rd_kafka_topic_partition_list_destroy(assigned);
      }
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (run.records == 0) first = SteadyClock::now();
      ++run.records;
      on_record(rk);
    }
  }
  on_record(nullptr);  // the end: the pipe commits its last transaction
  run.seconds = std::chrono::duration<double>(SteadyClock::now() - first).count();
  rd_kafka_consumer_close(rk);
  return run;
}

}  // namespace

BareRun BareConsume(const std::string& bootstrap, const std::string& topic, const std::string& group_id) {
  return ReadToEnd(bootstrap, topic, group_id, [](rd_kafka_t*) {});
}

Result<BareRun> BarePipe(const config::Config& config, const std::string& group_id,
                         const std::map<std::string, TopicTally>& produced, int64_t input_records) {
  ASSIGN_OR_RETURN(std::unique_ptr<pipeline::RecordSink> sink, CrmstreamProducer(config, group_id + "-pipe"));
  struct Output {
    const TopicTally* tally;
    int64_t emitted = 0;
  };
  std::vector<Output> outputs;
  for (const auto& [topic, tally] : produced) {
    if (!tally.sample.empty()) outputs.push_back({&tally});
  }
  Status failed = Status::Ok();
  int64_t seen = 0, uncommitted = 0, emitted = 0, transactions = 0;
  auto last_commit = SteadyClock::now();
  const auto interval = std::chrono::milliseconds(config.runtime.commit_interval_ms);
  auto commit = [&](rd_kafka_t* rk) {
    if (!failed.ok()) return;
    failed = sink->Flush(60'000);
    ++transactions;
    if (rk != nullptr) rd_kafka_commit(rk, nullptr, 1);
    uncommitted = 0;
    last_commit = SteadyClock::now();
  };
  BareRun run = ReadToEnd(config.kafka.at("bootstrap.servers"), config.topics.purchases, group_id,
                          [&](rd_kafka_t* rk) {
                            if (rk == nullptr) return commit(nullptr);
                            ++seen;
                            ++uncommitted;
                            for (Output& out : outputs) {
                              // Spread each topic's records evenly over the input.
                              const int64_t due = out.tally->records * seen / input_records;
                              const auto& sample = out.tally->sample;
                              for (; out.emitted < due; ++out.emitted, ++emitted) {
                                Status s = sink->Produce(sample[static_cast<size_t>(out.emitted) % sample.size()]);
                                if (!s.ok() && failed.ok()) failed = s;
                              }
                            }
                            if (uncommitted >= config.runtime.max_uncommitted_events ||
                                SteadyClock::now() - last_commit >= interval) {
                              commit(rk);
                            }
                          });
  RETURN_IF_ERROR(failed);
  run.produced = emitted;
  run.transactions = transactions;
  return run;
}

}  // namespace crm::bench

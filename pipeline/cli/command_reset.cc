// `crmstream reset`: reprocess the inputs from their earliest records or from
// a datetime, with empty customer state (changelog_reset.h says how the
// state and positions of every instance are reset; docs/operations.md says
// when to use it).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <set>
#include <string>

#include "config/config.h"
#include "pipeline/changelog/changelog.h"
#include "pipeline/changelog/changelog_reset.h"
#include "pipeline/cli/commands.h"
#include "pipeline/io/clock.h"
#include "pipeline/kafka/kafka_client.h"
#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/kafka/reset_positions.h"
#include "pipeline/state/state_store.h"
#include "pipeline/wire/event_decoder.h"
#include "pipeline/wire/output_encoder.h"

namespace crm::pipeline {
namespace {

constexpr int kQueryTimeoutMs = 10'000;
constexpr int kFlushTimeoutMs = 60'000;

void Say(const std::string& line) { std::printf("%s\n", line.c_str()); }

int Fail(const std::string& why) {
  std::fflush(stdout);
  std::cerr << "crmstream reset: " << why << "\n";
  return kExitFailure;
}

// Refuses (false) while instances may be running: a running instance would
// go on committing old state and positions over the reset.
bool GroupIsIdle(rd_kafka_t* admin, const std::string& group, bool force) {
  Result<std::vector<GroupMember>> members = DescribeGroupMembers(admin, group, kQueryTimeoutMs);
  if (!members.ok()) {
    if (force) {
      Say("warning: cannot tell whether instances of group '" + group + "' are running (" +
          members.status().message() + "); going on because of --force");
      return true;
    }
    std::cerr << "crmstream reset: refusing: cannot tell whether instances of group '" << group
              << "' are running (" << members.status().message()
              << "). Stop every instance, then run again with --force.\n";
    return false;
  }
  if (members->empty()) {
    Say("group '" + group + "' has no members");
    return true;
  }
  std::string list;
  for (const GroupMember& m : *members) list += (list.empty() ? "" : ", ") + m.client_id + "@" + m.host;
  if (force) {
    Say("warning: group '" + group + "' has " + std::to_string(members->size()) + " members (" + list +
        "); going on because of --force: running instances will overwrite the reset when they commit");
    return true;
  }
  std::cerr << "crmstream reset: refusing: group '" << group << "' has " << members->size()
            << " members (" << list << "). Stop every instance and run again (or pass --force).\n";
  return false;
}

// Writes a reset epoch to every changelog partition.
int ResetThroughChangelog(const config::Config& config, rd_kafka_t* admin,
                          const std::map<TopicPartitionKey, ResetPosition>& positions) {
  const std::string& changelog = config.topics.changelog;
  Status ensured = EnsureChangelogTopic(admin, config.topics.purchases, changelog, kQueryTimeoutMs);
  if (!ensured.ok()) return Fail(ensured.message());
  auto sink = KafkaSink::Create(ProducerProperties(config.kafka));
  if (!sink.ok()) return Fail(sink.status().message());
  std::map<int32_t, std::map<TopicPartitionKey, int64_t>> by_partition;
  for (const auto& [tp, position] : positions) by_partition[tp.partition][tp] = position.offset;
  const std::string owner = ResetOwner(SystemClock().WallNs());
  for (const auto& [partition, offsets] : by_partition) {
    Result<ChangelogScan> scan = ScanChangelogPartition(config.kafka, changelog, partition, kQueryTimeoutMs);
    if (!scan.ok()) return Fail("partition " + std::to_string(partition) + ": " + scan.status().message());
    for (const OutputRecord& record : ResetEpochRecords(changelog, partition, owner, scan->live_keys, offsets)) {
      Status produced = (*sink)->Produce(record);
      if (!produced.ok()) return Fail(produced.message());
    }
    Status flushed = (*sink)->Flush(kFlushTimeoutMs);
    if (!flushed.ok()) {
      return Fail("partition " + std::to_string(partition) + ": " + flushed.message() +
                  " (run the reset again: it is safe to repeat)");
    }
    std::optional<int64_t> at = (*sink)->LastDeliveredOffset(changelog, partition);
    Say("partition " + std::to_string(partition) + ": " + changelog + " read (" + std::to_string(scan->records) +
        " records), " + std::to_string(scan->live_keys.size()) + " state keys deleted, reset marker at offset " +
        (at ? std::to_string(*at) : std::string("?")));
  }
  return kExitOk;
}

// Without the changelog there is one instance and its local store: reset it
// in place (the store is locked while the instance runs).
int ResetLocalStore(const config::Config& config, const std::map<TopicPartitionKey, ResetPosition>& positions) {
  auto store = StateStore::Open(StateStoreOptions{config.state.dir, config::StoreBudgetBytes(config.state), false});
  if (!store.ok()) return Fail(store.status().message() + " (is an instance still running?)");
  std::vector<std::string> customers;
  Status listed = (*store)->ForEachCustomer([&](const std::string& id, const std::string&) {
    customers.push_back(id);
    return Status::Ok();
  });
  if (!listed.ok()) return Fail(listed.message());
  std::set<int32_t> partitions;
  for (const auto& [tp, position] : positions) partitions.insert(tp.partition);
  bool first = true;
  for (int32_t partition : partitions) {
    Status dropped = (*store)->DropPartition(partition, first ? customers : std::vector<std::string>{});
    if (!dropped.ok()) return Fail(dropped.message());
    first = false;
  }
  CommitBatch batch;
  for (const auto& [tp, position] : positions) batch.next_offsets[tp] = position.offset;
  auto counters = (*store)->Counters();
  if (!counters.ok()) return Fail(counters.status().message());
  for (const auto& [name, value] : *counters) batch.counters[name] = 0;
  Status committed = (*store)->Commit(batch);
  if (!committed.ok()) return Fail(committed.message());
  Say("state store " + config.state.dir + ": " + std::to_string(customers.size()) +
      " customers and every timer deleted, positions stored");
  return kExitOk;
}

// Advisory, like the service's own commits: lag tools show the new positions.
void CommitGroupOffsets(const config::Config& config, const std::map<TopicPartitionKey, ResetPosition>& positions) {
  KafkaProperties props = ConsumerProperties(config.kafka);
  props.erase("group.instance.id");
  props["group.id"] = config.runtime.group_id;
  props["enable.auto.commit"] = "false";
  auto conf = MakeKafkaConf(props);
  if (!conf.ok()) return;
  auto consumer = MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(conf).value());
  if (!consumer.ok()) return;
  TopicPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
  for (const auto& [tp, position] : positions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = position.offset;
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer->get(), list.get(), /*async=*/0);
  Say(err == RD_KAFKA_RESP_ERR_NO_ERROR
          ? "group offsets of '" + config.runtime.group_id + "' set to the same positions (for lag tools)"
          : "warning: group offsets not updated (" + KafkaErrorText(err) + "); they are advisory only");
  if (rd_kafka_resp_err_t closed = rd_kafka_consumer_close(consumer->get()); closed != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Say("warning: leaving the group: " + KafkaErrorText(closed));
  }
}

}  // namespace

int RunResetCommand(const ResetCommandOptions& options, const CliContext& context) {
  config::Config config;
  if (!LoadConfigOrReport(options.config_path, context, config)) return kExitUsage;
  ResetTarget target;
  if (!options.to_datetime.empty()) {
    int64_t at_ms = 0;
    if (!ParseRfc3339(options.to_datetime, at_ms)) {
      std::cerr << "crmstream reset: --to-datetime '" << options.to_datetime
                << "' is not an RFC 3339 datetime (e.g. 2026-11-30T00:00:00Z)\n";
      return kExitUsage;
    }
    target.at_ms = at_ms;
  }
  auto conf = MakeKafkaConf(ProducerProperties(config.kafka));
  if (!conf.ok()) {
    std::cerr << "crmstream reset: " << conf.status().message() << "\n";
    return kExitUsage;
  }
  auto admin = MakeKafkaClient(RD_KAFKA_PRODUCER, std::move(conf).value());
  if (!admin.ok()) return Fail(admin.status().message());
  // A consumer that never subscribes: where the broker cannot look offsets
  // up by time, it reads record timestamps.
  KafkaProperties props = ConsumerProperties(config.kafka);
  props.erase("group.instance.id");
  props["group.id"] = "crmstream-reset";
  props["enable.auto.commit"] = "false";
  props["enable.partition.eof"] = "true";
  props.try_emplace("isolation.level", "read_committed");
  auto reader_conf = MakeKafkaConf(props);
  if (!reader_conf.ok()) return Fail(reader_conf.status().message());
  auto reader = MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(reader_conf).value());
  if (!reader.ok()) return Fail(reader.status().message());

  if (!GroupIsIdle(admin->get(), config.runtime.group_id, options.force)) return kExitFailure;
  const auto input_topics = config::InputTopics(config.topics);
  const std::vector<std::string> inputs(input_topics.begin(), input_topics.end());
  auto positions = FindResetPositions(admin->get(), reader->get(), inputs, target, kQueryTimeoutMs);
  if (!positions.ok()) return Fail(positions.status().message());
  const std::string where = target.at_ms ? "the first records at or after " + FormatRfc3339(*target.at_ms)
                                         : std::string("the earliest records");
  Say("reset of group '" + config.runtime.group_id + "' to " + where +
      (options.dry_run ? " (dry run: nothing is changed)" : ""));
  for (const auto& [tp, p] : *positions) {
    Say(tp.topic + " [" + std::to_string(tp.partition) + "]: from offset " + std::to_string(p.offset) + " (retained " +
        std::to_string(p.low) + ".." + std::to_string(p.high) + ", " + std::to_string(p.high - p.offset) +
        " records to reprocess" + (p.found_by_reading ? "; found by reading record timestamps" : "") + ")");
  }
  if (options.dry_run) return kExitOk;
  const int code = config.state.changelog ? ResetThroughChangelog(config, admin->get(), *positions)
                                          : ResetLocalStore(config, *positions);
  if (code != kExitOk) return code;
  CommitGroupOffsets(config, *positions);
  Say("done: the next start of any instance begins every input partition at these offsets with empty customer "
      "state; outputs are published again with the same CloudEvents ids");
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace crm::pipeline

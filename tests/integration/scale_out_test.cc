// State that moves: a partition's state travels through the changelog topic.
// - An instance that lost its state directory restores every partition from
//   the changelog and resumes where it was, republishing nothing.
// - Two instances share a consumer group; one is killed with SIGKILL, the
//   other takes over its partitions by restoring them from the changelog, and
//   the end result is exactly that of one uninterrupted run: byte-identical
//   state, the same outputs (repeats only as exact copies, counted).
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <set>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

const char* const kOutputKinds[] = {"alerts-", "segments-", "dead-"};



// Every output of `name` is one of the reference's and none is missing;
// returns the repeated copies.
size_t ExpectSameOutputs(const std::string& bootstrap, const std::string& name, const std::string& reference) {
  size_t copies = 0;
  for (const std::string kind : kOutputKinds) {
    auto expected = CollectPublished(bootstrap, kind + reference);
    auto got = CollectPublished(bootstrap, kind + name);
    EXPECT_FALSE(expected.distinct.empty()) << kind;
    EXPECT_TRUE(got.distinct == expected.distinct)
        << kind << name << ": " << got.distinct.size() << " distinct vs " << expected.distinct.size();
    copies += got.total - got.distinct.size();
  }
  return copies;
}

TEST(ScaleOut, AChangelogWithFewerPartitionsThanTheInputsStopsStartUp) {
  BrokerProcess broker(4);
  ASSERT_TRUE(broker.Command("topic changelog-small 2"));
  TempDir dir;
  const std::string config = WriteRunConfig(dir, broker.bootstrap(), "small", "small");
  ChildProcess run({CrmstreamBinary(), "run", "--config", config}, {{"CRMSTREAM_TOPICS_CHANGELOG", "changelog-small"}},
                   true);
  const std::string output = run.ReadAll();
  EXPECT_EQ(run.Wait(std::chrono::seconds(30)), 2);
  EXPECT_NE(output.find("changelog topic 'changelog-small' has 2 partitions, fewer than the 4 of 'crm.purchases'"),
            std::string::npos)
      << output;
}

TEST(ScaleOut, StaticMembershipKeepsItsPartitionsAcrossAKill) {
  BrokerProcess broker(4);
  ProduceAll(broker.bootstrap(), GeneratedLog(6000, 300, 23));
  TempDir reference_dir, static_dir;
  const std::string reference = WriteRunConfig(reference_dir, broker.bootstrap(), "static-ref", "static-ref");
  ASSERT_EQ(RunServiceToEnd(reference), 0);
  // A static member (group.instance.id) killed and restarted under the same
  // id rejoins as the same member and ends as one uninterrupted run.
  const std::string config = WriteRunConfig(static_dir, broker.bootstrap(), "static", "static");
  const std::map<std::string, std::string> member = {{"CRMSTREAM_KAFKA_GROUP_INSTANCE_ID", "crm-member-1"},
                                                     {"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "20"}};
  {
    ChildProcess service({CrmstreamBinary(), "run", "--config", config}, member, true);
    ASSERT_TRUE(service.WaitForLine("assigned", std::chrono::seconds(60)));
    service.Signal(SIGKILL);
    ASSERT_TRUE(service.Wait(std::chrono::seconds(10)).has_value());
  }
  ASSERT_EQ(RunServiceToEnd(config, member), 0);
  EXPECT_TRUE(DumpState(config) == DumpState(reference));
  ExpectSameOutputs(broker.bootstrap(), "static", "static-ref");
}

TEST(ScaleOut, ALostStateDirectoryIsRestoredFromTheChangelog) {
  BrokerProcess broker(4);
  ProduceAll(broker.bootstrap(), GeneratedLog(6000, 300, 3));
  TempDir dir;
  const std::string config = WriteRunConfig(dir, broker.bootstrap(), "restore", "restore");
  ASSERT_EQ(RunServiceToEnd(config), 0);
  const std::string before = DumpState(config);
  const size_t outputs = CollectPublished(broker.bootstrap(), "segments-restore").total;

  std::filesystem::remove_all(dir.path() + "/state");
  ChildProcess service({CrmstreamBinary(), "run", "--config", config, "--stop-at-end"}, {}, true);
  ASSERT_TRUE(service.WaitForLine("restored partition", std::chrono::seconds(60)));
  ASSERT_EQ(service.Wait(std::chrono::seconds(120)), 0);
  EXPECT_TRUE(DumpState(config) == before) << "restored state differs";
  EXPECT_EQ(CollectPublished(broker.bootstrap(), "segments-restore").total, outputs)
      << "the restored offsets resume where the state was: nothing is reprocessed";
}

TEST(ScaleOut, ASurvivingInstanceTakesOverAKilledOnesPartitions) {
  BrokerProcess broker(4);
  // Half of the log before the instances start; the later half's purchases
  // once they share the partitions. (Purchases only, all later than the
  // first half: the merge order then cannot depend on arrival timing, so the
  // batch reference run below sees the same order.)
  const std::vector<InputMessage> log = GeneratedLog(30000, 1500, 17);
  const auto half = log.begin() + static_cast<std::ptrdiff_t>(log.size() / 2);
  ProduceAll(broker.bootstrap(), std::vector<InputMessage>(log.begin(), half));
  std::vector<InputMessage> later;
  for (auto it = half; it != log.end(); ++it) {
    if (it->topic == "crm.purchases") later.push_back(*it);
  }
  TempDir reference_dir, a_dir, b_dir;

  // Two instances of one group, sharing the output and changelog topics.
  const std::string a = WriteRunConfig(a_dir, broker.bootstrap(), "takeover", "two", "instance-a");
  const std::string b = WriteRunConfig(b_dir, broker.bootstrap(), "takeover", "two", "instance-b");
  // Small commits, so the killed instance has committed state to hand over.
  const std::map<std::string, std::string> small = {{"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "50"},
                                                    {"CRMSTREAM_RUNTIME_MAX_UNCOMMITTED_EVENTS", "200"}};
  ChildProcess instance_a({CrmstreamBinary(), "run", "--config", a}, small, true);
  ASSERT_TRUE(instance_a.WaitForLine("assigned", std::chrono::seconds(60)));
  ChildProcess instance_b({CrmstreamBinary(), "run", "--config", b}, small, true);
  ASSERT_TRUE(instance_b.WaitForLine("assigned", std::chrono::seconds(60)));
  // Once both own half of the partitions, kill A as soon as the changelog
  // shows it committed after the split: then B must restore what A did.
  ASSERT_TRUE(instance_a.WaitForLine("assigned 10 input partitions", std::chrono::seconds(60)));
  auto epochs_of_a = [&] {
    size_t n = 0;
    for (const auto& r : ReadTopic(broker.bootstrap(), "changelog-two")) {
      auto it = r.headers.find("crm.epoch");
      n += !r.key.empty() && r.key[0] == 'm' && it != r.headers.end() && it->second.rfind("instance-a/", 0) == 0;
    }
    return n;
  };
  const size_t before_split = epochs_of_a();
  ProduceAll(broker.bootstrap(), later);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (epochs_of_a() == before_split) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "instance A never committed after the split";
  }
  instance_a.Signal(SIGKILL);
  ASSERT_TRUE(instance_a.Wait(std::chrono::seconds(10)).has_value());

  // B gets A's partitions after A's session times out, restores their state
  // from the changelog and goes on; a clean restart of B then finishes the
  // log (stop-at-end) on B's own store.
  ASSERT_TRUE(instance_b.WaitForLine("restored partition", std::chrono::seconds(60)));
  instance_b.Signal(SIGTERM);
  ASSERT_EQ(instance_b.Wait(std::chrono::seconds(60)), 0);
  ASSERT_EQ(RunServiceToEnd(b), 0);

  // The uninterrupted run of the whole log, for comparison.
  const std::string reference = WriteRunConfig(reference_dir, broker.bootstrap(), "takeover-ref", "ref");
  ASSERT_EQ(RunServiceToEnd(reference), 0);
  EXPECT_TRUE(DumpState(b) == DumpState(reference)) << "state after the takeover differs from one run's";
  const size_t copies = ExpectSameOutputs(broker.bootstrap(), "two", "ref");
  std::printf("takeover: %zu events; outputs equal to the uninterrupted run's; %zu repeated copies\n", log.size() / 2 + later.size(), copies);
}

}  // namespace
}  // namespace crm::testing

// Zombie fencing (issue 10, item 7): an instance paused (SIGSTOP) past its
// session while another takes its partitions over, then resumed (SIGCONT),
// must not complete a changelog epoch for partitions it no longer owns, and
// no later restore may apply one. Two instances of one group run, A is
// paused until B has restored A's partitions, input arrives, A resumes, and
// both run on; then B finishes the log alone, and a third instance restores
// everything from the changelog on a fresh disk. Both end with the state of
// one uninterrupted run, and the outputs are that run's (copies counted).
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <map>
#include <string>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

const char* const kOutputKinds[] = {"alerts-", "segments-", "dead-"};

struct ChangelogOwnership {
  size_t claims = 0;
  size_t markers = 0;
  size_t markers_of_a_non_owner = 0;  // an epoch completed after another writer claimed the partition
};

// Walks every changelog partition in log order: the owner is the writer of
// the latest claim ('o' records, value = the writer's epoch prefix).
ChangelogOwnership ReadOwnership(const std::string& bootstrap, const std::string& topic) {
  ChangelogOwnership o;
  std::map<int32_t, std::string> owner;
  for (const ConsumedRecord& r : ReadTopic(bootstrap, topic)) {
    if (r.key.empty()) continue;
    if (r.key[0] == 'o') {
      ++o.claims;
      owner[r.partition] = r.value;
    } else if (r.key[0] == 'm') {  // a run's marker: 'm' and the run
      ++o.markers;
      auto epoch = r.headers.find("crm.epoch");
      auto it = owner.find(r.partition);
      if (it != owner.end() && (epoch == r.headers.end() || epoch->second.rfind(it->second, 0) != 0)) {
        ++o.markers_of_a_non_owner;
      }
    }
  }
  return o;
}

TEST(Zombie, AnInstancePausedPastItsSessionIsFencedAndTheResultEqualsOneRun) {
  BrokerProcess broker(4);
  const std::vector<InputMessage> log = GeneratedLog(24000, 1200, 29);
  const auto half = log.begin() + static_cast<std::ptrdiff_t>(log.size() / 2);
  ProduceAll(broker.bootstrap(), std::vector<InputMessage>(log.begin(), half));
  // Later purchases only, all after the first half (as in the takeover
  // test: the merge order cannot depend on arrival timing).
  std::vector<InputMessage> later;
  for (auto it = half; it != log.end(); ++it) {
    if (it->topic == "crm.purchases") later.push_back(*it);
  }
  const auto middle = later.begin() + static_cast<std::ptrdiff_t>(later.size() / 2);
  TempDir reference_dir, a_dir, b_dir, c_dir;
  const std::string a = WriteRunConfig(a_dir, broker.bootstrap(), "zombie", "zmb", "instance-a");
  const std::string b = WriteRunConfig(b_dir, broker.bootstrap(), "zombie", "zmb", "instance-b");
  const std::map<std::string, std::string> small = {{"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "50"},
                                                    {"CRMSTREAM_RUNTIME_MAX_UNCOMMITTED_EVENTS", "200"}};
  // A's heartbeats are rare, so that once resumed it is likely to try a
  // commit (and be fenced) before its next heartbeat says it was dropped.
  std::map<std::string, std::string> rare_heartbeats = small;
  rare_heartbeats["CRMSTREAM_KAFKA_HEARTBEAT_INTERVAL_MS"] = "5000";
  ChildProcess instance_a({CrmstreamBinary(), "run", "--config", a}, rare_heartbeats, true);
  ASSERT_TRUE(instance_a.WaitForLine("assigned", std::chrono::seconds(60)));
  ChildProcess instance_b({CrmstreamBinary(), "run", "--config", b}, small, true);
  ASSERT_TRUE(instance_b.WaitForLine("assigned", std::chrono::seconds(60)));
  ASSERT_TRUE(instance_a.WaitForLine("assigned 10 input partitions", std::chrono::seconds(60)));

  // A freezes with its partitions; B takes them over once A's session
  // expires, restoring what A committed. Input arrives meanwhile.
  instance_a.Signal(SIGSTOP);
  ASSERT_TRUE(instance_b.WaitForLine("restored partition", std::chrono::seconds(60)));
  ProduceAll(broker.bootstrap(), std::vector<InputMessage>(later.begin(), middle));
  // A wakes up believing it still owns its partitions: it fetches, processes
  // and tries to commit, or learns first that its assignment is lost.
  instance_a.Signal(SIGCONT);
  ProduceAll(broker.bootstrap(), std::vector<InputMessage>(middle, later.end()));
  std::string noticed;
  for (auto line = instance_a.ReadLine(std::chrono::seconds(60)); line; line = instance_a.ReadLine(std::chrono::seconds(60))) {
    if (line->find("uncommitted work dropped") != std::string::npos) {
      noticed = *line;
      break;
    }
  }
  ASSERT_FALSE(noticed.empty()) << "the resumed instance never noticed it had lost its partitions";
  std::printf("zombie noticed: %s\n", noticed.c_str());
  // A rejoins and gets a share again; both run on.
  ASSERT_TRUE(instance_a.WaitForLine("assigned", std::chrono::seconds(60)));
  instance_a.Signal(SIGTERM);
  ASSERT_EQ(instance_a.Wait(std::chrono::seconds(60)), 0);
  instance_b.Signal(SIGTERM);
  ASSERT_EQ(instance_b.Wait(std::chrono::seconds(60)), 0);
  ASSERT_EQ(RunServiceToEnd(b), 0);

  const std::string reference = WriteRunConfig(reference_dir, broker.bootstrap(), "zombie-ref", "zref");
  ASSERT_EQ(RunServiceToEnd(reference), 0);
  const std::string expected = DumpState(reference);
  EXPECT_TRUE(DumpState(b) == expected) << "state after the zombie differs from one run's";

  // A fresh disk restores every partition from the changelog: no zombie
  // epoch may be in what it applies.
  const std::string c = WriteRunConfig(c_dir, broker.bootstrap(), "zombie", "zmb", "instance-c");
  ASSERT_EQ(RunServiceToEnd(c), 0);
  EXPECT_TRUE(DumpState(c) == expected) << "state restored from the changelog differs from one run's";

  const ChangelogOwnership ownership = ReadOwnership(broker.bootstrap(), "changelog-zmb");
  EXPECT_GT(ownership.claims, 0u) << "assignments write no claims";
  EXPECT_EQ(ownership.markers_of_a_non_owner, 0u) << "an epoch was completed by an instance that had been fenced";

  size_t copies = 0;
  for (const std::string kind : kOutputKinds) {
    auto want = CollectPublished(broker.bootstrap(), kind + "zref");
    auto got = CollectPublished(broker.bootstrap(), kind + "zmb");
    EXPECT_FALSE(want.distinct.empty()) << kind;
    EXPECT_TRUE(got.distinct == want.distinct) << kind << ": " << got.distinct.size() << " vs " << want.distinct.size();
    copies += got.total - got.distinct.size();
  }
  std::printf("zombie: %zu claims, %zu markers, %zu repeated output copies\n", ownership.claims, ownership.markers,
              copies);
}

}  // namespace
}  // namespace crm::testing

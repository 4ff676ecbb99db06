// Crash safety, proved the way Kafka Streams proves exactly-once: a known
// event log is processed by a service that is killed with SIGKILL at random
// instants (at least 10 times) and restarted, and the result is compared
// with an uninterrupted run of the same log:
// - the final state dump is byte-identical (no event applied twice or lost);
// - every output of the uninterrupted run is there, with the same id and
//   content, and nothing else; repeats are exact copies, and are counted.
// One SIGTERM in the middle must stop the service cleanly (exit 0).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <random>
#include <thread>
#include <set>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

constexpr int kKills = 10;

std::string Config(const TempDir& dir, const std::string& bootstrap, const std::string& name) {
  return WriteRunConfig(dir, bootstrap, "chaos-" + name, name);
}

// Distinct records and how many copies were seen.
// Frequent, small commits so that kills land between, during and right after
// commits.
const std::map<std::string, std::string> kSmallCommits = {
    {"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "20"}, {"CRMSTREAM_RUNTIME_MAX_UNCOMMITTED_EVENTS", "50"}};

TEST(Chaos, KilledAndRestartedServiceEndsExactlyLikeAnUninterruptedOne) {
  BrokerProcess broker(4);
  const auto log = GeneratedLog(40000, 1500, 11);
  ProduceAll(broker.bootstrap(), log);

  TempDir reference_dir, chaos_dir;
  const std::string reference = Config(reference_dir, broker.bootstrap(), "reference");
  const std::string chaos = Config(chaos_dir, broker.bootstrap(), "killed");
  // The uninterrupted run, timed from its partition assignment to its exit,
  // so that the kills below can land inside the processing.
  std::chrono::milliseconds processing{0};
  {
    ChildProcess service({CrmstreamBinary(), "run", "--config", reference, "--stop-at-end"}, kSmallCommits, true);
    ASSERT_TRUE(service.WaitForLine("assigned", std::chrono::seconds(60)));
    auto assigned = std::chrono::steady_clock::now();
    ASSERT_EQ(service.Wait(std::chrono::seconds(120)), 0);
    processing = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - assigned);
  }
  std::printf("uninterrupted run: %lld ms from assignment to exit\n", static_cast<long long>(processing.count()));

  // Kill instants spread over the first sixth of the processing time after
  // each restart: every run makes some progress, and ten runs do not finish
  // the log.
  std::mt19937 rng(20261124);
  std::uniform_int_distribution<int64_t> delay_ms(0, processing.count() / 6);
  int kills = 0, runs = 0;
  bool finished = false, terminated = false;
  while (!finished && runs < 40) {
    ++runs;
    ChildProcess service({CrmstreamBinary(), "run", "--config", chaos, "--stop-at-end"}, kSmallCommits, true);
    ASSERT_TRUE(service.WaitForLine("assigned", std::chrono::seconds(60))) << "no partitions in run " << runs;
    if (kills < kKills) {
      // The chaos itself: a random instant after the partitions are assigned.
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      service.Signal(SIGKILL);
      auto code = service.Wait(std::chrono::seconds(30));
      ASSERT_TRUE(code.has_value());
      if (*code == 128 + SIGKILL) {
        ++kills;
      } else {
        ASSERT_EQ(*code, 0);  // it had already finished: the kill came too late
        finished = true;
      }
    } else if (!terminated) {
      // A graceful stop in the middle: finish the commit, exit 0, promptly.
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      service.Signal(SIGTERM);
      EXPECT_EQ(service.Wait(std::chrono::seconds(15)), 0) << "SIGTERM must stop cleanly within the deadline";
      terminated = true;
    } else {
      ASSERT_EQ(service.Wait(std::chrono::seconds(120)), 0);
      finished = true;
    }
  }
  ASSERT_TRUE(finished);
  EXPECT_GE(kills, kKills) << "the log was consumed before enough kills";

  EXPECT_TRUE(DumpState(chaos) == DumpState(reference)) << "state differs from the uninterrupted run";

  size_t copies = 0, verified = 0;
  for (const std::string kind : {"alerts-", "segments-", "dead-"}) {
    PublishedRecords expected = CollectPublished(broker.bootstrap(), kind + "reference");
    PublishedRecords got = CollectPublished(broker.bootstrap(), kind + "killed");
    EXPECT_EQ(expected.total, expected.distinct.size()) << "the uninterrupted run repeated nothing";
    EXPECT_TRUE(got.distinct == expected.distinct)
        << kind << ": " << got.distinct.size() << " distinct records vs " << expected.distinct.size();
    copies += got.total - got.distinct.size();
    verified += expected.distinct.size();
  }
  std::printf("chaos: %d kills in %d runs; %zu input events; %zu outputs verified; %zu repeated copies\n",
              kills, runs, log.size(), verified, copies);
  ::testing::Test::RecordProperty("kills", kills);
  ::testing::Test::RecordProperty("copies", static_cast<int>(copies));
}

}  // namespace
}  // namespace crm::testing

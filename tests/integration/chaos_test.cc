// Crash safety, proved the way Kafka Streams proves exactly-once: a known
// event log is processed by a service that is killed with SIGKILL at random
// instants (at least 10 times) and restarted, and the result is compared
// with an uninterrupted run of the same log (chaos_runner.h):
// - the final state dump is byte-identical (no event applied twice or lost);
// - every output of the uninterrupted run is there, with the same id and
//   content, and nothing else; repeats are exact copies, and are counted.
// One SIGTERM in the middle must stop the service cleanly (exit 0).
// bench/chaos_long.cc runs the same with many more kills.
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/integration/chaos_runner.h"

namespace crm::testing {
namespace {

TEST(Chaos, KilledAndRestartedServiceEndsExactlyLikeAnUninterruptedOne) {
  ChaosOptions options;
  // Frequent, small commits so that kills land between, during and right
  // after commits.
  options.env = {{"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "20"}, {"CRMSTREAM_RUNTIME_MAX_UNCOMMITTED_EVENTS", "50"}};
  const ChaosResult r = RunChaos(options);
  ASSERT_EQ(r.failure, "");
  std::printf("uninterrupted run: %lld ms from assignment to exit\n", static_cast<long long>(r.processing_ms));
  EXPECT_GE(r.kills, options.kills) << "the log was consumed before enough kills";
  EXPECT_TRUE(r.sigterm_clean) << "SIGTERM must stop cleanly within the deadline";
  EXPECT_TRUE(r.state_equal) << r.differences;
  EXPECT_TRUE(r.outputs_equal) << r.differences;
  EXPECT_EQ(r.reference_repeats, 0u) << "the uninterrupted run repeated nothing";
  std::printf("chaos: %d kills in %d runs; %zu input events; %zu outputs verified; %zu repeated copies\n", r.kills,
              r.runs, r.events, r.verified, r.copies);
  ::testing::Test::RecordProperty("kills", r.kills);
  ::testing::Test::RecordProperty("copies", static_cast<int>(r.copies));
}

// Issue 14: with the pipelined commit, the service processes the next epoch
// while the previous one's commit is in flight. Commit points every 10 ms
// (the least allowed) or 20 events keep a commit in flight nearly all the
// time, so the kills land while one epoch is being acknowledged and written
// and the next one is being processed (its outputs held in memory): neither
// may leave a trace that the restart does not repair.
TEST(Chaos, KilledWhileOneEpochCommitsAndTheNextIsProcessedEndsExactlyLikeAnUninterruptedOne) {
  ChaosOptions options;
  options.seed = 14;
  options.env = {{"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "10"}, {"CRMSTREAM_RUNTIME_MAX_UNCOMMITTED_EVENTS", "20"}};
  const ChaosResult r = RunChaos(options);
  ASSERT_EQ(r.failure, "");
  EXPECT_GE(r.kills, options.kills) << "the log was consumed before enough kills";
  EXPECT_TRUE(r.sigterm_clean) << "SIGTERM must stop cleanly within the deadline";
  EXPECT_TRUE(r.state_equal) << r.differences;
  EXPECT_TRUE(r.outputs_equal) << r.differences;
  EXPECT_EQ(r.reference_repeats, 0u) << "the uninterrupted run repeated nothing";
  std::printf("chaos (pipelined): %d kills in %d runs; %zu outputs verified; %zu repeated copies\n", r.kills, r.runs,
              r.verified, r.copies);
}

}  // namespace
}  // namespace crm::testing

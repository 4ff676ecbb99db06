// Partitions newly assigned are restored up to state.restore_threads at a
// time, each partition once; a failure names its partition; a stop request
// leaves the partitions not restored out (RestorePartitions over a real
// processor and store, with a fake changelog reader).
#include "pipeline/runtime/partition_restore.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <vector>

#include "tests/pipeline/processor_fixture.h"

namespace crm::pipeline {
namespace {

class PartitionRestoreTest : public ProcessorFixture {
 protected:
  // A fake reader that counts how many restores run at once. With
  // `meet` set, a restore waits until `meet` restores are running together
  // (or until a generous guard passes, which the assertions then catch).
  struct Reader {
    std::mutex mutex;
    std::condition_variable changed;
    int running = 0;
    int most_running = 0;
    int meet = 0;
    std::vector<int32_t> calls;

    Result<RestoreResult> Restore(int32_t partition) {
      std::unique_lock<std::mutex> lock(mutex);
      calls.push_back(partition);
      most_running = std::max(most_running, ++running);
      changed.notify_all();
      if (meet > 1) {
        changed.wait_for(lock, std::chrono::seconds(20), [this] { return most_running >= meet; });
      }
      --running;
      RestoreResult result;
      result.records = 10 + partition;
      return result;
    }
  };

  Result<std::set<int32_t>> Restore(const std::set<int32_t>& partitions, const ChangelogRestorer& restorer) {
    ServiceHealth health(clock_);
    return RestorePartitions({config_, metrics_, health, clock_, *processor_, *store_, restorer, &stop_}, partitions);
  }

  std::atomic<bool> stop_{false};
};

TEST_F(PartitionRestoreTest, RestoresAsManyPartitionsAtOnceAsConfiguredAndEachOnce) {
  config_.state.restore_threads = 2;
  Reader reader;
  reader.meet = 2;  // the first two restores overlap, or the test fails
  const ChangelogRestorer restorer = [&reader](int32_t partition, StateStore&, const auto&, const RestoreOptions&) {
    return reader.Restore(partition);
  };
  auto unrestored = Restore({0, 1, 2, 3, 4}, restorer);
  ASSERT_TRUE(unrestored.ok()) << unrestored.status().message();
  EXPECT_TRUE(unrestored->empty());
  EXPECT_EQ(reader.most_running, 2);
  std::vector<int32_t> calls = reader.calls;
  std::sort(calls.begin(), calls.end());
  EXPECT_EQ(calls, (std::vector<int32_t>{0, 1, 2, 3, 4}));
}

TEST_F(PartitionRestoreTest, OneThreadRestoresInPartitionOrderOneAtATime) {
  config_.state.restore_threads = 1;
  Reader reader;
  const ChangelogRestorer restorer = [&reader](int32_t partition, StateStore&, const auto&, const RestoreOptions&) {
    return reader.Restore(partition);
  };
  auto unrestored = Restore({3, 1, 2}, restorer);
  ASSERT_TRUE(unrestored.ok()) << unrestored.status().message();
  EXPECT_TRUE(unrestored->empty());
  EXPECT_EQ(reader.most_running, 1);
  EXPECT_EQ(reader.calls, (std::vector<int32_t>{1, 2, 3}));
}

TEST_F(PartitionRestoreTest, AFailedPartitionIsNamedInTheError) {
  config_.state.restore_threads = 2;
  const ChangelogRestorer restorer = [](int32_t partition, StateStore&, const auto&,
                                        const RestoreOptions&) -> Result<RestoreResult> {
    if (partition == 2) return Status::IoError("disk full");
    return RestoreResult{};
  };
  auto unrestored = Restore({0, 1, 2, 3}, restorer);
  ASSERT_FALSE(unrestored.ok());
  EXPECT_NE(unrestored.status().message().find("restore partition 2: disk full"), std::string::npos)
      << unrestored.status().message();
}

// A stop request during a restore: that partition reports itself
// interrupted, no partition is started after it, and every partition not
// restored is reported (to be left out of the assignment).
TEST_F(PartitionRestoreTest, AStopRequestLeavesThePartitionsNotRestoredOut) {
  config_.state.restore_threads = 1;
  std::vector<int32_t> calls;
  const ChangelogRestorer restorer = [this, &calls](int32_t partition, StateStore&, const auto&,
                                                    const RestoreOptions& options) -> Result<RestoreResult> {
    calls.push_back(partition);
    RestoreResult result;
    if (partition == 1) {
      stop_ = true;
      result.interrupted = options.interrupted();
    }
    return result;
  };
  auto unrestored = Restore({0, 1, 2, 3}, restorer);
  ASSERT_TRUE(unrestored.ok()) << unrestored.status().message();
  EXPECT_EQ(*unrestored, (std::set<int32_t>{1, 2, 3}));
  EXPECT_EQ(calls, (std::vector<int32_t>{0, 1}));
}

}  // namespace
}  // namespace crm::pipeline

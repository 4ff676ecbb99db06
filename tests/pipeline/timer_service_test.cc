// TimerService on a real state store: what a commit writes, and the due scan
// that merges committed and uncommitted timers in (due, customer) order and
// skips the store while the watermark is below every timer it could fire.
#include "pipeline/runtime/timer_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/pipeline/store_test_fixture.h"

namespace crm::pipeline {
namespace {

class TimerServiceTest : public StoreTest {
 protected:
  TimerServiceTest() : StoreTest("crm-timers") {}
  void SetUp() override {
    StoreTest::SetUp();
    timers_ = std::make_unique<TimerService>(*store_);
  }
  void TearDown() override {
    timers_.reset();
    StoreTest::TearDown();
  }
  static operators::TimerRequest Arm(int64_t due, int64_t cancel = 0) {
    return operators::TimerRequest{operators::EventTime{cancel}, operators::EventTime{due}};
  }
  // Writes the timer changes as a commit would.
  void Commit() {
    CommitBatch batch;
    batch.timers = timers_->changes();
    ASSERT_TRUE(store_->Commit(batch).ok());
    timers_->Committed();
  }
  // Fires what is due by `watermark` (at most `limit`), dropping each fired timer.
  std::vector<std::string> Fire(int64_t watermark, int64_t limit = INT64_MAX) {
    std::vector<std::string> fired;
    auto count = timers_->FireDue(0, watermark, limit, [&](const TimerKey& key) {
      fired.push_back(key.customer_id + "@" + std::to_string(key.due_ms));
      timers_->Drop(key);
      return Status::Ok();
    });
    EXPECT_TRUE(count.ok());
    EXPECT_EQ(count.ok() ? *count : -1, static_cast<int64_t>(fired.size()));
    return fired;
  }

  std::unique_ptr<TimerService> timers_;
};

TEST_F(TimerServiceTest, ATimerArmedAndDroppedBeforeACommitLeavesNothingToWrite) {
  timers_->Apply(0, "a", Arm(100));
  timers_->Apply(0, "a", Arm(200, /*cancel=*/100));
  EXPECT_EQ(timers_->changes(), (std::map<TimerKey, bool>{{TimerKey{0, 200, "a"}, true}}));
  EXPECT_EQ(timers_->pending(), 1);
}

TEST_F(TimerServiceTest, DroppingACommittedTimerWritesItsDelete) {
  timers_->Apply(0, "a", Arm(100));
  Commit();
  timers_->Apply(0, "a", Arm(200, /*cancel=*/100));
  EXPECT_EQ(timers_->changes(),
            (std::map<TimerKey, bool>{{TimerKey{0, 100, "a"}, false}, {TimerKey{0, 200, "a"}, true}}));
}

TEST_F(TimerServiceTest, DueScanMergesCommittedAndUncommittedTimersInOrder) {
  timers_->Apply(0, "b", Arm(100));
  timers_->Apply(0, "d", Arm(300));
  Commit();
  timers_->Apply(0, "a", Arm(100));
  timers_->Apply(0, "c", Arm(200));
  timers_->Apply(0, "e", Arm(900));  // not due
  EXPECT_EQ(Fire(300, /*limit=*/3), (std::vector<std::string>{"a@100", "b@100", "c@200"}));
  EXPECT_EQ(Fire(300), (std::vector<std::string>{"d@300"}));
  EXPECT_TRUE(Fire(300).empty());
  EXPECT_EQ(timers_->pending(), 1);
}

TEST_F(TimerServiceTest, AResetForgetsUncommittedTimersAndRestoresTheCommittedCount) {
  timers_->Apply(0, "a", Arm(100));
  Commit();
  timers_->Apply(0, "b", Arm(100));
  timers_->Reset(1);
  EXPECT_TRUE(timers_->changes().empty());
  EXPECT_EQ(timers_->pending(), 1);
  EXPECT_EQ(Fire(100), (std::vector<std::string>{"a@100"}));
}

TEST_F(TimerServiceTest, ATimerArmedBelowTheFloorFiresAfterItsCommitLands) {
  timers_->Apply(0, "b", Arm(500));
  Commit();
  EXPECT_TRUE(Fire(100).empty());  // the first stored timer (500) is the floor
  timers_->Apply(0, "a", Arm(200));
  Commit();  // now only in the store
  EXPECT_EQ(Fire(250), (std::vector<std::string>{"a@200"}));
  EXPECT_EQ(Fire(500), (std::vector<std::string>{"b@500"}));
}

TEST_F(TimerServiceTest, ATimerOfTheEpochInFlightFiresBeforeAndAfterItLands) {
  EXPECT_TRUE(Fire(100).empty());  // nothing anywhere
  timers_->Apply(0, "a", Arm(300));
  timers_->Apply(0, "b", Arm(400));
  CommitBatch batch;
  batch.timers = timers_->changes();
  timers_->Cut();
  EXPECT_EQ(Fire(300), (std::vector<std::string>{"a@300"}));
  ASSERT_TRUE(store_->Commit(batch).ok());
  timers_->Landed();
  EXPECT_EQ(Fire(450), (std::vector<std::string>{"b@400"}));
}

TEST_F(TimerServiceTest, TimersWrittenBehindItsBackAreSeenAfterForgetOrReset) {
  EXPECT_TRUE(Fire(100).empty());  // the store has no timer: the floor is past everything
  // A restore writes the partition's timers to the store directly.
  CommitBatch restored;
  restored.timers = {{TimerKey{0, 150, "r"}, true}, {TimerKey{0, 160, "s"}, true}};
  ASSERT_TRUE(store_->Commit(restored).ok());
  EXPECT_TRUE(Fire(200).empty());  // the floor still says nothing is due
  timers_->Forget(0);
  EXPECT_EQ(Fire(200), (std::vector<std::string>{"r@150", "s@160"}));
  Commit();
  ASSERT_TRUE(store_->Commit(restored).ok());  // again, behind its back
  EXPECT_TRUE(Fire(200).empty());
  timers_->Reset(2);
  EXPECT_EQ(Fire(200), (std::vector<std::string>{"r@150", "s@160"}));
}

}  // namespace
}  // namespace crm::pipeline

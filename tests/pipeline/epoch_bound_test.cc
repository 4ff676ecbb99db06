// RecordProcessor: what one epoch holds stays bounded when a record's
// watermark passes many overdue checks. Every fired check counts as an
// uncommitted record, a record fires at most the epoch's room, and the rest
// (the timer backlog) fires in later epochs, before the partition's next
// record: the same outputs in the same order as one unbounded epoch.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/runtime/record_processor.h"
#include "tests/pipeline/processor_fixture.h"

namespace crm::pipeline {
namespace {

constexpr int kSilentCustomers = 20;

class RecordProcessorEpochBound : public ProcessorFixture {
 protected:
  void SetUp() override {
    config_.state.changelog = false;  // the sink then sees only outputs
    ProcessorFixture::SetUp();
  }
  // Starts over on an empty store with `max_uncommitted_events`.
  void StartOver(int64_t max_uncommitted_events) {
    processor_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
    sink_ = FakeSink{};
    config_.runtime.max_uncommitted_events = max_uncommitted_events;
    Reopen();
    fired_at_start_ = metrics_.timers_fired().Value();  // the metrics outlive a start-over
  }
  // kSilentCustomers buy once on 2024-01-01 (committed); nothing fires yet.
  void BuyOnceAndFallSilent() {
    for (int c = 0; c < kSilentCustomers; ++c) {
      ASSERT_TRUE(FeedPurchase(c, "c" + std::to_string(c), "2024-01-01T00:00:00Z").ok());
    }
    ASSERT_TRUE(processor_->Commit(1000).ok());
    ASSERT_EQ(TimersFired(), 0);
  }
  double TimersFired() { return metrics_.timers_fired().Value() - fired_at_start_; }
  // The outputs delivered so far: topic, key and value, in order.
  std::vector<std::string> Outputs() const {
    std::vector<std::string> outputs;
    for (const OutputRecord& r : sink_.delivered) outputs.push_back(r.topic + "|" + r.key + "|" + r.value);
    return outputs;
  }
  double fired_at_start_ = 0;
};

TEST_F(RecordProcessorEpochBound, FiredChecksCountAsUncommittedRecords) {
  StartOver(1000);
  BuyOnceAndFallSilent();
  // A year later another customer's purchase passes every silent one's check.
  ASSERT_TRUE(FeedPurchase(100, "late", "2025-01-01T00:00:00Z").ok());
  EXPECT_EQ(TimersFired(), kSilentCustomers);
  EXPECT_EQ(processor_->uncommitted_records(), 1 + kSilentCustomers) << "the event and every check it fired";
  EXPECT_FALSE(processor_->timer_backlog()) << "the epoch had room for all of them";
}

TEST_F(RecordProcessorEpochBound, ARecordFiresAtMostTheEpochsRoomAndTheBacklogInLaterEpochs) {
  constexpr int64_t kMax = 8;
  StartOver(kMax);
  BuyOnceAndFallSilent();
  ASSERT_TRUE(FeedPurchase(100, "late", "2025-01-01T00:00:00Z").ok());
  EXPECT_EQ(processor_->uncommitted_records(), kMax) << "the event and the checks its epoch had room for";
  EXPECT_EQ(TimersFired(), kMax - 1);
  ASSERT_TRUE(processor_->timer_backlog());
  int epochs = 1;
  while (processor_->timer_backlog()) {
    ASSERT_TRUE(processor_->Commit(1000).ok());
    auto fired = processor_->FireTimerBacklog(kMax);
    ASSERT_TRUE(fired.ok()) << fired.status().message();
    EXPECT_LE(processor_->uncommitted_records(), kMax);
    ++epochs;
  }
  ASSERT_TRUE(processor_->Commit(1000).ok());
  EXPECT_EQ(TimersFired(), kSilentCustomers) << "every check fired, none twice";
  EXPECT_GE(epochs, 3) << "20 checks and an event in epochs of at most 8 records";
  EXPECT_EQ(store_->Counters()->at("timers_pending"), kSilentCustomers + 1)
      << "each fired check armed the customer's next one, none lost or doubled";
}

TEST_F(RecordProcessorEpochBound, SlicedOrLeftToTheNextRecordTheOutputsMatchOneUnboundedEpoch) {
  // The reference: one epoch holds the event and every check it passes.
  auto run = [&](int64_t max_uncommitted, bool fire_backlog) {
    StartOver(max_uncommitted);
    BuyOnceAndFallSilent();
    EXPECT_TRUE(FeedPurchase(100, "late", "2025-01-01T00:00:00Z").ok());
    while (fire_backlog && processor_->timer_backlog()) {
      EXPECT_TRUE(processor_->Commit(1000).ok());
      EXPECT_TRUE(processor_->FireTimerBacklog(max_uncommitted).ok());
    }
    // Left alone, the backlog fires before the partition's next record.
    EXPECT_TRUE(FeedPurchase(101, "next", "2025-01-01T00:00:01Z").ok());
    EXPECT_TRUE(processor_->Commit(1000).ok());
    EXPECT_FALSE(processor_->timer_backlog());
    EXPECT_EQ(TimersFired(), kSilentCustomers);
    return Outputs();
  };
  const std::vector<std::string> unbounded = run(100'000, true);
  ASSERT_FALSE(unbounded.empty());
  ASSERT_TRUE(std::any_of(unbounded.begin(), unbounded.end(),
                          [](const std::string& o) { return o.find("|c7|") != std::string::npos; }))
      << "a silent customer's check produced outputs";
  EXPECT_EQ(run(5, true), unbounded) << "fired in slices, a commit between";
  EXPECT_EQ(run(5, false), unbounded) << "left to the next record";
}

}  // namespace
}  // namespace crm::pipeline

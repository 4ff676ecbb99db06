// Service-level tests without a broker: the service loop on a scripted
// FakeSource, a FakeSink, a real state store in a temporary directory, a
// fake changelog restorer and a manual clock (no real waits).
#include "pipeline/runtime/service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/wire/output_encoder.h"
#include "tests/pipeline/fake_record_sink.h"
#include "tests/pipeline/fake_record_source.h"
#include "tests/pipeline/manual_clock.h"
#include "tests/pipeline/test_directory.h"

namespace crm::pipeline {
namespace {

using std::chrono::milliseconds;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDirectory("crm-service");
    config_.state.dir = dir_.string();
    config_.state.memory_budget_bytes = 16 << 20;
    config_.state.changelog = false;
  }
  void TearDown() override {
    service_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Start() {
    auto made = Service::Create(config_, metrics_, health_, clock_, [this]() -> Result<ServiceParts> {
      ServiceParts parts;
      ASSIGN_OR_RETURN(parts.store, StateStore::Open({config_.state.dir, config_.state.memory_budget_bytes, false}));
      auto sink = std::make_unique<FakeSink>();
      auto source = std::make_unique<FakeSource>();
      sink_ = sink.get();
      source_ = source.get();
      parts.sink = std::move(sink);
      parts.source = std::move(source);
      parts.restorer = [this](int32_t partition, StateStore&, const std::function<void(int64_t, int64_t)>&,
                              const RestoreOptions&) -> Result<RestoreResult> {
        const std::lock_guard<std::mutex> lock(restored_mutex_);  // called from restore threads
        restored_.push_back(partition);
        return RestoreResult{};
      };
      return parts;
    });
    ASSERT_TRUE(made.ok()) << made.status().message();
    service_ = std::move(made).value();
  }

  std::vector<TopicPartitionKey> Inputs(int32_t partition) const {
    return {{config_.topics.purchases, partition}, {config_.topics.complaints, partition},
            {config_.topics.service, partition}};
  }
  // A purchase of customer `id` a day before the clock's wall time.
  FakeSource::Record Purchase(int32_t partition, int64_t offset, const std::string& id) const {
    const int64_t ts = clock_.WallMs() - 86'400'000 + offset;
    return {config_.topics.purchases, partition, offset, id,
            R"({"event_id":"e)" + std::to_string(offset) + R"(","customer_id":")" + id + R"(","ts":")" +
                FormatRfc3339(ts) + R"(","amount":12.5})",
            ts};
  }
  // Assigns partition `p` of every input, with `purchases` purchases and the
  // other two inputs at their end.
  void AssignWithPurchases(int32_t p, int purchases, int64_t first_offset = 0) {
    source_->Then(FakeSource::Assign{Inputs(p)});
    for (int i = 0; i < purchases; ++i) {
      source_->Then(Purchase(p, first_offset + i, "c" + std::to_string(i)));
    }
    source_->Then(FakeSource::End{config_.topics.complaints, p});
    source_->Then(FakeSource::End{config_.topics.service, p});
  }
  void ThenStop() {
    source_->Then([this] { stop_ = true; });
  }
  Status Run() { return service_->Run(RunOptions{}, stop_); }
  std::optional<int64_t> StoredOffset(int32_t partition) {
    auto offset = service_->store().NextOffset({config_.topics.purchases, partition});
    EXPECT_TRUE(offset.ok());
    return offset.ok() ? *offset : std::nullopt;
  }

  std::filesystem::path dir_;
  config::Config config_;
  Metrics metrics_;
  ManualClock clock_;
  ServiceHealth health_{clock_};
  std::atomic<bool> stop_{false};
  std::unique_ptr<Service> service_;
  FakeSink* sink_ = nullptr;
  FakeSource* source_ = nullptr;
  std::mutex restored_mutex_;
  std::vector<int32_t> restored_;
};

TEST_F(ServiceTest, RevokeCommitsFirstAndAssignRestoresBeforePositioning) {
  config_.state.changelog = true;
  Start();
  AssignWithPurchases(0, 3);
  std::vector<int32_t> restored_at_first_assign;
  source_->Then([&] { restored_at_first_assign = restored_; });
  std::optional<int64_t> stored_before_revoke;
  source_->Then([&] { stored_before_revoke = StoredOffset(0); });
  source_->Then(FakeSource::Revoke{Inputs(0)});
  std::optional<int64_t> stored_after_revoke;
  size_t delivered_after_revoke = 0;
  source_->Then([&] {
    stored_after_revoke = StoredOffset(0);
    delivered_after_revoke = sink_->delivered.size();
  });
  source_->Then(FakeSource::Assign{Inputs(0)});
  std::map<TopicPartitionKey, int64_t> positions_after_reassign;
  source_->Then([&] { positions_after_reassign = source_->positions; });
  ThenStop();
  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(restored_at_first_assign, std::vector<int32_t>{0});
  // Processed but not yet committed (the commit interval has not passed on
  // the manual clock) when the revoke came; committed by the revoke.
  EXPECT_EQ(stored_before_revoke, std::nullopt);
  EXPECT_EQ(stored_after_revoke, 3);
  EXPECT_GT(delivered_after_revoke, 0u);  // outputs and changelog flushed with it
  // Assigned again: restored again, and resumed from the stored position.
  EXPECT_EQ(restored_, (std::vector<int32_t>{0, 0}));
  EXPECT_EQ(positions_after_reassign.at({config_.topics.purchases, 0}), 3);
  EXPECT_EQ(positions_after_reassign.at({config_.topics.complaints, 0}), kSourceOffsetBeginning);
}

TEST_F(ServiceTest, LostPartitionsAreNotCommittedAndTheirOutputsAborted) {
  Start();
  AssignWithPurchases(0, 3);
  std::optional<int64_t> stored_before_loss;
  source_->Then([&] { stored_before_loss = StoredOffset(0); });  // processed, not committed
  source_->Then(FakeSource::Revoke{Inputs(0), /*lost=*/true});
  ThenStop();
  ASSERT_TRUE(Run().ok());
  // Another instance may own them already: it replays from the last commit.
  EXPECT_EQ(stored_before_loss, std::nullopt);
  EXPECT_EQ(StoredOffset(0), std::nullopt);
  EXPECT_FALSE(sink_->aborted.empty());
  EXPECT_TRUE(sink_->delivered.empty());
  EXPECT_EQ(metrics_.Rebalances("lost").Value(), 1);
}

TEST_F(ServiceTest, CommitIsRetriedWhileTheSinkIsUnavailable) {
  Start();
  sink_->unavailable_flushes = 3;
  int64_t flushes_seen_unready = 0;
  sink_->on_flush = [&] { flushes_seen_unready += health_.last_commit_ok.load() ? 0 : 1; };
  AssignWithPurchases(0, 2);
  ThenStop();
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(sink_->flushes, 4);
  EXPECT_EQ(flushes_seen_unready, 3);  // not ready from the first unavailable flush to the success
  EXPECT_TRUE(health_.last_commit_ok.load());
  EXPECT_EQ(StoredOffset(0), 2);
}

TEST_F(ServiceTest, IdlePartitionWatermarkAdvancesByTheManualClock) {
  Start();
  AssignWithPurchases(0, 1);
  double advances_before = -1;
  source_->Then([&] { clock_.Advance(milliseconds(config_.time.idle_timeout_ms - 1)); });
  source_->Then([&] { advances_before = metrics_.WatermarkIdleAdvances(0).Value(); });
  source_->Then([&] { clock_.Advance(milliseconds(1)); });
  source_->Then([] {});  // one more loop turn to notice the silence
  ThenStop();
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(advances_before, 0);
  EXPECT_EQ(metrics_.WatermarkIdleAdvances(0).Value(), 1);
}

TEST_F(ServiceTest, BackPressurePausesAPartitionAndDrainingResumesIt) {
  config_.runtime.partition_buffer_bytes = 1000;
  Start();
  source_->Then(FakeSource::Assign{Inputs(0)});
  // Purchases only: the merge waits for the other inputs (up to
  // max_task_idle_ms of the manual clock), so they pile up.
  for (int i = 0; i < 20; ++i) source_->Then(Purchase(0, i, "c" + std::to_string(i)));
  std::set<TopicPartitionKey> paused_while_waiting;
  source_->Then([&] { paused_while_waiting = source_->paused; });
  source_->Then([&] { clock_.Advance(milliseconds(config_.runtime.max_task_idle_ms)); });
  source_->Then([] {});
  ThenStop();
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(paused_while_waiting, (std::set<TopicPartitionKey>{{config_.topics.purchases, 0}}));
  EXPECT_EQ(source_->pauses, 1);
  EXPECT_EQ(source_->resumes, 1);
  EXPECT_TRUE(source_->paused.empty());
  EXPECT_EQ(StoredOffset(0), 20);
}

// The chaos tests' reference run under load: a partition's purchases were on
// the broker but their fetch took longer than max_task_idle_ms, and merging
// without them changed the order, the state and the outputs. A record the
// consumer knows of is waited for; without that knowledge the idle limit
// still lets the others through (the second half).
TEST_F(ServiceTest, MergeWaitsPastTheIdleLimitForRecordsKnownToBeOnTheBroker) {
  Start();
  const TopicPartitionKey purchases{config_.topics.purchases, 0};
  const int64_t later = clock_.WallMs() - 3'600'000;  // after Purchase()'s time
  // Counted when processed (the dead letters themselves may be held while
  // a commit is in flight).
  auto dead_letters = [this] { return metrics_.EventsConsumed(config_.topics.complaints, "deadletter").Value(); };
  // Partition `p` assigned, its service input at its end, a complaint (a
  // dead letter) buffered, then loop turns well past the idle limit; what
  // was processed by then goes to `dead`.
  auto complaint_past_the_idle_limit = [&](int32_t p, double& dead) {
    source_->Then(FakeSource::Assign{Inputs(p)});
    source_->Then(FakeSource::End{config_.topics.service, p});
    source_->Then(FakeSource::Record{config_.topics.complaints, p, 0, "c" + std::to_string(p), "not json", later});
    source_->Then([] {});  // a loop turn: the merge starts waiting
    source_->Then([&] { clock_.Advance(milliseconds(config_.runtime.max_task_idle_ms * 10)); });
    source_->Then([] {});
    source_->Then([&] { dead = dead_letters(); });
  };
  source_->Then([&] { source_->extents[purchases] = LogExtent{0, 1}; });  // one purchase on the broker
  double dead_before_the_purchase = -1;
  complaint_past_the_idle_limit(0, dead_before_the_purchase);
  source_->Then(Purchase(0, 0, "c0"));
  source_->Then(FakeSource::End{config_.topics.purchases, 0});
  // Partition 1: nothing known about its purchases, the limit applies.
  double dead_after_the_limit = -1;
  complaint_past_the_idle_limit(1, dead_after_the_limit);
  ThenStop();
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(dead_before_the_purchase, 0) << "the complaint went ahead of a purchase known to be on the broker";
  EXPECT_EQ(StoredOffset(0), 1);
  EXPECT_EQ(dead_after_the_limit, 2) << "without a known record the idle limit lets the complaint through";
  // Only that complaint was merged out of timestamp order, and is counted.
  EXPECT_EQ(metrics_.EnforcedProcessing(0).Value(), 0);
  EXPECT_EQ(metrics_.EnforcedProcessing(1).Value(), 1);
}

// An event whose watermark passes more overdue checks than an epoch holds
// (runtime.max_uncommitted_events counts events and fired checks): the
// service fires the rest in the next epochs, a commit between, without
// waiting for another record.
TEST_F(ServiceTest, ChecksAnEventPassesBeyondItsEpochFireInTheNextEpochs) {
  constexpr int kSilent = 10;
  config_.runtime.max_uncommitted_events = 4;
  Start();
  auto purchase = [this](int64_t offset, const std::string& id, int64_t ts) {
    return FakeSource::Record{config_.topics.purchases, 0, offset, id,
                              R"({"event_id":"e)" + std::to_string(offset) + R"(","customer_id":")" + id +
                                  R"(","ts":")" + FormatRfc3339(ts) + R"(","amount":12.5})",
                              ts};
  };
  source_->Then(FakeSource::Assign{Inputs(0)});
  source_->Then(FakeSource::End{config_.topics.complaints, 0});
  source_->Then(FakeSource::End{config_.topics.service, 0});
  const int64_t year_ago = clock_.WallMs() - 400LL * 86'400'000;
  for (int i = 0; i < kSilent; ++i) source_->Then(purchase(i, "c" + std::to_string(i), year_ago + i));
  source_->Then(purchase(kSilent, "late", clock_.WallMs() - 86'400'000));
  ThenStop();
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(metrics_.timers_fired().Value(), kSilent) << "every silent customer's check fired, with no later record";
  // 10 purchases, then the late one and its 10 checks, in epochs of at most 4.
  EXPECT_GE(metrics_.Commits("ok").Value(), 6);
  EXPECT_EQ(StoredOffset(0), kSilent + 1);
}

TEST_F(ServiceTest, StopGivesUpAnUnacknowledgedCommitAtTheShutdownDeadline) {
  config_.runtime.shutdown_deadline_ms = 5000;
  Start();
  sink_->unavailable_flushes = INT64_MAX;
  // Each flush waits one slice (1 s) for acknowledgements, on the manual clock.
  sink_->on_flush = [&] { clock_.Advance(milliseconds(1000)); };
  AssignWithPurchases(0, 2);
  ThenStop();
  Status status = Run();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("shutdown deadline passed"), std::string::npos) << status.message();
  EXPECT_EQ(sink_->flushes, 6);  // the deadline reached on the manual clock, at the 6th flush
  EXPECT_EQ(StoredOffset(0), std::nullopt);  // nothing committed: the next start replays
  EXPECT_TRUE(source_->closed);
}

}  // namespace
}  // namespace crm::pipeline

// RecordProcessor with a real RocksDB store in a temp dir and an in-memory
// sink that can refuse deliveries: outputs go out before state and offsets
// are committed, a failed flush commits nothing, and replaying after such a
// failure republishes identical outputs.
#include "pipeline/runtime/record_processor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "operators/purchase_forecast.h"
#include "pipeline/changelog/changelog_record.h"
#include "pipeline/state/population_codec.h"
#include "pipeline/state/state_store.h"
#include "tests/pipeline/processor_fixture.h"

namespace crm::pipeline {
namespace {

class RecordProcessorTest : public ProcessorFixture {
 protected:
  // The stored customers-per-segment counters, summed (-1: unreadable).
  int64_t StoredCustomersInSegments() {
    auto counters = store_->Counters();
    if (!counters.ok()) return -1;
    int64_t total = 0;
    for (const auto& [name, value] : *counters) {
      if (name.rfind("customers_in_segment/", 0) == 0) total += value;
    }
    return total;
  }
  void SetUp() override {
    config_.state.changelog = false;  // the changelog has tests of its own below
    ProcessorFixture::SetUp();
  }
  Status Feed(int64_t offset, const std::string& key, const std::string& json,
              InputKind kind = InputKind::kPurchase) {
    InputRecordView view;
    view.kind = kind;
    view.topic = kind == InputKind::kPurchase ? "crm.purchases" : "crm.complaints";
    view.partition = 0;
    view.offset = offset;
    view.key = key;
    view.has_key = true;
    view.value = json;
    return processor_->Process(view);
  }
  static std::string PurchaseJson(int n, const std::string& customer, const std::string& ts) {
    return R"({"event_id":"e)" + std::to_string(n) + R"(","customer_id":")" + customer +
           R"(","ts":")" + ts + R"(","amount":25.5})";
  }
};

TEST_F(RecordProcessorTest, CommitPublishesOutputsThenStoresStateAndOffsets) {
  ASSERT_TRUE(Feed(0, "ann", PurchaseJson(0, "ann", "2024-01-01T00:00:00Z")).ok());
  ASSERT_TRUE(Feed(1, "ann", "not json").ok());
  EXPECT_EQ(sink_.pending.size(), 3u) << "a segment change, a ladder change (first rung) and a dead letter";
  ASSERT_TRUE(processor_->Commit(1000).ok());
  EXPECT_EQ(sink_.delivered.size(), 3u);

  auto offset = store_->NextOffset({"crm.purchases", 0});
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(*offset, std::optional<int64_t>(2));
  auto ann = store_->Get("ann");
  ASSERT_TRUE(ann.ok() && ann->has_value());
  EXPECT_EQ((*ann)->purchase_count, 1);
  EXPECT_DOUBLE_EQ((*ann)->total_spend, 25.5);
}

TEST_F(RecordProcessorTest, FailedFlushCommitsNothingAndReplayRepublishesTheSameOutputs) {
  ASSERT_TRUE(Feed(0, "bo", PurchaseJson(0, "bo", "2024-01-01T00:00:00Z")).ok());
  sink_.fail_flush = true;
  EXPECT_FALSE(processor_->Commit(1000).ok());
  auto offset = store_->NextOffset({"crm.purchases", 0});
  ASSERT_TRUE(offset.ok());
  EXPECT_FALSE(offset->has_value()) << "offsets must not advance past unacknowledged outputs";
  auto bo = store_->Get("bo");
  ASSERT_TRUE(bo.ok());
  EXPECT_FALSE(bo->has_value());
  std::vector<OutputRecord> first = sink_.pending;

  // The process "restarts": replay from the stored (absent) offset.
  sink_.pending.clear();
  sink_.fail_flush = false;
  Reopen();
  ASSERT_TRUE(Feed(0, "bo", PurchaseJson(0, "bo", "2024-01-01T00:00:00Z")).ok());
  ASSERT_EQ(sink_.pending.size(), first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(sink_.pending[i].value, first[i].value) << "same id, same content";
    EXPECT_EQ(sink_.pending[i].key, first[i].key);
  }
  ASSERT_TRUE(processor_->Commit(1000).ok());
  EXPECT_EQ((*store_->Get("bo"))->purchase_count, 1);
}

TEST_F(RecordProcessorTest, RedeliveredEventIsAppliedOnce) {
  std::string json = PurchaseJson(7, "cy", "2024-01-01T00:00:00Z");
  ASSERT_TRUE(Feed(0, "cy", json).ok());
  ASSERT_TRUE(Feed(1, "cy", json).ok());  // the same event_id again
  ASSERT_TRUE(processor_->Commit(1000).ok());
  EXPECT_EQ((*store_->Get("cy"))->purchase_count, 1);
}

TEST_F(RecordProcessorTest, KeyMustEqualCustomerId) {
  ASSERT_TRUE(Feed(0, "someone-else", PurchaseJson(0, "dee", "2024-01-01T00:00:00Z")).ok());
  ASSERT_EQ(sink_.pending.size(), 1u);
  EXPECT_EQ(sink_.pending[0].topic, "crm.deadletter");
  bool found = false;
  for (const auto& [k, v] : sink_.pending[0].headers) {
    if (k == "crm.error.code") {
      EXPECT_EQ(v, "key_mismatch");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(RecordProcessorTest, SegmentCountsSurviveARestart) {
  ASSERT_TRUE(Feed(0, "ed", PurchaseJson(0, "ed", "2024-01-01T00:00:00Z")).ok());
  ASSERT_TRUE(Feed(1, "fay", PurchaseJson(1, "fay", "2024-01-02T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  auto counters = store_->Counters();
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->at("timers_pending"), 2) << "one overdue check each";
  EXPECT_EQ(StoredCustomersInSegments(), 2) << "two customers, each in exactly one segment";
  Reopen();
  std::string text = metrics_.Serialize();
  EXPECT_NE(text.find("crmstream_customers{"), std::string::npos);
}

// Progress dropped after a fence or a revoke is replayed: the customers it
// had counted per segment must not be counted twice.
TEST_F(RecordProcessorTest, DroppedProgressIsNotCountedTwicePerSegment) {
  ASSERT_TRUE(Feed(0, "ed", PurchaseJson(0, "ed", "2024-01-01T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  ASSERT_TRUE(Feed(1, "fay", PurchaseJson(1, "fay", "2024-01-02T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->DropCachedState().ok());
  ASSERT_TRUE(Feed(1, "fay", PurchaseJson(1, "fay", "2024-01-02T00:00:00Z")).ok());  // the replay
  ASSERT_TRUE(processor_->Commit(1000).ok());
  EXPECT_EQ(StoredCustomersInSegments(), 2) << "ed and fay, each once";
}

TEST_F(RecordProcessorTest, PopulationIsCommittedWithTheStateAndSurvivesARestart) {
  config_.model.rfm.min_population = 5;
  config_.model.rfm.refresh_every = 1;
  Reopen();
  // Five customers spending 25.5 each, then one who spends 25.5 twice.
  for (int i = 0; i < 5; ++i) {
    const std::string id = "p" + std::to_string(i);
    ASSERT_TRUE(Feed(i, id, PurchaseJson(i, id, "2024-01-01T00:00:00Z")).ok());
  }
  ASSERT_TRUE(Feed(5, "p0", PurchaseJson(5, "p0", "2024-01-02T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  auto stored = store_->PartitionData(0);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  auto partition = DecodePartitionState(**stored);
  ASSERT_TRUE(partition.ok()) << partition.status().message();
  EXPECT_EQ(partition->population.live().frequency.count(), 5) << "five customers, p0 counted once";
  EXPECT_EQ((*store_->Get("p0"))->rfm.f, 5) << "two purchases beat the other four";

  // After a restart the next customer is ranked against the stored population.
  Reopen();
  ASSERT_TRUE(Feed(6, "p9", PurchaseJson(6, "p9", "2024-01-03T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  EXPECT_EQ((*store_->Get("p9"))->rfm.m, 1) << "the least of six ties at the bottom";
  auto after = DecodePartitionState(**store_->PartitionData(0));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->population.live().frequency.count(), 6);
}

TEST_F(RecordProcessorTest, ModelParamsChangeTheChurnModel) {
  ASSERT_TRUE(Feed(0, "gus", PurchaseJson(0, "gus", "2024-01-01T00:00:00Z")).ok());
  ASSERT_TRUE(Feed(1, "gus", PurchaseJson(1, "gus", "2024-01-08T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  const double fallback_risk = (*store_->Get("gus"))->churn_risk;
  operators::ModelParams params;
  params.bgnbd = {0.243, 4.414, 0.793, 2.426};
  params.gamma_gamma = {6.25, 3.74, 15.44};
  processor_->SetModelParams(params);
  EXPECT_TRUE(processor_->has_model_params());
  ASSERT_TRUE(Feed(2, "gus", PurchaseJson(2, "gus", "2024-01-15T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  const operators::CustomerState gus = **store_->Get("gus");
  const double p_none =
      operators::PurchaseOutlookAt(params, gus, gus.last_event, config_.model.churn.horizon_days).p_no_purchase;
  EXPECT_NE(gus.churn_risk, fallback_risk);
  // The fitted risk is logistic(logit(P(no purchase within the horizon)) +
  // attitude); with no rating or complaint (satisfaction at the prior) the
  // attitude terms are 0 and the risk is that probability.
  EXPECT_NEAR(gus.churn_risk, p_none, 1e-12);
  EXPECT_GT(gus.churn_risk, 0);
}

// Timers as the store holds them: (due, customer) for one partition.
std::vector<std::pair<int64_t, std::string>> StoredTimers(const StateStore& store, int32_t partition) {
  std::vector<std::pair<int64_t, std::string>> out;
  EXPECT_TRUE(store.ScanTimers(partition, INT64_MAX, [&](int64_t due, std::string_view id) {
                     out.emplace_back(due, std::string(id));
                     return true;
                   }).ok());
  return out;
}

TEST_F(RecordProcessorTest, EachCustomerHoldsOneStoredTimerReArmedByEvents) {
  ASSERT_TRUE(Feed(0, "hal", PurchaseJson(0, "hal", "2024-01-01T00:00:00Z")).ok());
  ASSERT_TRUE(Feed(1, "ida", PurchaseJson(1, "ida", "2024-01-01T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  ASSERT_EQ(StoredTimers(*store_, 0).size(), 2u);
  const int64_t first_due = StoredTimers(*store_, 0)[0].first;
  ASSERT_TRUE(Feed(2, "hal", PurchaseJson(2, "hal", "2024-01-02T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  auto timers = StoredTimers(*store_, 0);
  ASSERT_EQ(timers.size(), 2u) << "hal's check moved; it was not added";
  // Either may come first: hal's second purchase shortened his usual gap.
  std::map<std::string, int64_t> due_of;
  for (const auto& [due, id] : timers) due_of[id] = due;
  EXPECT_EQ(due_of["ida"], first_due) << "ida's check is untouched";
  EXPECT_EQ(due_of["hal"], (*store_->Get("hal"))->next_check.epoch_ms);
  EXPECT_NE(due_of["hal"], first_due) << "hal's check moved with his purchase";
  EXPECT_NE(metrics_.Serialize().find("crmstream_timers_pending 2"), std::string::npos);
}

TEST_F(RecordProcessorTest, OthersEventsMoveTheWatermarkAndFireASilentCustomersTimers) {
  // jo buys weekly for eight weeks and stops; kim keeps buying for months.
  int64_t offset = 0;
  for (int week = 0; week < 8; ++week) {
    const std::string day = "2024-01-" + std::string(week * 3 + 1 < 10 ? "0" : "") + std::to_string(week * 3 + 1);
    ASSERT_TRUE(Feed(offset, "jo", PurchaseJson(static_cast<int>(offset), "jo", day + "T10:00:00Z")).ok());
    ++offset;
  }
  ASSERT_TRUE(processor_->Commit(1000).ok());
  sink_.delivered.clear();
  for (int month = 2; month <= 9; ++month) {
    const std::string day = "2024-0" + std::to_string(month) + "-15T10:00:00Z";
    ASSERT_TRUE(Feed(offset, "kim", PurchaseJson(static_cast<int>(offset), "kim", day)).ok());
    ++offset;
  }
  ASSERT_TRUE(processor_->Commit(1000).ok());
  std::vector<nlohmann::json> jo_outputs;
  for (const auto& r : sink_.delivered) {
    if (r.key == "jo") jo_outputs.push_back(nlohmann::json::parse(r.value));
  }
  ASSERT_FALSE(jo_outputs.empty()) << "jo's silence alone produced outputs";
  bool alert = false;
  for (const auto& j : jo_outputs) {
    EXPECT_EQ(j["id"].get<std::string>().rfind("timer/0/", 0), 0u) << j["id"];
    EXPECT_EQ(j["data"]["cause"], "timer");
    alert |= j["type"] == "com.crmstream.churn-alert.v1";
  }
  EXPECT_TRUE(alert) << "a weekly buyer silent for months gets a churn alert";
  EXPECT_EQ((*store_->Get("jo"))->purchase_count, 8);
  EXPECT_NE(metrics_.Serialize().find("crmstream_timers_fired_total"), std::string::npos);
}

// Issue 12 item 4: with model.alert.max_alerts_per_day, a partition sends
// at most that many alerts per event-time day, and the budget is committed
// with the state: a run restarted from the store in the middle sends exactly
// the alerts of an uninterrupted run.
TEST_F(RecordProcessorTest, AlertBudgetCapsAlertsPerDayAndSurvivesARestart) {
  config_.model.alert.max_alerts_per_day = 1;
  Reopen();
  // Ten customers with the same rhythm fall silent together; kim's purchases
  // move the watermark, so their overdue checks fire on the same days.
  std::vector<std::pair<std::string, std::string>> log;
  for (int c = 0; c < 10; ++c) {
    for (const char* day : {"2024-01-01", "2024-01-08", "2024-01-15"}) {
      log.push_back({"c" + std::to_string(c), std::string(day) + "T10:00:00Z"});
    }
  }
  for (int month = 2; month <= 9; ++month) log.push_back({"kim", "2024-0" + std::to_string(month) + "-15T10:00:00Z"});
  auto alerts = [&](size_t restart_at) {
    processor_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
    sink_.delivered.clear();
    Reopen();
    for (size_t i = 0; i < log.size(); ++i) {
      if (i == restart_at) {
        EXPECT_TRUE(processor_->Commit(1000).ok());
        Reopen();
      }
      EXPECT_TRUE(Feed(static_cast<int64_t>(i), log[i].first, PurchaseJson(static_cast<int>(i), log[i].first,
                                                                           log[i].second)).ok());
    }
    EXPECT_TRUE(processor_->Commit(1000).ok());
    std::vector<std::string> out;
    for (const auto& r : sink_.delivered) {
      const auto j = nlohmann::json::parse(r.value);
      if (j["type"] == "com.crmstream.churn-alert.v1") out.push_back(j["time"].get<std::string>() + " " + r.key);
    }
    return out;
  };
  const std::vector<std::string> uninterrupted = alerts(SIZE_MAX);
  ASSERT_GE(uninterrupted.size(), 2u) << "silent customers still get called, a day at a time";
  std::map<std::string, int> per_day;
  for (const auto& a : uninterrupted) ++per_day[a.substr(0, 10)];
  for (const auto& [day, n] : per_day) EXPECT_LE(n, 1) << day;
  auto state = DecodePartitionState(**store_->PartitionData(0));
  ASSERT_TRUE(state.ok());
  EXPECT_GE(state->alert_budget.sent, 1) << "the budget is stored with the partition";
  EXPECT_EQ(alerts(log.size() - 4), uninterrupted) << "restarted from the store: the same alerts";
}

TEST_F(RecordProcessorTest, FutureEventsAreDeadLetteredAndLateOnesApplied) {
  InputRecordView view;
  const std::string future = PurchaseJson(0, "lu", "2024-03-01T00:00:00Z");
  view.kind = InputKind::kPurchase;
  view.topic = "crm.purchases";
  view.key = "lu";
  view.has_key = true;
  view.value = future;
  view.offset = 0;
  view.timestamp_ms = 1'704'067'200'000;  // produced 2024-01-01: the event claims two months later
  ASSERT_TRUE(processor_->Process(view).ok());
  ASSERT_EQ(sink_.pending.size(), 1u);
  EXPECT_EQ(sink_.pending[0].topic, "crm.deadletter");
  bool named = false;
  for (const auto& [k, v] : sink_.pending[0].headers) named |= k == "crm.error.code" && v == "future_event";
  EXPECT_TRUE(named);
  // Late: older than the watermark, still applied.
  ASSERT_TRUE(Feed(1, "lu", PurchaseJson(1, "lu", "2024-02-01T00:00:00Z")).ok());
  ASSERT_TRUE(Feed(2, "lu", PurchaseJson(2, "lu", "2024-01-05T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  EXPECT_EQ((*store_->Get("lu"))->purchase_count, 2);
  EXPECT_NE(metrics_.Serialize().find("crmstream_late_events_total 1"), std::string::npos);
}

TEST_F(RecordProcessorTest, IdleAdvanceIsRecordedThenFiresAndExpiredCustomersAreDeleted) {
  config_.model.inactivity.retention = operators::Days(30);
  Reopen();
  ASSERT_TRUE(Feed(0, "max", PurchaseJson(0, "max", "2024-01-01T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  ASSERT_EQ(StoredTimers(*store_, 0).size(), 1u);
  auto advanced = processor_->AdvanceWatermark(0, 1'720'000'000'000);  // mid 2024
  ASSERT_TRUE(advanced.ok() && *advanced);
  EXPECT_FALSE(*processor_->AdvanceWatermark(0, 1'710'000'000'000)) << "never backwards";
  ASSERT_TRUE(processor_->Commit(1000).ok());
  auto state = DecodePartitionState(**store_->PartitionData(0));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->watermark_ms, 1'720'000'000'000) << "the advance is recorded before anything fires";
  EXPECT_TRUE((*store_->Get("max")).has_value());

  // A restart here fires what the recorded watermark passed, on first use.
  Reopen();
  auto fired = processor_->FireDueTimers(0);
  ASSERT_TRUE(fired.ok());
  EXPECT_GE(*fired, 1);
  ASSERT_TRUE(processor_->Commit(1000).ok());
  EXPECT_FALSE((*store_->Get("max")).has_value()) << "silent past the 30-day retention: deleted";
  EXPECT_TRUE(StoredTimers(*store_, 0).empty());
  EXPECT_EQ(store_->Counters()->at("timers_pending"), 0);
}

TEST_F(RecordProcessorTest, ARocksDbWriteErrorAdvancesNoOffsetAndSaysSo) {
  ASSERT_TRUE(Feed(0, "oli", PurchaseJson(0, "oli", "2024-01-01T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  Reopen(/*read_only=*/true);
  ASSERT_TRUE(Feed(1, "oli", PurchaseJson(1, "oli", "2024-01-02T00:00:00Z")).ok());
  Status commit = processor_->Commit(1000);
  ASSERT_FALSE(commit.ok());
  EXPECT_NE(commit.message().find("commit state"), std::string::npos) << commit.message();
  EXPECT_TRUE(processor_->committed_offsets().empty()) << "nothing is marked committed";
  // Reopened writable: the stored position is still the old one, so the
  // record is replayed, and the state holds one purchase.
  Reopen();
  EXPECT_EQ(*store_->NextOffset({"crm.purchases", 0}), std::optional<int64_t>(1));
  EXPECT_EQ((*store_->Get("oli"))->purchase_count, 1);
}

TEST_F(RecordProcessorTest, EveryCommitWritesItsStateChangesAndAMarkerToTheChangelog) {
  config_.state.changelog = true;
  Reopen();
  ASSERT_TRUE(Feed(0, "ned", PurchaseJson(0, "ned", "2024-01-01T00:00:00Z")).ok());
  ASSERT_TRUE(Feed(1, "ned", PurchaseJson(1, "ned", "2024-01-02T00:00:00Z")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  std::map<char, int> kinds;
  std::string epoch;
  for (const auto& r : sink_.delivered) {
    if (r.topic != "crm.changelog") continue;
    EXPECT_EQ(r.partition, 0);
    ++kinds[r.key[0]];
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "crm.epoch");
    if (epoch.empty()) epoch = r.headers[0].second;
    EXPECT_EQ(r.headers[0].second, epoch) << "one epoch per commit";
  }
  EXPECT_EQ(kinds['c'], 1) << "ned once, in his latest state";
  EXPECT_EQ(kinds['t'], 0) << "ned's record carries his pending check: no timer record";
  EXPECT_EQ(kinds['p'], 1);
  EXPECT_EQ(kinds['m'], 1);
  EXPECT_EQ(ParseChangelogKey(sink_.delivered.back().key).kind, ChangelogKeyKind::kMarker) << "the marker closes the epoch";
  EXPECT_EQ(sink_.delivered.back().key, ChangelogMarkerKey(ChangelogEpochRun(epoch))) << "the key names the run";
  auto marker = DecodeChangelogMarker(sink_.delivered.back().value);
  ASSERT_TRUE(marker.ok()) << marker.status().message();
  EXPECT_EQ(marker->next_offsets.at("crm.purchases"), 2);
  auto checkpoint = store_->ChangelogCheckpoint(0);
  ASSERT_TRUE(checkpoint.ok() && checkpoint->has_value());
  EXPECT_EQ(**checkpoint, sink_.last_offsets.at({"crm.changelog", 0}) + 1);
}

}  // namespace
}  // namespace crm::pipeline

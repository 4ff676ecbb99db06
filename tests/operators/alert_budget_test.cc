#include "operators/alert_budget.h"

#include <gtest/gtest.h>

#include <vector>

#include "operators/alerting.h"
#include "operators/customer_processor.h"

namespace crm::operators {
namespace {

EventTime At(int day, int hour = 12) { return EventTime{Days(day).ms + hour * 3'600'000}; }

TEST(AdmitAlert, ZeroMeansUnlimitedAndLeavesTheBudgetAlone) {
  AlertBudget b;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(AdmitAlert(0, At(1), 1, b));
  EXPECT_EQ(b, AlertBudget{});
}

TEST(AdmitAlert, CapsEachDayAndStartsAfreshTheNext) {
  AlertBudget b;
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += AdmitAlert(3, At(1), 100, b) ? 1 : 0;
  EXPECT_EQ(admitted, 3);
  EXPECT_EQ(b.sent, 3);
  EXPECT_TRUE(AdmitAlert(3, At(2), 100, b)) << "a new day, a new budget";
  EXPECT_EQ(b.sent, 1);
}

TEST(AdmitAlert, YesterdaysBudgetThBestCandidateIsTodaysBar) {
  AlertBudget b;
  // Day 1: candidates worth 10, 50, 20, 80, 30; budget 2.
  for (double v : {10, 50, 20, 80, 30}) static_cast<void>(AdmitAlert(2, At(1), v, b));
  EXPECT_EQ(b.top, (std::vector<double>{50, 80}));
  // Day 2: the bar is 50, the second best of day 1: only the valuable get through.
  EXPECT_FALSE(AdmitAlert(2, At(2, 1), 49, b));
  EXPECT_DOUBLE_EQ(b.bar, 50);
  EXPECT_TRUE(AdmitAlert(2, At(2, 2), 60, b));
  EXPECT_FALSE(AdmitAlert(2, At(2, 3), 20, b));
  EXPECT_TRUE(AdmitAlert(2, At(2, 4), 500, b));
  EXPECT_FALSE(AdmitAlert(2, At(2, 5), 900, b)) << "the cap holds whatever the value";
  // Day 3 after a day with fewer candidates than the budget: no bar.
  AlertBudget quiet;
  static_cast<void>(AdmitAlert(5, At(1), 70, quiet));
  EXPECT_TRUE(AdmitAlert(5, At(2), 1, quiet));
  EXPECT_DOUBLE_EQ(quiet.bar, 0);
}

TEST(AdmitAlert, ALateEventCountsInTheCurrentDay) {
  AlertBudget b;
  ASSERT_TRUE(AdmitAlert(1, At(5), 10, b));
  EXPECT_FALSE(AdmitAlert(1, At(4), 1000, b)) << "days never move backwards";
  EXPECT_EQ(b.day, 5);
}

// Same candidates in the same order: same decisions and the same budget,
// also when the budget is resumed from a copy (a restart from committed
// partition state) in the middle of the stream.
TEST(AdmitAlert, DeterministicAcrossReplayAndRestart) {
  std::vector<std::pair<int, double>> stream;
  for (int i = 0; i < 400; ++i) stream.push_back({i / 40, static_cast<double>((i * 7919) % 1000)});
  auto run = [&](size_t restart_at) {
    std::vector<bool> decisions;
    AlertBudget b;
    for (size_t i = 0; i < stream.size(); ++i) {
      if (i == restart_at) b = AlertBudget(b);  // what the store hands back
      decisions.push_back(AdmitAlert(5, At(stream[i].first), stream[i].second, b));
    }
    return std::make_pair(decisions, b);
  };
  const auto first = run(stream.size());
  EXPECT_EQ(run(stream.size()), first);
  EXPECT_EQ(run(173), first);
  int per_day[10] = {};
  for (size_t i = 0; i < stream.size(); ++i) per_day[stream[i].first] += first.first[i] ? 1 : 0;
  for (int d = 0; d < 10; ++d) EXPECT_LE(per_day[d], 5) << d;
}

TEST(DecideAlert, ACustomerTurnedAwayByTheBudgetStaysArmed) {
  AlertConfig config;
  config.max_alerts_per_day = 1;
  AlertBudget budget;
  ChurnAssessment risky;
  risky.risk = 0.9;
  CustomerState first, second;
  EXPECT_TRUE(DecideAlert(config, {"a", risky, [] { return AlertValue{100, 100}; }, 40, At(1)}, first, &budget));
  EXPECT_FALSE(DecideAlert(config, {"b", risky, [] { return AlertValue{100, 100}; }, 40, At(1)}, second, &budget));
  EXPECT_TRUE(second.alert_armed);
  EXPECT_EQ(second.alerts_sent, 0);
  // The next day the customer is judged again (the bar is 100, met).
  EXPECT_TRUE(DecideAlert(config, {"b", risky, [] { return AlertValue{100, 100}; }, 40, At(2)}, second, &budget));
}

}  // namespace
}  // namespace crm::operators

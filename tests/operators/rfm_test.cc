#include "operators/rfm.h"

#include <gtest/gtest.h>

namespace crm::operators {
namespace {

TEST(ScoreAgainst, HigherIsBetter) {
  const std::vector<double> b = {2, 3, 5, 8};
  struct Case { double value; int score; };
  for (const Case& c : {Case{0, 1}, Case{1.9, 1}, Case{2, 2}, Case{3, 3}, Case{4, 3}, Case{5, 4},
                        Case{7.99, 4}, Case{8, 5}, Case{1000, 5}}) {
    EXPECT_EQ(ScoreAgainst(b, c.value, true), c.score) << c.value;
  }
}

TEST(ScoreAgainst, LowerIsBetterForRecency) {
  const std::vector<double> b = {14, 30, 60, 120};
  struct Case { double days; int score; };
  for (const Case& c : {Case{0, 5}, Case{14, 5}, Case{14.1, 4}, Case{30, 4}, Case{45, 3}, Case{60, 3},
                        Case{61, 2}, Case{120, 2}, Case{121, 1}, Case{5000, 1}}) {
    EXPECT_EQ(ScoreAgainst(b, c.days, false), c.score) << c.days;
  }
}

TEST(ScoreRfm, ScoresAStateAtAnEventTime) {
  CustomerState s;
  s.purchase_count = 5;
  s.total_spend = 420;
  s.first_purchase = EventTime{0};
  s.last_purchase = EventTime{Days(100).ms};
  RfmConfig config;
  config.recency = RfmScoring::kBreakpoints;  // the day breakpoints under test
  EXPECT_EQ(ScoreRfm(config, s, EventTime{Days(110).ms}), (RfmScores{5, 4, 4}));
  EXPECT_EQ(ScoreRfm(config, s, EventTime{Days(300).ms}), (RfmScores{1, 4, 4}));
  EXPECT_DOUBLE_EQ(RecencyDays(s, EventTime{Days(130).ms}), 30.0);
  EXPECT_DOUBLE_EQ(RecencyDays(s, EventTime{Days(50).ms}), 0.0) << "never negative";
}

TEST(ScoreRfm, CustomerWithoutPurchasesScoresOnes) {
  EXPECT_EQ(ScoreRfm(RfmConfig{}, CustomerState{}, EventTime{123}), (RfmScores{1, 1, 1}));
}

}  // namespace
}  // namespace crm::operators

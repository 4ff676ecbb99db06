// Segments that stay put while a customer keeps their own rhythm and move
// when they really lapse (docs/segments.md): recency judged in usual gaps,
// quantile scores sticky within a margin of their boundary.
#include <gtest/gtest.h>

#include <vector>

#include "operators/churn_risk.h"
#include "operators/customer_processor.h"
#include "operators/rfm.h"
#include "operators/rfm_population.h"

namespace crm::operators {
namespace {

EventTime Day(double d) { return EventTime{DaysF(d).ms}; }

Event Buy(int n, double day) { return Event{"p" + std::to_string(n), "cust", Day(day), Purchase{120, 1, "EUR", "web", ""}, {}}; }

struct Move {
  EventTime at;
  std::string to;
};

// Fires the customer's overdue checks due up to `until`, as the runtime
// does when the watermark passes them; returns the segment moves.
std::vector<Move> FireChecksUntil(const ModelConfig& config, EventTime until, CustomerState& s) {
  std::vector<Move> moves;
  while (s.next_check.epoch_ms != 0 && s.next_check <= until) {
    const EventTime due = s.next_check;
    Effects e = FireTimer(config, ModelContext{}, "cust", due, due, s);
    for (const auto& out : e.outputs) {
      if (const auto* c = std::get_if<SegmentChange>(&out.payload)) moves.push_back({out.time, c->to});
    }
  }
  return moves;
}

// A customer buying about every three weeks: gaps alternate 12 and 33 days
// (mean 22.5), 120 a purchase. Returns every segment the customer held,
// between purchases included, from the 10th purchase (F5, M5) on.
std::vector<std::string> ThreeWeeklyBuyer(const ModelConfig& config, CustomerState& s, int purchases = 20) {
  std::vector<std::string> held;
  double day = 0.3;  // off the hour, so an hourly check lands past a day breakpoint
  for (int n = 0; n < purchases; ++n) {
    ProcessEvent(config, Buy(n, day), s);
    if (n >= 9) held.push_back(s.segment);
    const double next = day + (n % 2 == 0 ? 12 : 33);
    for (const Move& m : FireChecksUntil(config, Day(next - 0.01), s)) {
      if (n >= 9) held.push_back(m.to);
    }
    day = next;
  }
  return held;
}

TEST(SegmentStability, AChampionBuyingEveryThreeWeeksStaysChampion) {
  ModelConfig config;  // the defaults: recency on the customer's rhythm
  CustomerState s;
  const std::vector<std::string> held = ThreeWeeklyBuyer(config, s);
  ASSERT_FALSE(held.empty());
  for (const std::string& segment : held) EXPECT_EQ(segment, "Champions");
}

TEST(SegmentStability, ACustomerWhoLapsesStillMovesAtTheGapBreakpoints) {
  ModelConfig config;
  CustomerState s;
  ThreeWeeklyBuyer(config, s);
  ASSERT_EQ(s.segment, "Champions");
  const EventTime last = s.last_purchase;
  const double gap = UsualGap(config.churn, s).days();
  ASSERT_GT(gap, 20);
  ASSERT_LT(gap, 25);
  const std::vector<Move> moves = FireChecksUntil(config, last + Days(365), s);
  ASSERT_GE(moves.size(), 2u);
  // Past 4 usual gaps R3 (Loyal), past 5 R2 (Can't Lose Them), each seen by
  // the check armed at that instant (rounded up to the hour).
  EXPECT_EQ(moves[0].to, "Loyal");
  EXPECT_GT(moves[0].at, last + DaysF(4 * gap));
  EXPECT_LE(moves[0].at, last + DaysF(4 * gap) + Hours(1));
  EXPECT_EQ(moves[1].to, "Can't Lose Them");
  EXPECT_GT(moves[1].at, last + DaysF(5 * gap));
  EXPECT_LE(moves[1].at, last + DaysF(5 * gap) + Hours(1));
}

TEST(SegmentStability, AOnePurchaseCustomerIsJudgedOnTheDefaultGap) {
  ModelConfig config;
  CustomerState s;
  ProcessEvent(config, Buy(0, 0), s);
  EXPECT_EQ(s.segment, "New");
  const std::vector<Move> moves = FireChecksUntil(config, Day(400), s);
  ASSERT_FALSE(moves.empty());
  // The default gap (30 days) stands in for a rhythm: R3 past 4 x 30 days.
  EXPECT_EQ(moves[0].to, "Promising");
  EXPECT_GT(moves[0].at, Day(120));
  EXPECT_LE(moves[0].at, Day(120) + Hours(1));
}

TEST(SegmentStability, SameEventsSameSegments) {
  ModelConfig config;
  CustomerState a, b;
  const std::vector<std::string> first = ThreeWeeklyBuyer(config, a);
  const std::vector<std::string> second = ThreeWeeklyBuyer(config, b);
  EXPECT_EQ(first, second);
  EXPECT_EQ(a, b);
}

TEST(RecencyGaps, IsDaysSinceLastPurchaseInUsualGaps) {
  CustomerState s;
  s.purchase_count = 3;
  s.first_purchase = Day(0);
  s.last_purchase = Day(20);
  EXPECT_DOUBLE_EQ(RecencyGaps(s, Day(50), Days(10)), 3.0);
  EXPECT_DOUBLE_EQ(RecencyGaps(s, Day(10), Days(10)), 0.0) << "never negative";
  RfmConfig config;
  config.recency = RfmScoring::kRhythm;
  EXPECT_EQ(ScoreRfm(config, s, Day(40), nullptr, Days(10)).r, 5);  // 2 gaps
  EXPECT_EQ(ScoreRfm(config, s, Day(41), nullptr, Days(10)).r, 4);
  EXPECT_EQ(ScoreRfm(config, s, Day(61), nullptr, Days(10)).r, 3);
  EXPECT_EQ(ScoreRfm(config, s, Day(71), nullptr, Days(10)).r, 2);
  EXPECT_EQ(ScoreRfm(config, s, Day(101), nullptr, Days(10)).r, 1);
}

TEST(QuantileMargin, AScoreChangesOnlyPastItsBoundaryByTheMargin) {
  RfmConfig config;
  config.min_population = 1;
  config.refresh_every = 1;
  RfmPopulation population;
  for (int count = 1; count <= 10; ++count) {
    CustomerState c;
    c.purchase_count = count;
    c.total_spend = 10.0 * count;
    c.last_purchase = Day(1);
    population.Update(config, CustomerState{}, c);
  }
  CustomerState s;
  s.purchase_count = 5;  // 4 of 10 customers below: 0.4, the F2/F3 boundary
  s.total_spend = 50;
  s.last_purchase = Day(1);
  EXPECT_EQ(population.Score(config, s).f, 3) << "not scored before: plain quintile";
  s.rfm = RfmScores{3, 2, 2};
  EXPECT_EQ(population.Score(config, s).f, 2) << "0.4 is within 0.05 of F2's band";
  s.rfm = RfmScores{3, 4, 4};
  EXPECT_EQ(population.Score(config, s).f, 3) << "0.4 is far below F4's band";
  config.quantile_margin = 0;
  s.rfm = RfmScores{3, 2, 2};
  EXPECT_EQ(population.Score(config, s).f, 3) << "no margin: plain quintile";
}

}  // namespace
}  // namespace crm::operators

// Overdue checks: when a silent customer is looked at again, and what the
// look finds (DESIGN.md "Inactivity").
#include "operators/inactivity.h"

#include <gtest/gtest.h>

#include "operators/customer_processor.h"

namespace crm::operators {
namespace {

EventTime Day(double d) { return EventTime{DaysF(d).ms}; }

Event Buy(const std::string& id, double day, double amount) {
  return Event{id, "cust", Day(day), Purchase{amount, 1, "EUR", "web", ""}, {}};
}

// Weekly purchases on days 0, 7, ..., 7 * (n - 1).
CustomerState WeeklyBuyer(const ModelConfig& config, int n) {
  CustomerState s;
  for (int i = 0; i < n; ++i) ProcessEvent(config, Buy("p" + std::to_string(i), 7.0 * i, 50), s);
  return s;
}

TEST(NextCheck, WalksThroughGapMultiplesRecencyBreakpointsAndRetention) {
  ModelConfig config;
  config.rfm.recency = RfmScoring::kBreakpoints;  // checks at the day breakpoints
  config.churn.gap_prior_weight = 0;  // usual gap exactly 7 days
  config.inactivity.check_at_gaps = {1.5, 2, 3, 4, 6};  // the walk, not the default list
  const CustomerState s = WeeklyBuyer(config, 5);  // last purchase day 28
  // Candidates after day 28: gaps x 1.5, 2, 3, 4, 6 = days 38.5, 42, 49, 56, 70;
  // breakpoints 14, 30, 60, 120 = days 42, 58, 88, 148; retention 3 years.
  std::vector<double> expected = {38.5, 42, 49, 56, 58, 70, 88, 148, 28 + 3 * 365};
  EventTime at = s.last_event;
  for (double day : expected) {
    at = NextCheck(config, s, at);
    EXPECT_EQ(at, Day(day)) << day;
  }
}

TEST(NextCheck, RoundsUpToTheGranularitySoChecksCoalesce) {
  ModelConfig config;
  config.churn.gap_prior_weight = 0;
  config.inactivity.granularity = Days(1);
  CustomerState s = WeeklyBuyer(config, 2);  // last purchase day 7, gap 7: first candidate day 17.5
  EXPECT_EQ(NextCheck(config, s, s.last_event), Day(18));
  // Without purchases only the retention check remains.
  CustomerState caller;
  caller.last_event = Day(3);
  EXPECT_EQ(NextCheck(config, caller, caller.last_event), Day(3 + 3 * 365));
}

TEST(ProcessEvent, EveryEventRearmsTheOneCheck) {
  ModelConfig config;
  CustomerState s;
  Effects first = ProcessEvent(config, Buy("p1", 0, 50), s);
  ASSERT_TRUE(first.timer.has_value());
  EXPECT_EQ(first.timer->cancel, EventTime{});
  EXPECT_EQ(first.timer->due, s.next_check);
  const EventTime armed = s.next_check;
  Effects second = ProcessEvent(config, Buy("p2", 5, 50), s);
  ASSERT_TRUE(second.timer.has_value());
  EXPECT_EQ(second.timer->cancel, armed) << "the old check is dropped";
  // The new check follows the new purchase (it may come earlier than the old
  // one: a second purchase five days in shortens the usual gap, and recency
  // is judged in usual gaps).
  EXPECT_EQ(second.timer->due, s.next_check);
  EXPECT_GT(second.timer->due, Day(5));
}

TEST(FireTimer, SilenceChangesTheSegmentAndRaisesAnAlertWithCauseTimer) {
  ModelConfig config;
  CustomerState s = WeeklyBuyer(config, 8);
  ASSERT_EQ(s.segment, "Champions");
  std::vector<Output> outputs;
  // Fire every check up to day 150 as the watermark passes it.
  while (s.next_check <= Day(150)) {
    Effects e = FireTimer(config, ModelContext{}, "cust", s.next_check, s.next_check, s);
    ASSERT_FALSE(e.expired);
    ASSERT_TRUE(e.timer.has_value());
    EXPECT_GT(e.timer->due, e.timer->cancel);
    outputs.insert(outputs.end(), e.outputs.begin(), e.outputs.end());
  }
  std::vector<SegmentChange> changes;
  std::vector<ChurnAlert> alerts;
  for (const Output& o : outputs) {
    if (auto* c = std::get_if<SegmentChange>(&o.payload)) changes.push_back(*c);
    if (auto* a = std::get_if<ChurnAlert>(&o.payload)) alerts.push_back(*a);
  }
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.front().from, "Champions");
  for (const auto& c : changes) EXPECT_EQ(c.cause, "timer");
  ASSERT_EQ(alerts.size(), 1u) << "one alert for the episode (hysteresis)";
  EXPECT_EQ(alerts[0].cause, "timer");
  EXPECT_EQ(alerts[0].reasons[0].code, "overdue");
  EXPECT_NE(alerts[0].reasons[0].detail.find("usual gap"), std::string::npos) << alerts[0].reasons[0].detail;
  EXPECT_EQ(s.purchase_count, 8) << "no event of the customer's own";
}

TEST(FireTimer, AStaleTimerDoesNothing) {
  ModelConfig config;
  CustomerState s = WeeklyBuyer(config, 3);
  const CustomerState before = s;
  Effects e = FireTimer(config, ModelContext{}, "cust", s.next_check - Hours(1), Day(400), s);
  EXPECT_TRUE(e.outputs.empty());
  EXPECT_FALSE(e.timer.has_value());
  EXPECT_EQ(s, before);
}

TEST(FireTimer, ACustomerSilentPastRetentionExpires) {
  ModelConfig config;
  config.inactivity.retention = Days(200);
  RfmPopulation population;
  const ModelContext context{nullptr, &population};
  CustomerState s;
  ProcessEvent(config, context, Buy("p1", 0, 50), s);
  ASSERT_EQ(population.live().frequency.count(), 1);
  Effects e;
  while (!e.expired) {
    ASSERT_NE(s.next_check, EventTime{}) << "the last check is the retention check";
    e = FireTimer(config, context, "cust", s.next_check, s.next_check, s);
  }
  EXPECT_EQ(population.live().frequency.count(), 0) << "an expired customer leaves the population";
  EXPECT_TRUE(e.outputs.empty());
}

}  // namespace
}  // namespace crm::operators

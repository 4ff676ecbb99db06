// The whole per-event chain, driven by event scripts.
#include "operators/customer_processor.h"
#include "operators/purchase_forecast.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "operators/money.h"

namespace crm::operators {
namespace {

EventTime Day(double d) { return EventTime{DaysF(d).ms}; }

Event Buy(const std::string& id, double day, double amount) {
  return Event{id, "cust", Day(day), Purchase{amount, 1, "EUR", "web", ""}, {}};
}
Event Complain(const std::string& id, double day, int severity) {
  return Event{id, "cust", Day(day), Complaint{"K" + id, ComplaintStatus::kOpened, severity, ""}, {}};
}
Event Rate(const std::string& id, double day, int rating) {
  return Event{id, "cust", Day(day), ServiceInteraction{"call", rating, true, 10}, {}};
}

std::vector<SegmentChange> Changes(const Effects& e) {
  std::vector<SegmentChange> out;
  for (const auto& o : e.outputs) {
    if (auto* c = std::get_if<SegmentChange>(&o.payload)) out.push_back(*c);
  }
  return out;
}
std::vector<ChurnAlert> Alerts(const Effects& e) {
  std::vector<ChurnAlert> out;
  for (const auto& o : e.outputs) {
    if (auto* a = std::get_if<ChurnAlert>(&o.payload)) out.push_back(*a);
  }
  return out;
}

TEST(ProcessEvent, FirstPurchaseMakesANewCustomer) {
  ModelConfig config;
  CustomerState s;
  Effects e = ProcessEvent(config, Buy("e1", 0, 30), s);
  auto changes = Changes(e);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].from, "");
  EXPECT_EQ(changes[0].to, "New");
  EXPECT_EQ(changes[0].cause, "e1");
  EXPECT_EQ(changes[0].rfm, (RfmScores{5, 1, 1}));
  EXPECT_EQ(e.outputs[0].rule, "segment-change");
  EXPECT_EQ(e.outputs[0].time, Day(0));
  EXPECT_EQ(s.purchase_count, 1);
  EXPECT_EQ(s.segment, "New");
  EXPECT_TRUE(Alerts(e).empty());
}

TEST(ProcessEvent, SegmentChangeIsEmittedOnlyWhenTheSegmentChanges) {
  ModelConfig config;
  CustomerState s;
  int changes = 0;
  std::vector<std::string> path;
  for (int i = 0; i < 10; ++i) {
    auto c = Changes(ProcessEvent(config, Buy("e" + std::to_string(i), i * 7, 100), s));
    changes += static_cast<int>(c.size());
    for (const auto& x : c) path.push_back(x.to);
  }
  EXPECT_EQ(path, (std::vector<std::string>{"New", "Potential Loyalist", "Champions"}));
  EXPECT_EQ(changes, 3);
}

TEST(ProcessEvent, DuplicateEventIdIsIgnored) {
  ModelConfig config;
  CustomerState s;
  ProcessEvent(config, Buy("same", 0, 30), s);
  CustomerState before = s;
  Effects e = ProcessEvent(config, Buy("same", 1, 30), s);
  EXPECT_TRUE(e.duplicate);
  EXPECT_TRUE(e.outputs.empty());
  EXPECT_EQ(s, before);
}

TEST(ProcessEvent, LateEventUpdatesStateButNotRecencyBackwards) {
  ModelConfig config;
  CustomerState s;
  ProcessEvent(config, Buy("e1", 100, 30), s);
  ProcessEvent(config, Buy("e0", 10, 30), s);  // arrives late
  EXPECT_EQ(s.purchase_count, 2);
  EXPECT_EQ(s.first_purchase, Day(10));
  EXPECT_EQ(s.last_purchase, Day(100));
  EXPECT_EQ(s.last_event, Day(100));
}

TEST(ProcessEvent, LapsedUnhappyCustomerRaisesOneAlert) {
  ModelConfig config;
  CustomerState s;
  for (int i = 0; i < 6; ++i) ProcessEvent(config, Buy("p" + std::to_string(i), i * 7, 120), s);
  Effects rated = ProcessEvent(config, Rate("r1", 60, 1), s);
  Effects complained = ProcessEvent(config, Complain("k1", 70, 5), s);
  auto alerts = Alerts(rated);
  auto more = Alerts(complained);
  alerts.insert(alerts.end(), more.begin(), more.end());
  ASSERT_EQ(alerts.size(), 1u) << "hysteresis: one alert for one episode";
  EXPECT_EQ(alerts[0].customer_id, "cust");
  EXPECT_GE(alerts[0].risk, config.alert.alert_threshold);
  EXPECT_DOUBLE_EQ(alerts[0].clv, 720);
  EXPECT_EQ(alerts[0].priority, Priority::kHigh);
  EXPECT_EQ(alerts[0].reasons[0].code, "overdue");
  EXPECT_EQ(s.alerts_sent, 1);
  // Buying again lowers the risk and re-arms the policy.
  ProcessEvent(config, Buy("p9", 75, 50), s);
  EXPECT_TRUE(s.alert_armed);
  EXPECT_LT(s.churn_risk, config.alert.rearm_threshold);
}

TEST(ProcessEvent, SameScriptTwiceGivesTheSameStateAndOutputs) {
  ModelConfig config;
  std::vector<Event> script = {Buy("a", 0, 20), Rate("b", 3, 2), Buy("c", 9, 80), Complain("d", 50, 3),
                               Buy("e", 51, 10), Rate("f", 120, 1), Complain("g", 121, 5)};
  CustomerState s1, s2;
  std::vector<Output> outputs1, outputs2;
  for (const Event& e : script) {
    for (Output& o : ProcessEvent(config, e, s1).outputs) outputs1.push_back(std::move(o));
  }
  for (const Event& e : script) {
    for (Output& o : ProcessEvent(config, e, s2).outputs) outputs2.push_back(std::move(o));
  }
  EXPECT_EQ(s1, s2);
  ASSERT_EQ(outputs1.size(), outputs2.size());
  ASSERT_GE(outputs1.size(), 2u) << "the script should produce outputs to compare";
  for (size_t i = 0; i < outputs1.size(); ++i) {
    EXPECT_EQ(outputs1[i].rule, outputs2[i].rule) << i;
    EXPECT_EQ(outputs1[i].time, outputs2[i].time) << i;
    EXPECT_TRUE(outputs1[i].payload == outputs2[i].payload) << i;
  }
}

TEST(ProcessEvent, NonPurchasersGetNoSegmentAndNoAlert) {
  ModelConfig config;
  CustomerState s;
  Effects rated = ProcessEvent(config, Rate("r1", 0, 1), s);
  Effects complained = ProcessEvent(config, Complain("k1", 1, 5), s);
  EXPECT_TRUE(rated.outputs.empty());
  EXPECT_TRUE(complained.outputs.empty()) << "no segment, and min_value keeps never-buyers quiet";
  EXPECT_EQ(s.segment, "");
  EXPECT_EQ(s.open_complaints.size(), 1u);
  EXPECT_LT(s.satisfaction, config.satisfaction.prior);
  // The first purchase gives the first segment, from "".
  auto changes = Changes(ProcessEvent(config, Buy("p1", 2, 30), s));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].from, "");
  EXPECT_EQ(changes[0].to, "New");
}

TEST(ProcessEvent, DedupWindowForgetsOldEventIds) {
  ModelConfig config;
  CustomerState s;
  ProcessEvent(config, Buy("first", 0, 10), s);
  for (size_t i = 0; i < kDedupWindow; ++i) ProcessEvent(config, Buy("x" + std::to_string(i), 1, 10), s);
  EXPECT_FALSE(ProcessEvent(config, Buy("first", 2, 10), s).duplicate)
      << "outside the window an id is applied again";
  EXPECT_TRUE(ProcessEvent(config, Buy("first", 3, 10), s).duplicate);
  EXPECT_EQ(s.purchase_count, static_cast<int64_t>(kDedupWindow) + 2);
}

TEST(ProcessEvent, FittedModelsDriveRiskValueAndAlerts) {
  ModelConfig config;
  ModelParams params;
  params.bgnbd = {0.243, 4.414, 0.793, 2.426};
  params.gamma_gamma = {6.25, 3.74, 15.44};
  const ModelContext context{&params, nullptr};
  CustomerState s;
  for (int i = 0; i < 6; ++i) ProcessEvent(config, context, Buy("p" + std::to_string(i), i * 7, 120), s);
  const CustomerState before_silence = s;
  // Six weeks of silence after a weekly rhythm, and a bad call: slipping
  // away but still worth something.
  Effects e = ProcessEvent(config, context, Rate("r1", 80, 1), s);
  auto alerts = Alerts(e);
  ASSERT_EQ(alerts.size(), 1u);
  const EventTime now = Day(80);
  EXPECT_DOUBLE_EQ(alerts[0].p_alive, PAliveAt(params, before_silence, now));
  EXPECT_DOUBLE_EQ(alerts[0].clv, ValueAt(params, config.value, s, now).clv);
  // Value at risk is what is lost if the customer is gone: the CLV of an
  // alive customer (not multiplied by P(alive)) times the risk.
  const CustomerValue value = ValueAt(params, config.value, s, now);
  EXPECT_DOUBLE_EQ(alerts[0].value_at_risk, value.clv_if_alive * alerts[0].risk);
  EXPECT_GT(value.clv_if_alive, value.clv);
  // Both explanations, the bad call (far below the satisfaction prior) first.
  ASSERT_GE(alerts[0].reasons.size(), 2u);
  EXPECT_EQ(alerts[0].reasons[0].code, "low_satisfaction");
  EXPECT_EQ(alerts[0].reasons[1].code, "low_p_alive");
  EXPECT_DOUBLE_EQ(s.churn_risk, alerts[0].risk);
  // The risk is P(no purchase within the horizon) through the logistic blend.
  const double p_none = PurchaseOutlookAt(params, before_silence, now, config.churn.horizon_days).p_no_purchase;
  EXPECT_GE(alerts[0].risk, p_none) << "a bad rating only adds to the behavioural risk";
  EXPECT_GT(alerts[0].clv, 0);
  // A year later the model says the customer is gone: their expected CLV is
  // almost nothing, but if still alive (the posterior rate after 57 weeks,
  // (r + x)/(alpha + T) = 5.24/61.4 = 0.085 a week, about 4.4 purchases a year
  // of ~100 each) they are worth a few hundred, so the call center gets a
  // win-back alert instead of silence.
  CustomerState gone = before_silence;
  auto win_back = Alerts(ProcessEvent(config, context, Rate("r2", 400, 1), gone));
  EXPECT_GT(gone.churn_risk, 0.99);
  ASSERT_EQ(win_back.size(), 1u);
  EXPECT_LT(win_back[0].p_alive, config.alert.win_back_p_alive);
  EXPECT_LT(win_back[0].clv, config.alert.min_value) << "the old value gate would have kept silent";
  EXPECT_GT(win_back[0].value_at_risk, config.alert.medium_value_at_risk);
  EXPECT_LT(win_back[0].value_at_risk, config.alert.high_value_at_risk);
  EXPECT_EQ(win_back[0].priority, Priority::kMedium);
  EXPECT_EQ(win_back[0].recommended_action, "win back: call this week with a come-back offer");
  EXPECT_EQ(win_back[0].recommended_action.rfind("win back:", 0), 0u) << win_back[0].recommended_action;
  EXPECT_EQ(win_back[0].reasons[0].code, "low_p_alive");
}

TEST(ProcessEvent, SegmentChangesCarryBothLoyaltyClasses) {
  ModelConfig config;
  CustomerState s;
  Effects first = ProcessEvent(config, Complain("k1", 0, 5), s);
  EXPECT_TRUE(Changes(first).empty());
  auto changes = Changes(ProcessEvent(config, Buy("p1", 1, 10), s));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].loyalty, "none");
  EXPECT_EQ(changes[0].relationship, "terrorist") << "dissatisfied one-time buyer with an open complaint";
}

TEST(ProcessEvent, PopulationScoresRelativeToOtherCustomers) {
  ModelConfig config;
  config.rfm.min_population = 3;
  config.rfm.refresh_every = 1;
  RfmPopulation population;
  const ModelContext context{nullptr, &population};
  // Three small spenders, then one who spends 40: a breakpoint M1, but the
  // population's top spender.
  for (int i = 0; i < 3; ++i) {
    CustomerState other;
    Event e = Buy("o" + std::to_string(i), 0, 5);
    e.customer_id = "o" + std::to_string(i);
    ProcessEvent(config, context, e, other);
  }
  CustomerState s;
  ProcessEvent(config, context, Buy("p1", 0, 40), s);
  EXPECT_EQ(s.rfm.m, 4) << "beats three of four";
  EXPECT_EQ(population.live().monetary.count(), 4);
  CustomerState alone;
  ProcessEvent(config, Buy("p1", 0, 40), alone);
  EXPECT_EQ(alone.rfm.m, 1);
}

// Issue 10 item 3: two purchases of the largest double made total_spend
// infinite for good and the alert's CLV inf. Every sum now saturates.
TEST(ProcessEvent, HugeAmountsKeepEverySumAndAlertFinite) {
  const double huge = std::numeric_limits<double>::max();
  ModelParams params;
  params.bgnbd = {0.243, 4.414, 0.793, 2.426};
  params.gamma_gamma = {6.25, 3.74, 15.44};
  const ModelParams* const choices[] = {nullptr, &params};
  for (const ModelParams* fitted : choices) {
    SCOPED_TRACE(fitted ? "fitted" : "unfitted");
    ModelConfig config;
    const ModelContext context{fitted, nullptr};
    CustomerState s;
    for (int i = 0; i < 6; ++i) ProcessEvent(config, context, Buy("p" + std::to_string(i), i * 7, huge), s);
    EXPECT_EQ(s.total_spend, kMaxMoney);
    EXPECT_TRUE(std::isfinite(s.first_purchase_spend));
    std::vector<ChurnAlert> alerts = Alerts(ProcessEvent(config, context, Rate("r1", 80, 1), s));
    ASSERT_EQ(alerts.size(), 1u);
    for (double x : {alerts[0].risk, alerts[0].p_alive, alerts[0].clv, alerts[0].value_at_risk,
                     alerts[0].satisfaction}) {
      EXPECT_TRUE(std::isfinite(x)) << x;
    }
    EXPECT_GT(alerts[0].clv, 0);
    EXPECT_LE(alerts[0].clv, kMaxMoney);
  }
}

// A state stored before amounts were bounded may hold an infinite total: its
// alerts are finite, and the next purchase brings the total back.
TEST(ProcessEvent, StoredInfiniteTotalHeals) {
  ModelConfig config;
  CustomerState s;
  for (int i = 0; i < 6; ++i) ProcessEvent(config, Buy("p" + std::to_string(i), i * 7, 120), s);
  s.total_spend = std::numeric_limits<double>::infinity();
  std::vector<ChurnAlert> alerts = Alerts(ProcessEvent(config, Rate("r1", 80, 1), s));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].clv, kMaxMoney);
  EXPECT_TRUE(std::isfinite(alerts[0].value_at_risk));
  ProcessEvent(config, Buy("p9", 81, 10), s);
  EXPECT_EQ(s.total_spend, kMaxMoney);
}

TEST(StableHash64, IsFnv1aAndNeverZero) {
  EXPECT_EQ(StableHash64(""), 14695981039346656037ULL);
  EXPECT_EQ(StableHash64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_NE(StableHash64("event-1"), StableHash64("event-2"));
}

}  // namespace
}  // namespace crm::operators

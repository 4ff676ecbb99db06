#include "operators/alerting.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "operators/money.h"

namespace crm::operators {
namespace {

ChurnAssessment Risk(double r) {
  ChurnAssessment a;
  a.risk = r;
  a.behavioural_risk = r;
  a.p_alive = 1 - r;
  a.reasons = {{"overdue", "no purchase for 60 days; usual gap 10 days"}};
  return a;
}

EventTime Day(int d) { return EventTime{Days(d).ms}; }

TEST(DecideAlert, AlertsAtTheThresholdAndDisarms) {
  AlertConfig config;
  config.alert_threshold = 0.7;  // the mechanism, not the tuned defaults
  config.rearm_threshold = 0.5;
  CustomerState s;
  s.segment = "At Risk";
  EXPECT_FALSE(DecideAlert(config, {"c", Risk(0.69), FixedValue(300), 40, Day(0)}, s));
  auto alert = DecideAlert(config, {"c", Risk(0.7), FixedValue(300), 40, Day(1)}, s);
  ASSERT_TRUE(alert);
  EXPECT_EQ(alert->customer_id, "c");
  EXPECT_DOUBLE_EQ(alert->value_at_risk, 210);
  EXPECT_EQ(alert->priority, Priority::kMedium);
  EXPECT_EQ(alert->segment, "At Risk");
  EXPECT_EQ(alert->reasons.size(), 1u);
  EXPECT_EQ(alert->recommended_action, "call this week");
  EXPECT_FALSE(s.alert_armed);
  EXPECT_EQ(s.last_alert, Day(1));
  EXPECT_EQ(s.alerts_sent, 1);
}

TEST(DecideAlert, HysteresisNeedsRiskBelowRearmBeforeAnotherAlert) {
  AlertConfig config;
  config.alert_threshold = 0.7;  // the mechanism, not the tuned defaults
  config.rearm_threshold = 0.5;
  CustomerState s;
  ASSERT_TRUE(DecideAlert(config, {"c", Risk(0.9), FixedValue(300), 40, Day(0)}, s));
  EXPECT_FALSE(DecideAlert(config, {"c", Risk(0.9), FixedValue(300), 40, Day(30)}, s)) << "still disarmed";
  EXPECT_FALSE(DecideAlert(config, {"c", Risk(0.6), FixedValue(300), 40, Day(31)}, s)) << "0.6 does not re-arm";
  EXPECT_FALSE(s.alert_armed);
  EXPECT_FALSE(DecideAlert(config, {"c", Risk(0.4), FixedValue(300), 40, Day(32)}, s));
  EXPECT_TRUE(s.alert_armed);
  EXPECT_TRUE(DecideAlert(config, {"c", Risk(0.8), FixedValue(300), 40, Day(33)}, s));
  EXPECT_EQ(s.alerts_sent, 2);
}

TEST(DecideAlert, CooldownLimitsAlertsPerCustomer) {
  AlertConfig config;  // 7 days
  CustomerState s;
  ASSERT_TRUE(DecideAlert(config, {"c", Risk(0.9), FixedValue(300), 40, Day(0)}, s));
  EXPECT_FALSE(DecideAlert(config, {"c", Risk(0.1), FixedValue(300), 40, Day(1)}, s));  // re-arms
  EXPECT_FALSE(DecideAlert(config, {"c", Risk(0.9), FixedValue(300), 40, Day(6)}, s)) << "inside the cooldown";
  EXPECT_TRUE(s.alert_armed) << "a suppressed alert keeps the customer armed";
  EXPECT_TRUE(DecideAlert(config, {"c", Risk(0.9), FixedValue(300), 40, Day(7)}, s));
}

TEST(DecideAlert, CustomersBelowMinimumValueAreNotAlerted) {
  AlertConfig config;
  config.min_value = 100;
  CustomerState s;
  EXPECT_FALSE(DecideAlert(config, {"c", Risk(0.95), FixedValue(99), 40, Day(0)}, s));
  EXPECT_TRUE(DecideAlert(config, {"c", Risk(0.95), FixedValue(100), 40, Day(0)}, s));
}

TEST(DecideAlert, PriorityAndActionFollowValueAtRisk) {
  AlertConfig config;  // high >= 500, medium >= 100
  struct Case { double value; Priority priority; const char* action; };
  for (const Case& c : {Case{1000, Priority::kHigh, "call within 24 hours with a retention offer"},
                        Case{200, Priority::kMedium, "call this week"},
                        Case{50, Priority::kLow, "send a win-back email"}}) {
    CustomerState s;
    auto alert = DecideAlert(config, {"c", Risk(0.8), FixedValue(c.value), 40, Day(0)}, s);
    ASSERT_TRUE(alert) << c.value;
    EXPECT_DOUBLE_EQ(alert->value_at_risk, c.value * 0.8);
    EXPECT_DOUBLE_EQ(alert->clv, c.value);
    EXPECT_DOUBLE_EQ(alert->p_alive, 1 - 0.8);
    EXPECT_DOUBLE_EQ(alert->satisfaction, 40);
    EXPECT_EQ(alert->priority, c.priority) << c.value;
    EXPECT_EQ(alert->recommended_action, c.action) << c.value;
  }
}

TEST(DecideAlert, ValueIsComputedOnlyWhenAnAlertIsPossible) {
  AlertConfig config;
  int calls = 0;
  auto value = [&calls] {
    ++calls;
    return AlertValue{300.0, 300.0};
  };
  CustomerState s;
  EXPECT_FALSE(DecideAlert(config, {"c", Risk(0.3), value, 50, Day(0)}, s));
  EXPECT_EQ(calls, 0) << "risk below the threshold needs no value";
  ASSERT_TRUE(DecideAlert(config, {"c", Risk(0.9), value, 50, Day(0)}, s));
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(DecideAlert(config, {"c", Risk(0.9), value, 50, Day(1)}, s));
  EXPECT_EQ(calls, 1) << "a disarmed customer needs no value";
}

// Issue 12 item 3: what is lost if the customer is gone is their value if
// retained, not their expected CLV (which P(alive) already shrank).
TEST(DecideAlert, AValuableCustomerWhoIsProbablyGoneGetsAWinBackAlert) {
  AlertConfig config;  // min_value 1, win_back_p_alive 0.5
  ChurnAssessment gone = Risk(0.95);
  gone.fitted = true;
  gone.p_alive = 0.02;
  gone.reasons = {{"low_p_alive", "only 2% likely to still be an active customer"}};
  CustomerState s;
  // Expected CLV 0.5 (= 0.02 x 25): below min_value; retained worth 800.
  auto alert = DecideAlert(config, {"c", gone, [] { return AlertValue{0.5, 800}; }, 40, Day(0)}, s);
  ASSERT_TRUE(alert) << "silence would lose the customer for good";
  EXPECT_DOUBLE_EQ(alert->clv, 0.5);
  EXPECT_DOUBLE_EQ(alert->value_at_risk, 800 * 0.95);
  EXPECT_EQ(alert->priority, Priority::kHigh);
  EXPECT_EQ(alert->recommended_action, "win back: call within 24 hours with a come-back offer");
  EXPECT_EQ(alert->reasons[0].code, "low_p_alive");

  // A likely-alive customer at the same risk gets the retention action.
  ChurnAssessment slipping = gone;
  slipping.p_alive = 0.7;
  CustomerState t;
  alert = DecideAlert(config, {"c", slipping, [] { return AlertValue{560, 800}; }, 40, Day(0)}, t);
  ASSERT_TRUE(alert);
  EXPECT_EQ(alert->recommended_action, "call within 24 hours with a retention offer");
  // Without a fitted model there is no P(alive) to judge "gone" by.
  ChurnAssessment fallback = gone;
  fallback.fitted = false;
  CustomerState u;
  alert = DecideAlert(config, {"c", fallback, FixedValue(800), 40, Day(0)}, u);
  ASSERT_TRUE(alert);
  EXPECT_EQ(alert->recommended_action, "call within 24 hours with a retention offer");
  // Worthless even if retained: no call.
  CustomerState w;
  EXPECT_FALSE(DecideAlert(config, {"c", gone, [] { return AlertValue{0.01, 0.5}; }, 40, Day(0)}, w));
}

TEST(DecideAlert, WinBackActionsByPriority) {
  AlertConfig config;  // high >= 500, medium >= 100
  ChurnAssessment gone = Risk(0.9);
  gone.fitted = true;
  gone.p_alive = 0.1;
  struct Case { double retained; const char* action; };
  for (const Case& c : {Case{1000, "win back: call within 24 hours with a come-back offer"},
                        Case{200, "win back: call this week with a come-back offer"},
                        Case{50, "win back: send a come-back offer by email"}}) {
    CustomerState s;
    auto value = [&] { return AlertValue{c.retained * 0.1, c.retained}; };
    auto alert = DecideAlert(config, {"c", gone, value, 40, Day(0)}, s);
    ASSERT_TRUE(alert) << c.retained;
    EXPECT_EQ(alert->recommended_action, c.action);
  }
}

TEST(PriorityFor, FollowsValueAtRisk) {
  AlertConfig config;  // high >= 500, medium >= 100
  EXPECT_EQ(PriorityFor(config, 99.99), Priority::kLow);
  EXPECT_EQ(PriorityFor(config, 100), Priority::kMedium);
  EXPECT_EQ(PriorityFor(config, 499), Priority::kMedium);
  EXPECT_EQ(PriorityFor(config, 500), Priority::kHigh);
  EXPECT_STREQ(PriorityName(Priority::kHigh), "high");
  EXPECT_STREQ(PriorityName(Priority::kMedium), "medium");
  EXPECT_STREQ(PriorityName(Priority::kLow), "low");
}

// Issue 10 item 3: an alert carries finite numbers whatever the value.
TEST(DecideAlert, NonFiniteValueOrRiskNeverReachesAnAlert) {
  AlertConfig config;
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  {
    CustomerState s;
    auto alert = DecideAlert(config, {"c", Risk(0.9), FixedValue(inf), 40, Day(0)}, s);
    ASSERT_TRUE(alert);
    EXPECT_EQ(alert->clv, kMaxMoney);
    EXPECT_EQ(alert->value_at_risk, 0.9 * kMaxMoney);
    EXPECT_EQ(alert->priority, Priority::kHigh);
  }
  {
    CustomerState s;
    // No value is no value: below min_value, no call.
    EXPECT_FALSE(DecideAlert(config, {"c", Risk(0.9), FixedValue(nan), 40, Day(0)}, s));
    EXPECT_EQ(s.alerts_sent, 0);
  }
  {
    CustomerState s;
    s.alert_armed = false;
    EXPECT_FALSE(DecideAlert(config, {"c", Risk(nan), FixedValue(300), 40, Day(0)}, s));
    EXPECT_FALSE(s.alert_armed) << "an undefined risk does not re-arm";
  }
}

}  // namespace
}  // namespace crm::operators

// Closing the loop on churn alerts: win-backs within the window, losses
// after it or at the window's timer, reported actions, and the control group.
#include "operators/alert_outcome.h"

#include <gtest/gtest.h>

#include "operators/customer_processor.h"
#include "tests/operators/outputs_of.h"

namespace crm::operators {
namespace {

EventTime Day(double d) { return EventTime{DaysF(d).ms}; }

Event BuyAt(const std::string& id, EventTime at) {
  return Event{id, "cust", at, Purchase{50, 1, "EUR", "web", ""}, {"crm.purchases", 2, 1000}};
}
Event Buy(const std::string& id, double day) { return BuyAt(id, Day(day)); }
Event Act(const std::string& id, EventTime at, const std::string& alert_id, const std::string& action) {
  return Event{id, "cust", at, AlertAction{alert_id, action}, {"crm.actions", 2, 7}};
}

// A weekly buyer who falls silent after day 49, with checks fired as the
// watermark passes them until the first alert; `alert` receives it.
struct Alerted {
  CustomerState state;
  ChurnAlert alert;
  EventTime at;
};
Alerted SilentUntilAlert(const ModelConfig& config) {
  Alerted a;
  for (int i = 0; i < 8; ++i) ProcessEvent(config, Buy("p" + std::to_string(i), 7.0 * i), a.state);
  const ModelContext context{nullptr, nullptr, nullptr, /*partition=*/3};
  while (a.state.next_check <= Day(400)) {
    const EventTime due = a.state.next_check;
    Effects e = FireTimer(config, context, "cust", due, due, a.state);
    auto alerts = OutputsOf<ChurnAlert>(e);
    if (!alerts.empty()) {
      a.alert = alerts[0];
      a.at = due;
      return a;
    }
  }
  ADD_FAILURE() << "no alert by day 400";
  return a;
}

ModelConfig NoControl() {
  ModelConfig config;
  config.outcomes.control_share = 0;
  return config;
}

TEST(AlertOutcome, AnAlertOpensAnOutcomeUnderTheIdItIsPublishedWith) {
  const ModelConfig config = NoControl();
  Alerted a = SilentUntilAlert(config);
  ASSERT_TRUE(a.state.open_alert.has_value());
  const OpenAlert& open = *a.state.open_alert;
  EXPECT_EQ(open.alert_id, "timer/3/" + std::to_string(a.at.epoch_ms) + "/cust/churn-alert");
  EXPECT_EQ(open.at, a.at);
  EXPECT_EQ(open.priority, a.alert.priority);
  EXPECT_EQ(open.recommended_action, a.alert.recommended_action);
  EXPECT_FALSE(open.control);
  EXPECT_FALSE(a.alert.control);
  EXPECT_LE(a.state.next_check, a.at + config.outcomes.winback_window) << "the check covers the window's end";
}

TEST(AlertOutcome, APurchaseWithinTheWindowIsAWinBackNamingTheAlert) {
  const ModelConfig config = NoControl();
  Alerted a = SilentUntilAlert(config);
  const std::string alert_id = a.state.open_alert->alert_id;
  Effects e = ProcessEvent(config, BuyAt("back", a.at + Days(5)), a.state);
  auto backs = OutputsOf<WinBack>(e);
  ASSERT_EQ(backs.size(), 1u);
  EXPECT_EQ(backs[0].alert_id, alert_id);
  EXPECT_EQ(backs[0].customer_id, "cust");
  EXPECT_EQ(backs[0].alert_time, a.at);
  EXPECT_EQ(backs[0].time_to_return, Days(5));
  EXPECT_EQ(backs[0].cause, "back");
  EXPECT_EQ(backs[0].action, "");
  ASSERT_EQ(e.outcomes.size(), 1u);
  EXPECT_TRUE(e.outcomes[0].won_back);
  EXPECT_FALSE(e.outcomes[0].acted);
  EXPECT_FALSE(a.state.open_alert.has_value());
  // A second purchase is not a second win-back.
  Effects again = ProcessEvent(config, BuyAt("again", a.at + Days(6)), a.state);
  EXPECT_TRUE(OutputsOf<WinBack>(again).empty());
  EXPECT_TRUE(again.outcomes.empty());
}

TEST(AlertOutcome, APurchaseAfterTheWindowIsNoWinBackAndTheAlertIsLost) {
  const ModelConfig config = NoControl();
  Alerted a = SilentUntilAlert(config);
  Effects e = ProcessEvent(config, BuyAt("late", a.at + config.outcomes.winback_window + Days(1)), a.state);
  EXPECT_TRUE(OutputsOf<WinBack>(e).empty());
  ASSERT_EQ(e.outcomes.size(), 1u);
  EXPECT_FALSE(e.outcomes[0].won_back);
  EXPECT_FALSE(a.state.open_alert.has_value());
}

TEST(AlertOutcome, TheWindowsEndFiresTheCheckAndTheAlertIsLostOnce) {
  const ModelConfig config = NoControl();
  Alerted a = SilentUntilAlert(config);
  const EventTime end = a.at + config.outcomes.winback_window;
  std::vector<AlertOutcome> outcomes;
  while (a.state.next_check <= end) {
    const EventTime due = a.state.next_check;
    Effects e = FireTimer(config, ModelContext{}, "cust", due, due, a.state);
    outcomes.insert(outcomes.end(), e.outcomes.begin(), e.outcomes.end());
    EXPECT_TRUE(OutputsOf<WinBack>(e).empty());
  }
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_FALSE(outcomes[0].won_back);
  EXPECT_EQ(outcomes[0].priority, a.alert.priority);
  EXPECT_FALSE(a.state.open_alert.has_value());
}

TEST(AlertOutcome, AnActionAttachesToTheAlertItNamesAndTravelsWithTheWinBack) {
  const ModelConfig config = NoControl();
  Alerted a = SilentUntilAlert(config);
  Effects acted = ProcessEvent(config, Act("a1", a.at + Days(1), a.state.open_alert->alert_id, "call"), a.state);
  ASSERT_TRUE(acted.action_matched.has_value());
  EXPECT_TRUE(*acted.action_matched);
  EXPECT_TRUE(acted.outputs.empty());
  EXPECT_FALSE(acted.timer.has_value()) << "an action is not the customer's activity";
  EXPECT_EQ(a.state.open_alert->action, "call");
  Effects e = ProcessEvent(config, BuyAt("back", a.at + Days(3)), a.state);
  auto backs = OutputsOf<WinBack>(e);
  ASSERT_EQ(backs.size(), 1u);
  EXPECT_EQ(backs[0].action, "call");
  ASSERT_EQ(e.outcomes.size(), 1u);
  EXPECT_TRUE(e.outcomes[0].acted);
}

TEST(AlertOutcome, ANoneActionIsRecordedButIsNotActing) {
  const ModelConfig config = NoControl();
  Alerted a = SilentUntilAlert(config);
  ProcessEvent(config, Act("a1", a.at + Days(1), a.state.open_alert->alert_id, "none"), a.state);
  Effects e = ProcessEvent(config, BuyAt("back", a.at + Days(3)), a.state);
  ASSERT_EQ(e.outcomes.size(), 1u);
  EXPECT_FALSE(e.outcomes[0].acted);
  EXPECT_EQ(OutputsOf<WinBack>(e).at(0).action, "none");
}

TEST(AlertOutcome, AnActionForAnUnknownAlertIsIgnoredAndChangesNoState) {
  const ModelConfig config = NoControl();
  Alerted a = SilentUntilAlert(config);
  const CustomerState before = a.state;
  Effects e = ProcessEvent(config, Act("a1", Day(60), "crm.purchases/2/999/churn-alert", "call"), a.state);
  ASSERT_TRUE(e.action_matched.has_value());
  EXPECT_FALSE(*e.action_matched);
  EXPECT_EQ(a.state, before);
  // A customer crmstream has never seen keeps no state either.
  CustomerState stranger;
  ProcessEvent(config, Act("a2", Day(60), "x", "email"), stranger);
  EXPECT_EQ(stranger, CustomerState{});
}

TEST(AlertOutcome, ControlChoiceIsDeterministicAndNearTheConfiguredShare) {
  OutcomeConfig config;
  config.control_share = 0.1;
  int control = 0;
  constexpr int kAlerts = 20000;
  for (int i = 0; i < kAlerts; ++i) {
    const std::string customer = "c" + std::to_string(i % 977);
    const std::string alert = "crm.purchases/" + std::to_string(i % 8) + "/" + std::to_string(i) + "/churn-alert";
    const bool chosen = IsControlAlert(config, customer, alert);
    EXPECT_EQ(chosen, IsControlAlert(config, customer, alert));
    control += chosen ? 1 : 0;
  }
  // Binomial(20000, 0.1): sd 42; 0.09..0.11 is five sd either side.
  EXPECT_GT(control, kAlerts * 0.09);
  EXPECT_LT(control, kAlerts * 0.11);
  config.control_share = 0;
  EXPECT_FALSE(IsControlAlert(config, "c1", "a"));
  config.control_share = 1;
  EXPECT_TRUE(IsControlAlert(config, "c1", "a"));
}

TEST(AlertOutcome, AControlAlertIsPublishedAndKeptWithItsFlag) {
  ModelConfig config;
  config.outcomes.control_share = 1;
  Alerted a = SilentUntilAlert(config);
  EXPECT_TRUE(a.alert.control);
  ASSERT_TRUE(a.state.open_alert.has_value());
  EXPECT_TRUE(a.state.open_alert->control);
  Effects e = ProcessEvent(config, BuyAt("back", a.at + Days(2)), a.state);
  ASSERT_EQ(e.outcomes.size(), 1u);
  EXPECT_TRUE(e.outcomes[0].control);
  EXPECT_TRUE(OutputsOf<WinBack>(e).at(0).control);
}

TEST(AlertOutcome, AControlAlertCountsForTheAlertPolicyLikeAnyOther) {
  ModelConfig treated = NoControl();
  ModelConfig control;
  control.outcomes.control_share = 1;
  Alerted t = SilentUntilAlert(treated);
  Alerted c = SilentUntilAlert(control);
  EXPECT_EQ(t.at, c.at);
  EXPECT_EQ(t.state.alerts_sent, c.state.alerts_sent);
  EXPECT_EQ(t.state.alert_armed, c.state.alert_armed);
  EXPECT_EQ(t.state.last_alert, c.state.last_alert);
}

}  // namespace
}  // namespace crm::operators

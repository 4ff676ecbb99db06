// The open alert in the customer's profile (GET /customers/{id}) and state
// dump: what a call-center agent looking the customer up needs to see, the
// alert and the action reported for it, and null once the outcome is closed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "operators/customer_state.h"
#include "pipeline/wire/state_json.h"

namespace crm::pipeline {
namespace {

using operators::EventTime;

operators::CustomerState Customer() {
  operators::CustomerState s;
  s.purchase_count = 3;
  s.last_event = EventTime{1'709'294'400'000};
  return s;
}

TEST(ProfileOpenAlert, NullWhenNoAlertIsOpen) {
  const auto profile =
      nlohmann::json::parse(CustomerProfileJson("c1", Customer(), operators::ModelConfig{}, nullptr, EventTime{0}));
  ASSERT_TRUE(profile.contains("open_alert"));
  EXPECT_TRUE(profile["open_alert"].is_null());
}

TEST(ProfileOpenAlert, ShowsTheAlertAndTheReportedAction) {
  operators::CustomerState s = Customer();
  s.open_alert = operators::OpenAlert{"timer/3/1709294400000/c1/churn-alert", EventTime{1'709'294'400'000},
                                      operators::Priority::kHigh, "call", false, ""};
  auto profile = nlohmann::json::parse(CustomerProfileJson("c1", s, operators::ModelConfig{}, nullptr, EventTime{0}));
  const auto& alert = profile["open_alert"];
  EXPECT_EQ(alert["alert_id"], "timer/3/1709294400000/c1/churn-alert");
  EXPECT_EQ(alert["alert_time"], "2024-03-01T12:00:00.000Z");
  EXPECT_EQ(alert["priority"], "high");
  EXPECT_EQ(alert["recommended_action"], "call");
  EXPECT_EQ(alert["control"], false);
  EXPECT_TRUE(alert["action"].is_null()) << "nothing reported yet";

  s.open_alert->action = "email";
  s.open_alert->control = true;
  const auto dumped = nlohmann::json::parse(CustomerStateJson("c1", s));
  EXPECT_EQ(dumped["open_alert"]["action"], "email") << "the state dump carries it too";
  EXPECT_EQ(dumped["open_alert"]["control"], true);
}

}  // namespace
}  // namespace crm::pipeline

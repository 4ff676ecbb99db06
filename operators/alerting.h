// operators/alerting.h
//
// Alert policy: decides when a customer's churn risk deserves a call.
// Pure and deterministic; keeps no state of its own beyond CustomerState
// (alert_armed, last_alert, alerts_sent).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "operators/alert_budget.h"
#include "operators/churn_risk.h"
#include "operators/customer_state.h"
#include "operators/effects.h"
#include "operators/model_config.h"

namespace crm::operators {

// Priority from value at risk against the configured cut-offs.
Priority PriorityFor(const AlertConfig& config, double value_at_risk);

// What a customer is worth, for the alert. `clv` is the expected value
// (with fitted models: CLV, already multiplied by P(alive)); `if_retained`
// the value if the customer stays or comes back (with fitted models: the CLV
// of an alive customer; without them both are spend so far).
struct AlertValue {
  double clv = 0;
  double if_retained = 0;
};

// What one alert decision looks at, besides the policy and the customer's
// policy memory.
struct AlertCase {
  std::string_view customer_id;  // outlives the call
  ChurnAssessment churn;
  // The customer's value; called only when the risk and the policy memory
  // would allow an alert, because CLV is costly.
  std::function<AlertValue()> value;
  double satisfaction = 0;
  EventTime now;  // event time of the decision
};

// A value known in advance, worth `value` whether retained or not (the
// fallback: spend so far).
std::function<AlertValue()> FixedValue(double value);

// Returns the alert to emit at event time `alert_case.now`, if any, and
// updates the policy memory in `state`:
// - risk < rearm_threshold re-arms the customer;
// - an armed customer with risk >= alert_threshold, value if retained >=
//   min_value and no alert within the cooldown gets one; it is then disarmed.
// Value at risk = value if retained x risk: what the business loses if the
// customer is (or goes) gone, so a valuable customer who has probably left
// still gets a call. A fitted customer with P(alive) below win_back_p_alive
// gets a win-back action instead of a retention one.
// With a `budget` and config.max_alerts_per_day > 0, an alert the policy
// allows must also be admitted by the partition's daily budget
// (alert_budget.h); one turned away leaves the customer armed.
std::optional<ChurnAlert> DecideAlert(const AlertConfig& config, const AlertCase& alert_case, CustomerState& state,
                                      AlertBudget* budget = nullptr);

}  // namespace crm::operators

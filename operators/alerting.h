// operators/alerting.h
//
// Alert policy: decides when a customer's churn risk deserves a call.
// Pure and deterministic; keeps no state of its own beyond CustomerState
// (alert_armed, last_alert, alerts_sent).
#pragma once

#include <functional>
#include <optional>

#include "operators/churn_risk.h"
#include "operators/customer_state.h"
#include "operators/effects.h"
#include "operators/model_config.h"

namespace crm::operators {

// Priority from value at risk against the configured cut-offs.
Priority PriorityFor(const AlertConfig& config, double value_at_risk);

// Returns the alert to emit at event time `now`, if any, and updates the
// policy memory in `state`:
// - risk < rearm_threshold re-arms the customer;
// - an armed customer with risk >= alert_threshold, value >= min_value and no
//   alert within the cooldown gets one; it is then disarmed.
// `value` gives the customer's value estimate (CLV once the models are
// fitted, historical spend until then); it is called only when the risk and
// the policy memory would allow an alert, because CLV is costly.
std::optional<ChurnAlert> DecideAlert(const AlertConfig& config,
                                      const std::string& customer_id,
                                      const ChurnAssessment& churn,
                                      const std::function<double()>& value,
                                      double satisfaction, EventTime now,
                                      CustomerState& state);

// The same with a value known in advance.
std::optional<ChurnAlert> DecideAlert(const AlertConfig& config,
                                      const std::string& customer_id,
                                      const ChurnAssessment& churn, double value,
                                      double satisfaction, EventTime now,
                                      CustomerState& state);

}  // namespace crm::operators

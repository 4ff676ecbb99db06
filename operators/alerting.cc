#include "operators/alerting.h"

#include <algorithm>
#include <cmath>

#include "operators/money.h"

namespace crm::operators {
namespace {

const char* ActionFor(Priority p) {
  switch (p) {
    case Priority::kHigh: return "call within 24 hours with a retention offer";
    case Priority::kMedium: return "call this week";
    case Priority::kLow: return "send a win-back email";
  }
  return "send a win-back email";
}

// For a customer the model considers probably gone already: bring them back
// rather than keep them.
const char* WinBackActionFor(Priority p) {
  switch (p) {
    case Priority::kHigh: return "win back: call within 24 hours with a come-back offer";
    case Priority::kMedium: return "win back: call this week with a come-back offer";
    case Priority::kLow: return "win back: send a come-back offer by email";
  }
  return "win back: send a come-back offer by email";
}

}  // namespace

Priority PriorityFor(const AlertConfig& config, double value_at_risk) {
  if (value_at_risk >= config.high_value_at_risk) return Priority::kHigh;
  if (value_at_risk >= config.medium_value_at_risk) return Priority::kMedium;
  return Priority::kLow;
}

std::function<AlertValue()> FixedValue(double value) {
  return [value] { return AlertValue{value, value}; };
}

std::optional<ChurnAlert> DecideAlert(const AlertConfig& config, const AlertCase& alert_case, CustomerState& state,
                                      AlertBudget* budget) {
  const ChurnAssessment& churn = alert_case.churn;
  const EventTime now = alert_case.now;
  // An undefined risk neither re-arms nor raises an alert.
  if (!std::isfinite(churn.risk)) return std::nullopt;
  if (churn.risk < config.rearm_threshold) state.alert_armed = true;
  if (!state.alert_armed || churn.risk < config.alert_threshold) return std::nullopt;
  if (state.alerts_sent > 0 && now - state.last_alert < config.cooldown) return std::nullopt;
  const AlertValue v = alert_case.value();
  // Finite whatever the model or the stored state says.
  const double value = ClampMoney(v.clv);
  const double if_retained = std::max(value, ClampMoney(v.if_retained, value));
  if (if_retained < config.min_value) return std::nullopt;

  ChurnAlert alert;
  alert.customer_id = std::string(alert_case.customer_id);
  alert.risk = churn.risk;
  alert.p_alive = churn.p_alive;
  alert.clv = value;
  alert.value_at_risk = ClampMoney(if_retained * churn.risk);
  alert.priority = PriorityFor(config, alert.value_at_risk);
  if (budget != nullptr && !AdmitAlert(config.max_alerts_per_day, now, alert.value_at_risk, *budget)) {
    return std::nullopt;
  }
  const bool win_back = churn.fitted && churn.p_alive < config.win_back_p_alive;
  alert.segment = state.segment;
  alert.satisfaction = alert_case.satisfaction;
  alert.reasons = churn.reasons;
  alert.recommended_action = win_back ? WinBackActionFor(alert.priority) : ActionFor(alert.priority);

  state.alert_armed = false;
  state.last_alert = now;
  ++state.alerts_sent;
  return alert;
}

}  // namespace crm::operators

#include "operators/alert_outcome.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "operators/customer_processor.h"

namespace crm::operators {
namespace {

void Close(bool won_back, CustomerState& state, Effects& effects) {
  const OpenAlert& open = *state.open_alert;
  effects.outcomes.push_back(AlertOutcome{open.priority, open.recommended_action,
                                          !open.action.empty() && open.action != "none", open.control, won_back});
  state.open_alert.reset();
}

}  // namespace

bool IsAlertActionName(std::string_view name) {
  return std::any_of(std::begin(kAlertActionNames), std::end(kAlertActionNames),
                     [name](const char* known) { return name == known; });
}

bool IsControlAlert(const OutcomeConfig& config, std::string_view customer_id, std::string_view alert_id) {
  if (!(config.control_share > 0)) return false;
  std::string key;
  key.reserve(customer_id.size() + 1 + alert_id.size());
  key.append(customer_id).push_back('\n');
  key.append(alert_id);
  // The top 53 bits as a fraction in [0, 1): exact in a double.
  const double fraction = std::ldexp(static_cast<double>(StableHash64(key) >> 11), -53);
  return fraction < config.control_share;
}

void OpenOutcome(const OutcomeConfig& config, const std::string& alert_id, EventTime at, ChurnAlert& alert,
                 CustomerState& state, Effects& effects) {
  alert.control = IsControlAlert(config, alert.customer_id, alert_id);
  // A newer alert means the older one did not bring the customer back.
  if (state.open_alert) Close(/*won_back=*/false, state, effects);
  state.open_alert = OpenAlert{alert_id, at, alert.priority, alert.recommended_action, alert.control, ""};
}

void ApplyPurchaseOutcome(const OutcomeConfig& config, const std::string& customer_id, EventTime ts,
                          const std::string& cause, CustomerState& state, Effects& effects) {
  if (!state.open_alert || ts < state.open_alert->at) return;
  const OpenAlert& open = *state.open_alert;
  if (ts - open.at >= config.winback_window) {
    Close(/*won_back=*/false, state, effects);
    return;
  }
  effects.outputs.push_back(Output{"win-back", ts,
                                   WinBack{customer_id, open.alert_id, open.at, ts - open.at, open.priority,
                                           open.recommended_action, open.control, open.action, cause}});
  Close(/*won_back=*/true, state, effects);
}

void ApplyAlertAction(const AlertAction& action, CustomerState& state, Effects& effects) {
  const bool matched = state.open_alert && state.open_alert->alert_id == action.alert_id;
  effects.action_matched = matched;
  if (matched) state.open_alert->action = action.action;
}

void CloseExpiredOutcome(const OutcomeConfig& config, EventTime now, CustomerState& state, Effects& effects) {
  if (state.open_alert && now - state.open_alert->at >= config.winback_window) Close(false, state, effects);
}

EventTime OutcomeDue(const OutcomeConfig& config, const CustomerState& state) {
  return state.open_alert ? state.open_alert->at + config.winback_window : EventTime{};
}

}  // namespace crm::operators

// operators/alert_outcome.h
//
// Closing the loop on churn alerts (docs/outcomes.md): every alert opens an
// outcome in CustomerState::open_alert; a purchase within the win-back
// window (event time) wins the customer back (a WinBack output), and the
// window passing without one, a purchase after it or a newer alert closes it
// as lost. A configurable share of alerts is held out as control, chosen
// from a stable hash of the customer and alert ids, so that the uplift of
// acting can be measured. Actions reported on crm.actions attach to the open
// alert they name; any other alert id is counted and ignored. Pure and
// deterministic: time comes from events and timers only.
#pragma once

#include <string>
#include <string_view>

#include "operators/customer_state.h"
#include "operators/effects.h"
#include "operators/events.h"
#include "operators/model_config.h"

namespace crm::operators {

// True when `name` is one of kAlertActionNames.
bool IsAlertActionName(std::string_view name);

// Whether the alert `alert_id` of `customer_id` is held out: the stable hash
// of both ids, as a fraction of 2^64, falls below config.control_share.
bool IsControlAlert(const OutcomeConfig& config, std::string_view customer_id, std::string_view alert_id);

// Opens the outcome of `alert` (published with id `alert_id` at event time
// `at`): sets alert.control, closes a still-open older alert as lost, and
// keeps the new one in state.
void OpenOutcome(const OutcomeConfig& config, const std::string& alert_id, EventTime at, ChurnAlert& alert,
                 CustomerState& state, Effects& effects);

// A purchase at `ts` caused by event `cause`: a win-back when it falls in
// [alert time, alert time + window), lost when after it; a purchase from
// before the alert leaves the outcome open.
void ApplyPurchaseOutcome(const OutcomeConfig& config, const std::string& customer_id, EventTime ts,
                          const std::string& cause, CustomerState& state, Effects& effects);

// An action report: recorded on the open alert it names (the latest report
// wins); Effects::action_matched says whether it named it.
void ApplyAlertAction(const AlertAction& action, CustomerState& state, Effects& effects);

// Closes the open alert as lost when its window has passed at `now`.
void CloseExpiredOutcome(const OutcomeConfig& config, EventTime now, CustomerState& state, Effects& effects);

// When the open alert's window ends (epoch 0: no open alert): the
// customer's pending check must fire no later than this.
EventTime OutcomeDue(const OutcomeConfig& config, const CustomerState& state);

}  // namespace crm::operators

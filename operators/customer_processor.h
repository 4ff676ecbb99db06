// operators/customer_processor.h
//
// The operator chain for one customer: dedup -> apply the event (purchase,
// complaint, service, interaction; a purchase also goes on the reward card)
// -> RFM -> satisfaction -> churn risk -> segment and loyalty -> ladder rung
// -> alert policy -> the reward programme's voucher when its year has closed.
// One call per event; returns the effects. Pure and
// deterministic: the same state and event always give the same new state and
// effects. The runtime calls it; tests call it with plain values.
#pragma once

#include <cstdint>
#include <string_view>

#include "operators/alert_budget.h"
#include "operators/customer_state.h"
#include "operators/effects.h"
#include "operators/events.h"
#include "operators/model_config.h"
#include "operators/model_params.h"
#include "operators/rfm_population.h"

namespace crm::operators {

// Stable 64-bit FNV-1a hash (used for dedup; never changes across versions).
uint64_t StableHash64(std::string_view bytes);

// Applies `event` to `state` (whose key is event.customer_id).
// Evaluation time is max(state.last_event, event.ts), so a late event updates
// the state but never moves recency backwards. A repeated event_id within the
// dedup window returns Effects{.duplicate = true} and leaves state unchanged.
// Outputs: a SegmentChange when the segment name differs from the stored one
// (from = "" for a customer's first segment, given with their first
// purchase; both loyalty classes are carried along, the Dick & Basu one is
// stored, and a loyalty change alone emits nothing), and a ChurnAlert when the alert
// policy says so. Alerts and segment changes are evaluated on every event,
// so complaints and service calls can raise them too. Reward outputs
// (reward_programme.h: enrolment, threshold reached, voucher) come after them.
// A LadderChange when
// the relationship rung moves (ladder.h; evaluated on every event and
// timer). A prospect (interactions, no purchase: engagement.h) gets neither
// a segment nor alerts; the purchase that converts them sets
// Effects::conversion and the conversion in their LadderChange off the
// prospect rung (segment changes keep their v1 contract).
// Alert outcomes (alert_outcome.h): every alert opens one, a purchase may
// publish a WinBack, and the pending check is the earlier of the overdue
// check and the end of the open alert's window. An AlertAction only
// attaches to the open alert it names: it is not the customer's activity
// (no re-score, no re-arm), and one naming no open alert changes no state.
//
// The context holds what the runtime keeps beside the customer: the fitted
// model parameters (null until loaded: churn risk then uses the overdue
// fallback and value is historical spend) and the partition's RFM population
// (null: breakpoints only), which the call updates with the customer's move,
// and the partition's alert budget (null: no capacity limit), which the call
// updates when the customer is a candidate for an alert. The partition
// names the origin of timer outputs, whose ids alert outcomes keep.
struct ModelContext {
  const ModelParams* params = nullptr;
  RfmPopulation* population = nullptr;
  AlertBudget* budget = nullptr;
  int32_t partition = 0;
};
Effects ProcessEvent(const ModelConfig& config, const ModelContext& context, const Event& event,
                     CustomerState& state);

// Without parameters or population.
Effects ProcessEvent(const ModelConfig& config, const Event& event, CustomerState& state);

// The cause named by outputs that silence caused.
inline constexpr const char* kTimerCause = "timer";

// Every event also re-arms the customer's one pending check
// (Effects::timer): the next overdue check (inactivity.h), or the close of
// the reward programme year when a voucher is due earlier. FireTimer runs
// that check when the partition's watermark has passed `due`: a voucher due
// by max(watermark, last event) is issued (cause "timer"), the customer is
// re-scored then and may change segment or get an alert, both with cause
// "timer"; the next check is armed. A customer silent past the retention is
// not re-scored: Effects::expired tells the runtime to delete the state (and
// the customer leaves the population), after publishing a voucher that fell
// due with it. A `due` that is no longer the customer's pending check
// (re-armed since) does nothing.
Effects FireTimer(const ModelConfig& config, const ModelContext& context, const std::string& customer_id,
                  EventTime due, EventTime watermark, CustomerState& state);

}  // namespace crm::operators

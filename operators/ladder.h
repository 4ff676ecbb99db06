// operators/ladder.h
//
// Payne's relationship ladder: prospect -> customer -> client -> supporter ->
// advocate -> partner, from the rules of LadderConfig over what the customer
// state holds (purchases, churn risk, satisfaction, advocacy, spend and
// tenure). Pure functions; the processor evaluates the rung on every event
// and every timer and publishes a LadderChange when it moves.
#pragma once

#include <optional>
#include <string>

#include "operators/customer_state.h"
#include "operators/effects.h"
#include "operators/model_config.h"

namespace crm::operators {

// "prospect", "customer", ...; "" for Rung::kNone.
const char* RungName(Rung rung);

// What the rules see besides the stored state: the current satisfaction
// and churn risk (as just re-scored) and the evaluation time.
struct LadderView {
  double satisfaction = 0;
  double churn_risk = 0;
  EventTime now;
};

// Where the customer stands, and the rule that keeps them from the rung
// above (a stable code, "" at the top).
struct RungAssessment {
  Rung rung = Rung::kNone;
  const char* blocked_by = "";
};
RungAssessment AssessRung(const LadderConfig& config, const CustomerState& state, const LadderView& view);

// The change to publish when the assessed rung differs from state.journey.rung
// (which it then updates), naming `cause`; nullopt when the rung holds.
// A move up names the rule the new rung met; a move down the rule that failed.
std::optional<LadderChange> UpdateRung(const LadderConfig& config, const std::string& customer_id,
                                       const LadderView& view, const std::string& cause, CustomerState& state);

// The instants after which time alone can move the rung (an advocacy
// window ending, partner tenure reached), for the customer's overdue check;
// only for customers at the advocate rung or above.
std::optional<EventTime> NextLadderCheck(const LadderConfig& config, const CustomerState& state, EventTime after);

}  // namespace crm::operators

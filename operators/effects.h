// operators/effects.h
//
// What an operator asks the runtime to do after seeing one event: outputs to
// publish and timers to arm. Operators return Effects; only the runtime turns
// them into Kafka records (with CloudEvents envelopes and deterministic ids)
// and stored timers.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "operators/customer_state.h"
#include "operators/events.h"
#include "operators/reward_event.h"
#include "operators/time.h"

namespace crm::operators {

struct Reason {
  std::string code;    // stable machine code, e.g. "overdue"
  std::string detail;  // plain words for a call-center agent
  bool operator==(const Reason&) const = default;
};

const char* PriorityName(Priority p);

struct ChurnAlert {
  std::string customer_id;
  double risk = 0;
  double p_alive = 0;       // BG/NBD P(alive); 1 - behavioural risk until fitted
  double clv = 0;           // BG/NBD x Gamma-Gamma CLV; historical spend until fitted
  double value_at_risk = 0;
  Priority priority = Priority::kLow;
  std::string segment;
  double satisfaction = 0;
  std::vector<Reason> reasons;
  std::string recommended_action;
  std::string cause;  // event id, or "timer" when silence caused it
  bool control = false;  // held out as control: downstream systems must not act
  bool operator==(const ChurnAlert&) const = default;
};

// A prospect's first purchase (engagement.h): when they first engaged and
// how long they took to buy.
struct Conversion {
  EventTime first_interaction;
  Duration time_to_convert;  // first purchase - first interaction, >= 0
  bool operator==(const Conversion&) const = default;
};

struct SegmentChange {
  std::string customer_id;
  std::string from;  // empty for a customer's first segment
  std::string to;
  RfmScores rfm;
  std::string loyalty;       // Dick & Basu class
  std::string relationship;  // Jones & Sasser class
  std::string cause;  // event id, or "timer"
  bool operator==(const SegmentChange&) const = default;
};

// A move on the relationship ladder (ladder.h). Published as its own
// CloudEvents type on the segment-changes topic (docs/journey.md says why).
struct LadderChange {
  std::string customer_id;
  std::string from;  // "" for a customer's first rung
  std::string to;
  bool up = true;
  Reason reason;      // the rule the new rung met (up) or the one that failed (down)
  std::string cause;  // event id, or "timer"
  // Set on the move off the prospect rung that a first purchase made.
  std::optional<Conversion> conversion;
  bool operator==(const LadderChange&) const = default;
};

// A purchase within the win-back window after a churn alert
// (alert_outcome.h). Published as its own CloudEvents type on the
// churn-alerts topic, with the id "<alert id>/win-back".
struct WinBack {
  std::string customer_id;
  std::string alert_id;
  EventTime alert_time;
  Duration time_to_return;  // purchase - alert, >= 0
  Priority priority = Priority::kLow;
  std::string recommended_action;
  bool control = false;
  std::string action;  // reported action, "" = none
  std::string cause;   // the purchase's event id
  bool operator==(const WinBack&) const = default;
};

// An alert's outcome, for the metrics: won back or lost (the window passed,
// a purchase came after it, or a newer alert replaced it).
struct AlertOutcome {
  Priority priority = Priority::kLow;
  std::string recommended_action;
  bool acted = false;  // an action other than "none" was reported
  bool control = false;
  bool won_back = false;
  bool operator==(const AlertOutcome&) const = default;
};

// One output; `rule` names the rule that produced it and, with the causing
// event's origin, makes its id deterministic.
struct Output {
  std::string rule;  // "segment-change", "churn-alert", "ladder-change", "win-back", RewardRuleName(...)
  EventTime time;    // event time that caused it
  std::variant<ChurnAlert, SegmentChange, RewardEvent, LadderChange, WinBack> payload;
};

// Re-arms the customer's one overdue check: the runtime drops the timer due
// at `cancel` (epoch 0: none) and stores one due at `due` (epoch 0: none).
struct TimerRequest {
  EventTime cancel;
  EventTime due;
};

struct Effects {
  std::vector<Output> outputs;
  std::optional<TimerRequest> timer;
  bool duplicate = false;  // the event was already applied; state unchanged
  bool expired = false;    // silent past retention: the runtime deletes the state
  std::optional<Conversion> conversion;  // the event converted a prospect (counted by the runtime)
  std::vector<AlertOutcome> outcomes;    // alert outcomes decided (counted by the runtime)
  // For an action report: whether it named the open alert (false: an
  // unknown or older alert id, ignored and counted).
  std::optional<bool> action_matched;
};

// Deterministic CloudEvents id of an output caused by `origin`:
// "<topic>/<partition>/<offset>/<rule>" for an input record, and
// "timer/<partition>/<due ms>/<customer>/<rule>" for a timer.
std::string OutputId(const EventOrigin& origin, const std::string& customer_id, const std::string& rule);

}  // namespace crm::operators

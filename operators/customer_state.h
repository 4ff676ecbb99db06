// operators/customer_state.h
//
// Everything crmstream knows about one customer. Operators read and update it;
// the pipeline stores it (state_codec.h gives it a versioned binary encoding:
// a new field needs a place there, behind a presence bit after the existing
// ones or in a new encoding version). Plain value type: copyable,
// comparable, no pointers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operators/reward_card.h"
#include "operators/journey_state.h"
#include "operators/outcome_state.h"
#include "operators/time.h"

namespace crm::operators {

struct RfmScores {
  int32_t r = 0;  // 1..5, 0 = not scored yet
  int32_t f = 0;
  int32_t m = 0;
  bool operator==(const RfmScores&) const = default;
};

struct OpenComplaint {
  std::string complaint_id;
  int32_t severity = 0;
  bool operator==(const OpenComplaint&) const = default;
};

// Event ids recently applied to this customer, to drop redelivered events.
// A fixed-size ring of 64-bit hashes of event_id: upstream producers that
// retry resend an event soon after the original, so a short window catches
// them without making every stored customer larger.
inline constexpr size_t kDedupWindow = 4;

struct CustomerState {
  // Purchases.
  int64_t purchase_count = 0;
  double total_spend = 0;
  EventTime first_purchase{};   // valid when purchase_count > 0
  double first_purchase_spend = 0;  // amount of the earliest purchase (Gamma-Gamma leaves it out)
  EventTime last_purchase{};    // valid when purchase_count > 0
  // Latest event time seen from this customer, of any kind.
  EventTime last_event{};

  // Satisfaction (0..100), exponentially time-decayed towards its signals.
  double satisfaction = 0;      // meaningful when satisfaction_weight > 0
  double satisfaction_weight = 0;  // decayed weight of signals seen so far
  EventTime satisfaction_at{};
  std::vector<OpenComplaint> open_complaints;  // bounded by model config

  // Derived, kept so that changes can be detected and reported.
  RfmScores rfm;
  std::string segment;   // empty until first scored
  std::string loyalty;   // loyalty class name, empty until first scored
  double churn_risk = 0;

  // Markov view (segment_flows.h): the segment held when period
  // `segment_period` began ("" = outside), remembered once the customer
  // changed segment in it. INT64_MIN: not counted yet.
  int64_t segment_period = INT64_MIN;
  std::string period_start_segment;

  // Alert policy memory.
  bool alert_armed = true;
  EventTime last_alert{};  // epoch 0 = never
  int64_t alerts_sent = 0;

  // The one pending overdue check (timer), epoch 0 = none.
  EventTime next_check{};

  // Dedup ring.
  std::array<uint64_t, kDedupWindow> recent_event_hashes{};
  uint32_t recent_next = 0;

  // The loyalty reward programme (reward_programme.h).
  RewardCard rewards;
  // Engagement and the relationship ladder (journey_state.h).
  JourneyState journey;

  // The latest alert whose outcome is still open (outcome_state.h).
  std::optional<OpenAlert> open_alert;

  bool operator==(const CustomerState&) const = default;
};

}  // namespace crm::operators

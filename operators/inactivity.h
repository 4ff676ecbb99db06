// operators/inactivity.h
//
// When a customer's one overdue check falls due (DESIGN.md "Inactivity",
// InactivityConfig): the first candidate instant after `after` among last
// purchase + recency breakpoints (when recency scores on breakpoints), last
// purchase + multiples of the usual gap, for an advocate the end of their
// advocacy window and the day tenure makes a partner (ladder.h), and last
// event + retention, rounded
// up to the configured granularity so that checks coalesce. Pure function.
#pragma once

#include "operators/customer_state.h"
#include "operators/model_config.h"
#include "operators/time.h"

namespace crm::operators {

EventTime NextCheck(const ModelConfig& config, const CustomerState& state, EventTime after);

// True when the customer has been silent for the retention period at `now`.
bool PastRetention(const InactivityConfig& config, const CustomerState& state, EventTime now);

}  // namespace crm::operators

// operators/rfm.h
//
// RFM: recency, frequency and monetary scores 1..5 from the configured
// breakpoints (DESIGN.md "RFM"). Pure functions of the state and event time.
#pragma once

#include "operators/customer_state.h"
#include "operators/model_config.h"
#include "operators/time.h"

namespace crm::operators {

// Score of one raw value against four ascending breakpoints.
// higher_is_better: value >= b4 -> 5 ... value < b1 -> 1.
// otherwise (recency): value <= b1 -> 5 ... value > b4 -> 1.
int ScoreAgainst(const std::vector<double>& breakpoints, double value, bool higher_is_better);

// Days from the last purchase to `now` (0 when no purchase or now is earlier).
double RecencyDays(const CustomerState& state, EventTime now);

// Scores of `state` at event time `now`. A customer without purchases scores
// {1, 1, 1}.
RfmScores ScoreRfm(const RfmConfig& config, const CustomerState& state, EventTime now);

}  // namespace crm::operators

// operators/rfm.h
//
// RFM: recency, frequency and monetary scores 1..5 (DESIGN.md "RFM"), as
// quintiles of the partition's population (rfm_population.h) where
// configured and the population is large enough, else from the configured
// breakpoints. Pure functions of the state, the population and event time.
#pragma once

#include "operators/customer_state.h"
#include "operators/model_config.h"
#include "operators/rfm_population.h"
#include "operators/time.h"

namespace crm::operators {

// Score of one raw value against four ascending breakpoints.
// higher_is_better: value >= b4 -> 5 ... value < b1 -> 1.
// otherwise (recency): value <= b1 -> 5 ... value > b4 -> 1.
int ScoreAgainst(const std::vector<double>& breakpoints, double value, bool higher_is_better);

// Days from the last purchase to `now` (0 when no purchase or now is earlier).
double RecencyDays(const CustomerState& state, EventTime now);

// Days since the last purchase in multiples of `usual_gap` (0 as above).
double RecencyGaps(const CustomerState& state, EventTime now, Duration usual_gap);

// Scores of `state` at event time `now`. A customer without purchases scores
// {1, 1, 1}. Without a population every score uses the breakpoints (recency
// on its rhythm when so configured: RecencyGaps against recency_gaps, with
// `usual_gap` the customer's, as churn_risk.h UsualGap gives it).
RfmScores ScoreRfm(const RfmConfig& config, const CustomerState& state, EventTime now,
                   const RfmPopulation* population = nullptr, Duration usual_gap = Days(30));

}  // namespace crm::operators

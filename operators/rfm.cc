#include "operators/rfm.h"

#include <algorithm>

namespace crm::operators {

int ScoreAgainst(const std::vector<double>& breakpoints, double value, bool higher_is_better) {
  // Counts how many breakpoints the value passes; 4 breakpoints give 1..5.
  int passed = 0;
  for (double b : breakpoints) {
    if (higher_is_better ? value >= b : value > b) ++passed;
  }
  return higher_is_better ? 1 + passed : static_cast<int>(breakpoints.size()) + 1 - passed;
}

double RecencyDays(const CustomerState& state, EventTime now) {
  if (state.purchase_count == 0) return 0;
  return std::max(0.0, (now - state.last_purchase).days());
}

double RecencyGaps(const CustomerState& state, EventTime now, Duration usual_gap) {
  if (usual_gap.ms <= 0) return RecencyDays(state, now) > 0 ? 1e9 : 0;
  return RecencyDays(state, now) / usual_gap.days();
}

RfmScores ScoreRfm(const RfmConfig& config, const CustomerState& state, EventTime now,
                   const RfmPopulation* population, Duration usual_gap) {
  if (state.purchase_count == 0) return RfmScores{1, 1, 1};
  const RfmPopulation::Ranks ranks = population ? population->Score(config, state) : RfmPopulation::Ranks{};
  // The breakpoints only for what the population does not rank.
  return RfmScores{
      ranks.r                                 ? *ranks.r
      : config.recency == RfmScoring::kRhythm ? ScoreAgainst(config.recency_gaps, RecencyGaps(state, now, usual_gap), false)
                                              : ScoreAgainst(config.recency_days, RecencyDays(state, now), false),
      ranks.f ? *ranks.f : ScoreAgainst(config.frequency, static_cast<double>(state.purchase_count), true),
      ranks.m ? *ranks.m : ScoreAgainst(config.monetary, state.total_spend, true)};
}

}  // namespace crm::operators

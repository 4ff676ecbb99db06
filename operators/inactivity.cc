#include "operators/inactivity.h"

#include <algorithm>
#include <limits>

#include "operators/churn_risk.h"
#include "operators/ladder.h"

namespace crm::operators {
namespace {

EventTime RoundUp(EventTime t, Duration granularity) {
  if (granularity.ms <= 1) return t;
  const int64_t g = granularity.ms;
  const int64_t rem = ((t.epoch_ms % g) + g) % g;
  return rem == 0 ? t : EventTime{t.epoch_ms + (g - rem)};
}

}  // namespace

bool PastRetention(const InactivityConfig& config, const CustomerState& state, EventTime now) {
  return now - state.last_event >= config.retention;
}

EventTime NextCheck(const ModelConfig& config, const CustomerState& state, EventTime after) {
  int64_t best = std::numeric_limits<int64_t>::max();
  auto consider = [&](EventTime candidate) {
    const EventTime due = RoundUp(candidate, config.inactivity.granularity);
    if (due > after) best = std::min(best, due.epoch_ms);
  };
  if (state.purchase_count > 0) {
    const Duration gap = UsualGap(config.churn, state);
    if (config.rfm.recency == RfmScoring::kBreakpoints) {
      for (double days : config.rfm.recency_days) consider(state.last_purchase + DaysF(days));
    } else if (config.rfm.recency == RfmScoring::kRhythm) {
      // Recency passes a breakpoint only strictly after it: a millisecond on.
      for (double gaps : config.rfm.recency_gaps) {
        consider(state.last_purchase + Duration{static_cast<int64_t>(static_cast<double>(gap.ms) * gaps) + 1});
      }
    }
    for (double multiple : config.inactivity.check_at_gaps) {
      consider(state.last_purchase + Duration{static_cast<int64_t>(static_cast<double>(gap.ms) * multiple)});
    }
  }
  // An advocate's advocacy window ending, or their tenure making a partner.
  if (auto ladder = NextLadderCheck(config.ladder, state, after)) consider(*ladder);
  consider(state.last_event + config.inactivity.retention);
  return EventTime{best};
}

}  // namespace crm::operators

#include "operators/customer_processor.h"

#include <algorithm>
#include <type_traits>

#include "operators/alerting.h"
#include "operators/churn_risk.h"
#include "operators/loyalty.h"
#include "operators/rfm.h"
#include "operators/satisfaction.h"
#include "operators/segment.h"

namespace crm::operators {
namespace {

bool SeenRecently(const CustomerState& state, uint64_t hash) {
  return std::find(state.recent_event_hashes.begin(), state.recent_event_hashes.end(), hash) !=
         state.recent_event_hashes.end();
}

void Remember(CustomerState& state, uint64_t hash) {
  state.recent_event_hashes[state.recent_next % kDedupWindow] = hash;
  state.recent_next = (state.recent_next + 1) % kDedupWindow;
}

void ApplyPurchase(const Purchase& purchase, EventTime ts, CustomerState& state) {
  if (state.purchase_count == 0) {
    state.first_purchase = ts;
    state.last_purchase = ts;
  } else {
    state.first_purchase = std::min(state.first_purchase, ts);
    state.last_purchase = std::max(state.last_purchase, ts);
  }
  ++state.purchase_count;
  state.total_spend += purchase.amount;
}

}  // namespace

uint64_t StableHash64(std::string_view bytes) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  // 0 marks an empty dedup slot; never produce it.
  return hash == 0 ? 1 : hash;
}

Effects ProcessEvent(const ModelConfig& config, const Event& event, CustomerState& state) {
  Effects effects;
  const uint64_t hash = StableHash64(event.event_id);
  if (SeenRecently(state, hash)) {
    effects.duplicate = true;
    return effects;
  }
  Remember(state, hash);
  const EventTime now = std::max(state.last_event, event.ts);
  state.last_event = now;

  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, Purchase>) {
          ApplyPurchase(body, event.ts, state);
        } else if constexpr (std::is_same_v<T, Complaint>) {
          ApplyComplaint(config.satisfaction, body, event.ts, state);
        } else {
          ApplyServiceInteraction(config.satisfaction, body, event.ts, state);
        }
      },
      event.body);

  const double satisfaction = CurrentSatisfaction(config.satisfaction, state);
  state.rfm = ScoreRfm(config.rfm, state, now);
  const std::string segment = ClassifySegment(config.segments, state.rfm);
  state.loyalty = ClassifyLoyalty(config.loyalty, satisfaction, state.purchase_count);
  const ChurnAssessment churn = AssessChurn(config.churn, satisfaction, state, now);
  state.churn_risk = churn.risk;

  // Segments describe purchasing customers: someone who has only called or
  // complained so far has none yet.
  if (state.purchase_count > 0 && segment != state.segment) {
    effects.outputs.push_back(Output{
        "segment-change", event.ts,
        SegmentChange{event.customer_id, state.segment, segment, state.rfm, state.loyalty,
                      event.event_id}});
    state.segment = segment;
  }
  if (auto alert = DecideAlert(config.alert, event.customer_id, churn, state.total_spend,
                               satisfaction, now, state)) {
    effects.outputs.push_back(Output{"churn-alert", event.ts, std::move(*alert)});
  }
  return effects;
}

}  // namespace crm::operators

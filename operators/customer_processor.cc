#include "operators/customer_processor.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <type_traits>

#include "operators/alert_outcome.h"
#include "operators/alerting.h"
#include "operators/churn_risk.h"
#include "operators/engagement.h"
#include "operators/inactivity.h"
#include "operators/ladder.h"
#include "operators/loyalty.h"
#include "operators/money.h"
#include "operators/purchase_forecast.h"
#include "operators/reward_programme.h"
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
  if (state.purchase_count == 0 || ts < state.first_purchase) state.first_purchase_spend = ClampMoney(purchase.amount);
  if (state.purchase_count == 0) {
    state.first_purchase = ts;
    state.last_purchase = ts;
  } else {
    state.first_purchase = std::min(state.first_purchase, ts);
    state.last_purchase = std::max(state.last_purchase, ts);
  }
  ++state.purchase_count;
  state.total_spend = AddMoney(state.total_spend, purchase.amount);
}

// When and why a customer is re-scored.
struct RescoreOccasion {
  const std::string& customer_id;
  EventTime now;          // event time the scores are computed at
  EventTime output_time;  // event time of the outputs
  const std::string& cause;  // the event id or kTimerCause, named in the outputs
  std::optional<Conversion> conversion = std::nullopt;  // a prospect's first purchase
};

// Re-scores the customer at `at.now` (RFM, satisfaction, loyalty, churn
// risk, segment, ladder rung) and emits a segment change, a ladder change
// and/or an alert at `at.output_time` naming `at.cause`. Shared by events and
// timers.
void Rescore(const ModelConfig& config, const ModelContext& context, const RescoreOccasion& at, CustomerState& state,
             Effects& effects) {
  const std::string& customer_id = at.customer_id;
  const EventTime now = at.now;
  const EventTime output_time = at.output_time;
  const std::string& cause = at.cause;
  const double satisfaction = CurrentSatisfaction(config.satisfaction, state);
  state.rfm = ScoreRfm(config.rfm, state, now, context.population, UsualGap(config.churn, state));
  const std::string segment = ClassifySegment(config.segments, state.rfm);
  state.loyalty = ClassifyLoyalty(config.loyalty, satisfaction, state.purchase_count);
  std::optional<PurchaseOutlook> outlook;
  if (context.params != nullptr && state.purchase_count > 0) {
    outlook = PurchaseOutlookAt(*context.params, state, now, config.churn.horizon_days);
  }
  // A model that gives no number says nothing: judge by behaviour instead.
  if (outlook && !(std::isfinite(outlook->p_alive) && std::isfinite(outlook->p_no_purchase))) outlook.reset();
  const ChurnAssessment churn = AssessChurn(config.churn, satisfaction, config.satisfaction.prior, state, now, outlook);
  state.churn_risk = churn.risk;

  // Segments describe purchasing customers: someone who has only called or
  // complained so far has none yet.
  if (state.purchase_count > 0 && segment != state.segment) {
    effects.outputs.push_back(Output{
        "segment-change", output_time,
        SegmentChange{customer_id, state.segment, segment, state.rfm, state.loyalty,
                      ClassifyRelationship(config.loyalty, satisfaction, state.purchase_count,
                                           state.open_complaints.size()),
                      cause}});
    state.segment = segment;
  }
  if (auto change = UpdateRung(config.ladder, customer_id, {satisfaction, churn.risk, now}, cause, state)) {
    change->conversion = at.conversion;  // a conversion always moves the rung off prospect
    effects.outputs.push_back(Output{"ladder-change", output_time, std::move(*change)});
  }
  // Churn alerts are for customers who bought: a prospect has nothing to lose.
  if (state.purchase_count == 0) return;
  // Value: CLV from the fitted models (and the CLV of an alive customer,
  // what retaining or winning them back is worth), historical spend until then.
  auto value = [&]() -> AlertValue {
    if (context.params == nullptr) return {ClampMoney(state.total_spend), ClampMoney(state.total_spend)};
    const CustomerValue v = ValueAt(*context.params, config.value, state, now);
    return {v.clv, v.clv_if_alive};
  };
  if (auto alert = DecideAlert(config.alert, {customer_id, churn, value, satisfaction, now}, state, context.budget)) {
    alert->cause = cause;
    effects.outputs.push_back(Output{"churn-alert", output_time, std::move(*alert)});
  }
}

// Opens the outcome of each alert among the outputs; an alert's id is the
// one the runtime publishes it with (OutputId of `origin`).
void OpenOutcomes(const ModelConfig& config, const EventOrigin& origin, CustomerState& state, Effects& effects) {
  for (Output& output : effects.outputs) {
    auto* alert = std::get_if<ChurnAlert>(&output.payload);
    if (alert == nullptr) continue;
    OpenOutcome(config.outcomes, OutputId(origin, alert->customer_id, output.rule), output.time, *alert, state,
                effects);
  }
}

// The earliest of the overdue check, the end of the open alert's window
// (rounded up like the checks so that they coalesce) and the year's voucher.
EventTime EarliestDue(const ModelConfig& config, const CustomerState& state, EventTime now) {
  EventTime due = NextCheck(config, state, now);
  EventTime outcome = OutcomeDue(config.outcomes, state);
  const int64_t step = config.inactivity.granularity.ms;
  if (step > 0 && outcome.epoch_ms % step != 0) outcome.epoch_ms += step - ((outcome.epoch_ms % step) + step) % step;
  if (outcome > now && (due.epoch_ms == 0 || outcome < due)) due = outcome;
  // The close of the programme year, when a voucher is due before it
  // (SettleRewards has issued any due by `now`).
  const EventTime voucher_due = VoucherDue(config.rewards, state.rewards);
  if (voucher_due.epoch_ms != 0 && voucher_due > now && (due.epoch_ms == 0 || voucher_due < due)) due = voucher_due;
  return due;
}

// Points the customer's one pending check at the next candidate after `now`.
void Rearm(const ModelConfig& config, EventTime now, CustomerState& state, Effects& effects) {
  const EventTime due = EarliestDue(config, state, now);
  if (due == state.next_check) return;
  effects.timer = TimerRequest{state.next_check, due};
  state.next_check = due;
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
  return ProcessEvent(config, ModelContext{}, event, state);
}

Effects ProcessEvent(const ModelConfig& config, const ModelContext& context, const Event& event,
                     CustomerState& state) {
  Effects effects;
  const uint64_t hash = StableHash64(event.event_id);
  if (SeenRecently(state, hash)) {
    effects.duplicate = true;
    return effects;
  }
  // An action report is not the customer's own activity: it only attaches
  // to their open alert, and one naming no open alert changes nothing.
  if (const auto* action = std::get_if<AlertAction>(&event.body)) {
    ApplyAlertAction(*action, state, effects);
    if (*effects.action_matched) Remember(state, hash);
    return effects;
  }
  Remember(state, hash);
  const EventTime now = std::max(state.last_event, event.ts);
  state.last_event = now;

  // Only what the population histograms hold matters for its update.
  CustomerState before_purchase;
  before_purchase.purchase_count = state.purchase_count;
  before_purchase.total_spend = state.total_spend;
  before_purchase.last_purchase = state.last_purchase;
  // Reward outputs follow the segment change and alert of the same event.
  std::vector<Output> rewards;
  const RewardOccasion occasion{event.customer_id, now, event.event_id};
  std::optional<Conversion> conversion;
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, Purchase>) {
          conversion = ConversionBy(state, event.ts);
          ApplyPurchase(body, event.ts, state);
          ApplyRewardPurchase(config.rewards, occasion, body.amount, event.ts, state.rewards, rewards);
          ApplyPurchaseOutcome(config.outcomes, event.customer_id, event.ts, event.event_id, state, effects);
        } else if constexpr (std::is_same_v<T, Complaint>) {
          ApplyComplaint(config.satisfaction, body, event.ts, state);
        } else if constexpr (std::is_same_v<T, ServiceInteraction>) {
          ApplyServiceInteraction(config.satisfaction, body, event.ts, state);
        } else if constexpr (std::is_same_v<T, Interaction>) {
          ApplyInteraction(config, body, event.ts, state);
        }
      },
      event.body);

  if (context.population != nullptr) context.population->Update(config.rfm, before_purchase, state);
  effects.conversion = conversion;
  CloseExpiredOutcome(config.outcomes, now, state, effects);
  Rescore(config, context, {event.customer_id, now, event.ts, event.event_id, conversion}, state, effects);
  OpenOutcomes(config, event.origin, state, effects);
  SettleRewards(config.rewards, occasion, state.rewards, rewards);
  std::move(rewards.begin(), rewards.end(), std::back_inserter(effects.outputs));
  Rearm(config, now, state, effects);
  return effects;
}

Effects FireTimer(const ModelConfig& config, const ModelContext& context, const std::string& customer_id,
                  EventTime due, EventTime watermark, CustomerState& state) {
  Effects effects;
  if (state.next_check != due) return effects;  // re-armed since: a stale timer
  const EventTime now = std::max(watermark, state.last_event);
  // The year's voucher is issued even to a customer who expires now.
  std::vector<Output> rewards;
  const std::string timer_cause = kTimerCause;
  SettleRewards(config.rewards, {customer_id, now, timer_cause}, state.rewards, rewards);
  if (PastRetention(config.inactivity, state, now)) {
    if (context.population != nullptr) context.population->Update(config.rfm, state, CustomerState{});
    effects.outputs = std::move(rewards);
    effects.expired = true;
    return effects;
  }
  CloseExpiredOutcome(config.outcomes, now, state, effects);
  Rescore(config, context, {customer_id, now, now, kTimerCause}, state, effects);
  OpenOutcomes(config, EventOrigin{kTimerOriginTopic, context.partition, due.epoch_ms}, state, effects);
  std::move(rewards.begin(), rewards.end(), std::back_inserter(effects.outputs));
  // The fired timer is gone; only a new one is stored.
  state.next_check = EventTime{};
  Rearm(config, now, state, effects);
  return effects;
}

}  // namespace crm::operators

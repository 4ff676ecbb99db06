#include "operators/ladder.h"

#include <cmath>
#include <cstdio>

namespace crm::operators {
namespace {

// Codes of the rule each rung meets on the way up.
const char* UpCode(Rung rung) {
  switch (rung) {
    case Rung::kNone: return "";
    case Rung::kProspect: return "engaged";
    case Rung::kCustomer: return "first_purchase";
    case Rung::kClient: return "repeat_purchases";
    case Rung::kSupporter: return "satisfied";
    case Rung::kAdvocate: return "advocacy";
    case Rung::kPartner: return "value_and_tenure";
  }
  return "";
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", std::isfinite(v) ? v : 0.0);
  return buf;
}

std::string Detail(const LadderConfig& config, const std::string& code, const CustomerState& state,
                   const LadderView& view) {
  const double tenure_days = state.purchase_count > 0 ? (view.now - state.first_purchase).days() : 0.0;
  if (code == "engaged") return "engaged before buying (" + std::to_string(state.journey.interactions) + " interactions)";
  if (code == "first_purchase") return "bought for the first time";
  if (code == "repeat_purchases") {
    return std::to_string(state.purchase_count) + " purchases (a client from " +
           std::to_string(config.client_min_purchases) + ")";
  }
  if (code == "satisfied") {
    return "satisfaction " + Number(view.satisfaction) + " at or above " + Number(config.supporter_min_satisfaction);
  }
  if (code == "advocacy") return "a referral or a good review within " + Number(config.advocacy_window.days()) + " days";
  if (code == "value_and_tenure") {
    return "spend " + Number(state.total_spend) + " and " + Number(tenure_days) + " days a customer";
  }
  if (code == "lapsed") {
    return "churn risk " + Number(view.churn_risk * 100) + " % at or above " + Number(config.lapsed_risk * 100) + " %";
  }
  if (code == "dissatisfied") {
    return "satisfaction " + Number(view.satisfaction) + " below " + Number(config.supporter_min_satisfaction);
  }
  if (code == "no_recent_advocacy") return "no referral or good review in the last " + Number(config.advocacy_window.days()) + " days";
  if (code == "value_or_tenure") {
    return "spend " + Number(state.total_spend) + " or " + Number(tenure_days) + " days a customer below the partner rule";
  }
  return code;
}

}  // namespace

const char* RungName(Rung rung) {
  switch (rung) {
    case Rung::kNone: return "";
    case Rung::kProspect: return "prospect";
    case Rung::kCustomer: return "customer";
    case Rung::kClient: return "client";
    case Rung::kSupporter: return "supporter";
    case Rung::kAdvocate: return "advocate";
    case Rung::kPartner: return "partner";
  }
  return "";
}

RungAssessment AssessRung(const LadderConfig& config, const CustomerState& state, const LadderView& view) {
  if (state.purchase_count == 0) {
    return {state.journey.interactions > 0 ? Rung::kProspect : Rung::kNone, "no_purchase"};
  }
  if (state.purchase_count < config.client_min_purchases) return {Rung::kCustomer, "too_few_purchases"};
  if (view.churn_risk >= config.lapsed_risk) return {Rung::kCustomer, "lapsed"};
  if (view.satisfaction < config.supporter_min_satisfaction) return {Rung::kClient, "dissatisfied"};
  const EventTime advocacy = state.journey.last_advocacy;
  if (advocacy.epoch_ms == 0 || view.now - advocacy > config.advocacy_window) {
    return {Rung::kSupporter, "no_recent_advocacy"};
  }
  if (state.total_spend < config.partner_min_spend || view.now - state.first_purchase < config.partner_min_tenure) {
    return {Rung::kAdvocate, "value_or_tenure"};
  }
  return {Rung::kPartner, ""};
}

std::optional<LadderChange> UpdateRung(const LadderConfig& config, const std::string& customer_id,
                                       const LadderView& view, const std::string& cause, CustomerState& state) {
  const RungAssessment assessed = AssessRung(config, state, view);
  const Rung from = state.journey.rung;
  if (assessed.rung == from) return std::nullopt;
  const bool up = assessed.rung > from;
  const std::string code = up ? UpCode(assessed.rung) : assessed.blocked_by;
  state.journey.rung = assessed.rung;
  return LadderChange{customer_id, RungName(from), RungName(assessed.rung), up,
                      Reason{code, Detail(config, code, state, view)}, cause, std::nullopt};
}

std::optional<EventTime> NextLadderCheck(const LadderConfig& config, const CustomerState& state, EventTime after) {
  if (state.journey.rung < Rung::kAdvocate) return std::nullopt;
  std::optional<EventTime> best;
  auto consider = [&](EventTime t) {
    if (t > after && (!best || t < *best)) best = t;
  };
  // The window includes its last millisecond: advocacy lapses one after.
  if (state.journey.last_advocacy.epoch_ms != 0) {
    consider(state.journey.last_advocacy + config.advocacy_window + Milliseconds(1));
  }
  consider(state.first_purchase + config.partner_min_tenure);
  return best;
}

}  // namespace crm::operators

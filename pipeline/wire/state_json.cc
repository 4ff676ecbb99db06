#include "pipeline/wire/state_json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "operators/effects.h"
#include "operators/engagement.h"
#include "operators/ladder.h"
#include "operators/loyalty.h"
#include "operators/money.h"
#include "operators/reward_programme.h"
#include "operators/rfm.h"
#include "operators/satisfaction.h"
#include "pipeline/wire/output_encoder.h"

namespace crm::pipeline {

namespace {

nlohmann::ordered_json StateObject(const std::string& customer_id, const operators::CustomerState& s) {
  using nlohmann::ordered_json;
  auto time_or_null = [](operators::EventTime t, bool valid) {
    return valid ? ordered_json(FormatRfc3339(t.epoch_ms)) : ordered_json(nullptr);
  };
  ordered_json complaints = ordered_json::array();
  for (const auto& c : s.open_complaints) {
    complaints.push_back({{"complaint_id", c.complaint_id}, {"severity", c.severity}});
  }
  const bool bought = s.purchase_count > 0;
  ordered_json j{{"customer_id", customer_id},
                 {"purchase_count", s.purchase_count},
                 {"total_spend", s.total_spend},
                 {"first_purchase", time_or_null(s.first_purchase, bought)},
                 {"first_purchase_spend", s.first_purchase_spend},
                 {"last_purchase", time_or_null(s.last_purchase, bought)},
                 {"last_event", FormatRfc3339(s.last_event.epoch_ms)},
                 {"satisfaction", s.satisfaction},
                 {"satisfaction_weight", s.satisfaction_weight},
                 {"open_complaints", complaints},
                 {"rfm", {{"r", s.rfm.r}, {"f", s.rfm.f}, {"m", s.rfm.m}}},
                 {"segment", s.segment},
                 {"loyalty", s.loyalty},
                 {"churn_risk", s.churn_risk},
                 {"alert_armed", s.alert_armed},
                 {"last_alert", time_or_null(s.last_alert, s.alerts_sent > 0)},
                 {"alerts_sent", s.alerts_sent},
                 {"next_check", time_or_null(s.next_check, s.next_check.epoch_ms != 0)}};
  auto year_or_null = [](int32_t year) { return year != 0 ? ordered_json(year) : ordered_json(nullptr); };
  j["rewards"] = {{"enrolled", s.rewards.enrolled},
                  {"programme_year", year_or_null(s.rewards.programme_year)},
                  {"accumulated", s.rewards.accumulated},
                  {"threshold_reached", s.rewards.threshold_reached},
                  {"voucher_year", year_or_null(s.rewards.voucher_year)}};
  const operators::JourneyState& journey = s.journey;
  const bool engaged = journey.interactions > 0;
  j["journey"] = {{"rung", journey.rung == operators::Rung::kNone ? ordered_json(nullptr)
                                                                   : ordered_json(operators::RungName(journey.rung))},
                  {"prospect", operators::IsProspect(s)},
                  {"interactions", journey.interactions},
                  {"first_interaction", time_or_null(journey.first_interaction, engaged)},
                  {"referrals", journey.referrals},
                  {"good_reviews", journey.good_reviews},
                  {"last_advocacy", time_or_null(journey.last_advocacy, journey.last_advocacy.epoch_ms != 0)}};
  // The alert a call-center agent may be working on, and what was reported.
  j["open_alert"] = nullptr;
  if (const auto& alert = s.open_alert) {
    j["open_alert"] = {{"alert_id", alert->alert_id},
                       {"alert_time", FormatRfc3339(alert->at.epoch_ms)},
                       {"priority", operators::PriorityName(alert->priority)},
                       {"recommended_action", alert->recommended_action},
                       {"control", alert->control},
                       {"action", alert->action.empty() ? ordered_json(nullptr) : ordered_json(alert->action)}};
  }
  return j;
}

// "2,640" or "2,640.50": an amount as a person reads it.
std::string Amount(double v) {
  const double cents = std::round(operators::ClampMoney(v) * 100);
  const bool whole = std::fmod(cents, 100) == 0;
  char digits[64];
  std::snprintf(digits, sizeof digits, "%.0f", std::floor(std::fabs(cents) / 100));
  std::string text = digits;
  for (int at = static_cast<int>(text.size()) - 3; at > 0; at -= 3) text.insert(static_cast<size_t>(at), ",");
  if (cents < 0) text.insert(0, "-");
  if (!whole) {
    std::snprintf(digits, sizeof digits, ".%02.0f", std::fmod(std::fabs(cents), 100));
    text += digits;
  }
  return text;
}

// The card in plain words as of `at`: "2,640 of 4,000 this year".
std::string RewardProgress(const operators::RewardsConfig& config, const operators::RewardCard& card,
                           operators::EventTime at) {
  if (!config.enabled) return "the reward programme is off";
  if (!card.enrolled) return "not enrolled (one purchase of " + Amount(config.entry_purchase) + " joins)";
  const operators::ProgrammeYear year = operators::ProgrammeYearAt(config, at);
  const std::string of = " of " + Amount(config.threshold);
  if (card.programme_year != year.year) {
    // Nothing counted yet this year: the card starts again with its first purchase.
    std::string text = "0" + of + " this year";
    if (card.programme_year != 0) {
      text += " (" + std::to_string(card.programme_year) + ": " + Amount(card.accumulated) +
              (card.voucher_year == card.programme_year ? ", voucher issued)" : ")");
    }
    return text;
  }
  std::string text = Amount(card.accumulated) + of + " this year";
  if (card.voucher_year == year.year) return text + ", voucher issued";
  if (card.threshold_reached) return text + ", voucher due " + FormatRfc3339(year.close.epoch_ms).substr(0, 10);
  return text;
}

}  // namespace

std::string CustomerStateJson(const std::string& customer_id, const operators::CustomerState& s) {
  return StateObject(customer_id, s).dump();
}

std::string CustomerProfileJson(const std::string& customer_id, const operators::CustomerState& s,
                                const operators::ModelConfig& config, const operators::ModelParams* params,
                                operators::EventTime as_of) {
  using nlohmann::ordered_json;
  const operators::EventTime at = std::max(as_of, s.last_event);
  const double satisfaction = operators::CurrentSatisfaction(config.satisfaction, s);
  ordered_json model{{"as_of", FormatRfc3339(at.epoch_ms)},
                     {"satisfaction_now", satisfaction},
                     {"recency_days", operators::RecencyDays(s, at)},
                     {"relationship", operators::ClassifyRelationship(config.loyalty, satisfaction, s.purchase_count,
                                                                      s.open_complaints.size())},
                     {"fitted", params != nullptr && s.purchase_count > 0}};
  if (params != nullptr && s.purchase_count > 0) {
    const operators::CustomerValue v = operators::ValueAt(*params, config.value, s, at);
    model["p_alive"] = v.p_alive;
    model["expected_purchases"] = v.expected_purchases;
    model["expected_spend"] = v.expected_spend;
    model["clv"] = v.clv;
    // What is lost if the customer is gone: the value if retained (the CLV
    // of an alive customer) x risk, as in the churn alert.
    model["value_at_risk"] = operators::ClampMoney(v.clv_if_alive * s.churn_risk);
  }
  ordered_json j = StateObject(customer_id, s);
  j["rewards"]["threshold"] = config.rewards.threshold;
  j["rewards"]["progress"] = RewardProgress(config.rewards, s.rewards, at);
  j["model"] = std::move(model);
  return j.dump();
}

}  // namespace crm::pipeline

// operators/churn_risk.h
//
// Churn risk 0..1 (DESIGN.md "Churn risk"): a logistic blend of a
// behavioural term with attitude (low satisfaction, open complaints):
//   z = behaviour + w_sat * (prior - sat)/50 + w_complaints * (sum of open severities)/5
//   risk = 1 / (1 + exp(-z))
// The behavioural term is w_no_purchase * logit(P(no purchase within the
// horizon | history)) once model parameters are loaded (purchase_forecast.h:
// it combines "probably gone" with "buys rarely"), and until then the
// overdue ratio (time since the last purchase over the customer's usual gap):
//   behaviour = w_overdue * (ratio - midpoint).
// `prior` is the satisfaction prior (SatisfactionConfig::prior), where a
// customer without any satisfaction signal sits: no evidence about attitude
// means no adjustment, so with a fitted model, no signal and no open
// complaint the risk is exactly P(no purchase within the horizon).
// Reasons list what raised the risk, in plain words, largest share first.
#pragma once

#include <optional>
#include <vector>

#include "operators/customer_state.h"
#include "operators/effects.h"
#include "operators/model_config.h"
#include "operators/purchase_forecast.h"
#include "operators/time.h"

namespace crm::operators {

struct ChurnAssessment {
  double risk = 0;
  double behavioural_risk = 0;  // logistic of the behavioural term alone
  double overdue_ratio = 0;
  double p_alive = 0;           // P(alive) when fitted, else 1 - behavioural_risk
  double p_no_purchase = 0;     // P(no purchase within the horizon) when fitted, else behavioural_risk
  bool fitted = false;          // judged by a fitted model (else the overdue fallback)
  std::vector<Reason> reasons;  // most important first
};

// Usual gap between purchases: the mean inter-purchase time shrunk towards
// the configured default gap (worth gap_prior_weight observed gaps); the
// default itself for customers with fewer than two purchases.
Duration UsualGap(const ChurnConfig& config, const CustomerState& state);

// `outlook`: what the fitted purchase model says about the customer over
// config.horizon_days, when parameters are loaded (nullopt: the overdue
// fallback).
// `satisfaction`: the customer's current satisfaction (0..100);
// `satisfaction_prior`: where it sits without any signal.
ChurnAssessment AssessChurn(const ChurnConfig& config, double satisfaction, double satisfaction_prior,
                            const CustomerState& state, EventTime now,
                            std::optional<PurchaseOutlook> outlook = std::nullopt);

}  // namespace crm::operators

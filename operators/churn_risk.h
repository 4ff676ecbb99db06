// operators/churn_risk.h
//
// Churn risk 0..1 (DESIGN.md "Churn risk"), first version: the behavioural
// signal is the overdue ratio (time since last purchase over the customer's
// usual gap); attitude adds low satisfaction and open complaints; a logistic
// blend with the configured weights combines them:
//   z = w_overdue * (ratio - midpoint) + w_sat * (50 - sat)/50
//       + w_complaints * (sum of open severities)/5
//   risk = 1 / (1 + exp(-z))
// Reasons list what raised the risk, in plain words.
#pragma once

#include <vector>

#include "operators/customer_state.h"
#include "operators/effects.h"
#include "operators/model_config.h"
#include "operators/time.h"

namespace crm::operators {

struct ChurnAssessment {
  double risk = 0;
  double behavioural_risk = 0;  // logistic of the overdue term alone
  double overdue_ratio = 0;
  std::vector<Reason> reasons;  // most important first
};

// Usual gap between purchases: the mean inter-purchase time shrunk towards
// the configured default gap (worth gap_prior_weight observed gaps); the
// default itself for customers with fewer than two purchases.
Duration UsualGap(const ChurnConfig& config, const CustomerState& state);

ChurnAssessment AssessChurn(const ChurnConfig& config, double satisfaction,
                            const CustomerState& state, EventTime now);

}  // namespace crm::operators

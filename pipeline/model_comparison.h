// pipeline/model_comparison.h
//
// How `crmstream fit` compares the fitted purchase models (BG/NBD, MBG/NBD,
// Pareto/NBD) and picks one: per model the calibration log-likelihood and,
// when the data has a holdout period, predicted against actual repeat
// purchases in it and how well P(no purchase in the holdout) ranks the
// customers who bought nothing there (ROC AUC), and how well calibrated its
// churn risk, P(no purchase within the churn horizon), is against who bought
// nothing in that horizon (churn_calibration.h). The automatic choice is the
// highest calibration log-likelihood: all three have four parameters, so
// that is also the best AIC and BIC, and it needs no holdout (a fit from the
// state store has none). Pure computation over the fit's inputs.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "operators/purchase_model.h"
#include "pipeline/churn_calibration.h"
#include "pipeline/model_fit.h"

namespace crm::pipeline {

struct HoldoutCustomer {
  operators::PurchaseSummary calibration;  // x, t_x, T at the calibration end
  int64_t holdout_purchases = 0;           // purchase days after it
  // Time from the calibration end to the first purchase after it, in the
  // model's time unit; infinity when there is none.
  double first_holdout_purchase = std::numeric_limits<double>::infinity();
};

struct ModelComparisonRow {
  PurchaseModelFit fit;
  bool has_holdout = false;
  double predicted_holdout = 0;   // sum of E[purchases in the holdout | history]
  int64_t actual_holdout = 0;     // purchase days in the holdout
  double no_purchase_auc = 0;     // AUC of P(none in holdout) for "bought nothing"
  double churn_horizon = 0;       // time units; 0: no calibration
  ChurnCalibration churn;         // P(none within churn_horizon) against who bought nothing in it
};

// ROC AUC of `scores` for the `positive` customers (Mann-Whitney, ties count
// one half); 0.5 when either class is empty.
double RankingAuc(const std::vector<double>& scores, const std::vector<bool>& positive);

// The row for one fitted model; `holdout_length` and `churn_horizon` (at
// most the holdout) in the model's time unit (0: no holdout, no calibration).
ModelComparisonRow CompareOnHoldout(const PurchaseModelFit& fit, const std::vector<HoldoutCustomer>& customers,
                                    double holdout_length, double churn_horizon);

// Index of the row with the highest calibration log-likelihood.
size_t BestByLogLikelihood(const std::vector<ModelComparisonRow>& rows);

// The table `crmstream fit` prints, the chosen model marked.
std::string ComparisonTable(const std::vector<ModelComparisonRow>& rows, size_t chosen, const std::string& unit,
                            double holdout_length);

}  // namespace crm::pipeline

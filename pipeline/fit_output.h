// pipeline/fit_output.h
//
// What `crmstream fit` writes besides the chart: the parameters file's
// sections for the fitted models, the comparison (with each model's churn
// calibration) and the warnings, and the per-customer scores CSV.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "operators/gamma_gamma.h"
#include "operators/purchase_model.h"
#include "operators/status.h"
#include "pipeline/fit_warnings.h"
#include "pipeline/model_comparison.h"
#include "pipeline/transaction_summaries.h"

namespace crm::pipeline {

// Adds the "mbgnbd" and "pareto_nbd" sections of the models in `fits` to
// `params`; returns their lines for stdout.
std::string AddModelSections(nlohmann::ordered_json& params, const std::vector<PurchaseModelFit>& fits);

// One object per row: model, log-likelihood and, with a holdout, the
// holdout figures and "churn_calibration" (horizon, scores, bins).
nlohmann::ordered_json ComparisonJson(const std::vector<ModelComparisonRow>& rows, double days_per_unit);

nlohmann::ordered_json WarningsJson(const std::vector<FitWarning>& warnings);

// `text` as one RFC 4180 field: quoted when it holds a comma, quote or line
// break, quotes doubled.
std::string CsvField(const std::string& text);

// The --scores CSV: per customer x, t_x, T, P(alive), expected purchases,
// spend and CLV over `horizon` units, and P(no purchase within `horizon`).
Status WriteScores(const std::string& path, const std::vector<CustomerSummary>& customers,
                   const operators::PurchaseModelParams& model, const operators::GammaGammaParams& spend,
                   double horizon, double days_per_unit);

}  // namespace crm::pipeline

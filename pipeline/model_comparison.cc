#include "pipeline/model_comparison.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>

namespace crm::pipeline {

double RankingAuc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  // Sum of the positives' mid-ranks (ties share the mean rank).
  double rank_sum = 0, positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k) {
      if (positive[order[k]]) {
        rank_sum += mid_rank;
        positives += 1;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(scores.size()) - positives;
  if (positives == 0 || negatives == 0) return 0.5;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

ModelComparisonRow CompareOnHoldout(const PurchaseModelFit& fit, const std::vector<HoldoutCustomer>& customers,
                                    double holdout_length, double churn_horizon) {
  ModelComparisonRow row;
  row.fit = fit;
  row.has_holdout = holdout_length > 0;
  if (!row.has_holdout) return row;
  std::vector<double> none;
  std::vector<bool> bought_nothing;
  for (const auto& c : customers) {
    row.predicted_holdout += operators::ExpectedPurchases(fit.params, c.calibration, holdout_length);
    row.actual_holdout += c.holdout_purchases;
    none.push_back(operators::ProbabilityNoPurchase(fit.params, c.calibration, holdout_length));
    bought_nothing.push_back(c.holdout_purchases == 0);
  }
  row.no_purchase_auc = RankingAuc(none, bought_nothing);
  if (churn_horizon <= 0) return row;
  row.churn_horizon = churn_horizon;
  std::vector<double> risk;
  std::vector<bool> churned;
  for (const auto& c : customers) {
    risk.push_back(operators::ProbabilityNoPurchase(fit.params, c.calibration, churn_horizon));
    churned.push_back(!(c.first_holdout_purchase <= churn_horizon * (1 + 1e-12)));
  }
  row.churn = CalibrateChurn(risk, churned);
  return row;
}

size_t BestByLogLikelihood(const std::vector<ModelComparisonRow>& rows) {
  size_t best = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].fit.log_likelihood > rows[best].fit.log_likelihood) best = i;
  }
  return best;
}

std::string ComparisonTable(const std::vector<ModelComparisonRow>& rows, size_t chosen, const std::string& unit,
                            double holdout_length) {
  std::string out;
  char line[256];
  if (rows.empty()) return out;
  const bool churn = rows.front().churn_horizon > 0;
  char churn_header[96] = "";
  if (churn) {
    std::snprintf(churn_header, sizeof churn_header, "  | P(none in %.1f %s): Brier  skill    ECE",
                  rows.front().churn_horizon, unit.c_str());
  }
  if (rows.front().has_holdout) {
    std::snprintf(line, sizeof line,
                  "model        calibration LL   holdout %.1f %s: predicted  actual  AUC P(none)%s\n", holdout_length,
                  unit.c_str(), churn_header);
  } else {
    std::snprintf(line, sizeof line, "model        calibration LL   (no holdout)\n");
  }
  out += line;
  for (size_t i = 0; i < rows.size(); ++i) {
    const ModelComparisonRow& r = rows[i];
    const std::string title(operators::PurchaseModelTitle(r.fit.params.model));
    if (r.has_holdout) {
      char scores[96] = "";
      if (churn) {
        char skill[16] = "   n/a";  // nobody, or everybody, churned
        if (std::isfinite(r.churn.brier_skill)) std::snprintf(skill, sizeof skill, "%6.3f", r.churn.brier_skill);
        std::snprintf(scores, sizeof scores, "  | %*s%5.3f %s  %5.3f", static_cast<int>(std::strlen(churn_header)) - 23,
                      "", r.churn.brier, skill, r.churn.ece);
      }
      std::snprintf(line, sizeof line, "%-11s  %14.2f   %26.1f  %6lld  %11.3f%s%s\n", title.c_str(),
                    r.fit.log_likelihood, r.predicted_holdout, static_cast<long long>(r.actual_holdout),
                    r.no_purchase_auc, scores, i == chosen ? "  <- chosen" : "");
    } else {
      std::snprintf(line, sizeof line, "%-11s  %14.2f%s\n", title.c_str(), r.fit.log_likelihood,
                    i == chosen ? "  <- chosen" : "");
    }
    out += line;
  }
  return out;
}

}  // namespace crm::pipeline

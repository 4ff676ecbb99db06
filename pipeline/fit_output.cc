#include "pipeline/fit_output.h"

#include <cstdio>
#include <fstream>

#include "operators/bgnbd.h"

namespace crm::pipeline {

std::string AddModelSections(nlohmann::ordered_json& params, const std::vector<PurchaseModelFit>& fits) {
  std::string lines;
  for (const auto& fit : fits) {
    char line[256];
    if (fit.params.model == operators::PurchaseModel::kMbgNbd) {
      const auto& m = fit.params.mbgnbd;
      params["mbgnbd"] = {{"r", m.r}, {"alpha", m.alpha}, {"a", m.a}, {"b", m.b},
                          {"log_likelihood", fit.log_likelihood}};
      std::snprintf(line, sizeof line, "MBG/NBD      r=%.4f alpha=%.4f a=%.4f b=%.4f  log-likelihood %.2f\n", m.r,
                    m.alpha, m.a, m.b, fit.log_likelihood);
      lines += line;
    } else if (fit.params.model == operators::PurchaseModel::kParetoNbd) {
      const auto& m = fit.params.pareto_nbd;
      params["pareto_nbd"] = {{"r", m.r}, {"alpha", m.alpha}, {"s", m.s}, {"beta", m.beta},
                              {"log_likelihood", fit.log_likelihood}};
      std::snprintf(line, sizeof line, "Pareto/NBD   r=%.4f alpha=%.4f s=%.4f beta=%.4f  log-likelihood %.2f\n", m.r,
                    m.alpha, m.s, m.beta, fit.log_likelihood);
      lines += line;
    }
  }
  return lines;
}

nlohmann::ordered_json ComparisonJson(const std::vector<ModelComparisonRow>& rows, double days_per_unit) {
  nlohmann::ordered_json comparison = nlohmann::ordered_json::array();
  for (const auto& row : rows) {
    nlohmann::ordered_json r{{"model", std::string(operators::PurchaseModelName(row.fit.params.model))},
                             {"log_likelihood", row.fit.log_likelihood}};
    if (row.has_holdout) {
      r["predicted_holdout_repeat_purchases"] = row.predicted_holdout;
      r["actual_holdout_repeat_purchases"] = row.actual_holdout;
      r["no_purchase_auc"] = row.no_purchase_auc;
    }
    if (row.churn_horizon > 0) {
      const ChurnCalibration& c = row.churn;
      nlohmann::ordered_json bins = nlohmann::ordered_json::array();
      for (const auto& bin : c.bins) {
        bins.push_back({{"customers", bin.customers}, {"mean_predicted", bin.mean_predicted},
                        {"observed", bin.observed}});
      }
      // NaN (no churner, or everyone churned) is written as null.
      r["churn_calibration"] = {{"horizon_days", row.churn_horizon * days_per_unit},
                                {"customers", c.customers},
                                {"base_rate", c.base_rate},
                                {"mean_predicted", c.mean_predicted},
                                {"brier", c.brier},
                                {"brier_reference", c.brier_reference},
                                {"brier_skill", c.brier_skill},
                                {"ece", c.ece},
                                {"bins", bins}};
    }
    comparison.push_back(r);
  }
  return comparison;
}

nlohmann::ordered_json WarningsJson(const std::vector<FitWarning>& warnings) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& w : warnings) out.push_back({{"code", w.code}, {"message", w.message}});
  return out;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Status WriteScores(const std::string& path, const std::vector<CustomerSummary>& customers,
                   const operators::PurchaseModelParams& model, const operators::GammaGammaParams& spend,
                   double horizon, double days_per_unit) {
  std::ofstream scores(path);
  scores << "customer_id,x,t_x,T,p_alive,expected_purchases,expected_spend,clv,p_no_purchase\n";
  operators::ClvOptions clv;
  clv.horizon = horizon;
  clv.units_per_year = days_per_unit == 1 ? 365 : 52;
  char line[512];
  for (const auto& c : customers) {
    std::snprintf(line, sizeof line, ",%g,%.4f,%.4f,%.6f,%.6f,%.4f,%.4f,%.6f\n", c.purchases.x, c.purchases.t_x,
                  c.purchases.T, operators::ProbabilityAlive(model, c.purchases),
                  operators::ExpectedPurchases(model, c.purchases, horizon),
                  operators::ExpectedSpend(spend, c.purchases.x, c.mean_spend),
                  operators::CustomerLifetimeValue(model, spend, c.purchases, c.mean_spend, clv),
                  operators::ProbabilityNoPurchase(model, c.purchases, horizon));
    scores << CsvField(c.customer_id) << line;
  }
  if (!scores) return Status::IoError("cannot write '" + path + "'");
  return Status::Ok();
}

}  // namespace crm::pipeline

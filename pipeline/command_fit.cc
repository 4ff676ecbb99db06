// `crmstream fit`: purchase model (BG/NBD always; MBG/NBD and Pareto/NBD with
// --model or auto) and Gamma-Gamma parameters from a transaction log or the
// state store, the models compared on the holdout with the calibration of
// their churn risk (model_comparison.h), and warnings when a fit is
// degenerate (fit_warnings.h).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <variant>

#include "operators/bgnbd.h"
#include "operators/gamma_gamma.h"
#include "pipeline/commands.h"
#include "pipeline/fit_input.h"
#include "pipeline/fit_output.h"
#include "pipeline/fit_report.h"
#include "pipeline/fit_tracking.h"
#include "pipeline/fit_warnings.h"
#include "pipeline/model_comparison.h"
#include "pipeline/model_fit.h"

namespace crm::pipeline {
namespace {

using operators::PurchaseModel;

// The holdout (calibration end to the last day) and the churn horizon
// checked in it, in days: the asked horizon, or the holdout when shorter.
struct HoldoutPlan {
  double days = 0;
  double churn_days = 0;  // 0: no calibration
  std::string note;       // said when the horizon is shortened or there is no holdout
};

HoldoutPlan PlanHoldout(const FitInput& input, const SummaryOptions& options, double churn_horizon_days) {
  HoldoutPlan plan;
  if (!input.log) return plan;
  plan.days = static_cast<double>(input.log->last_day - options.calibration_end_day);
  if (plan.days <= 0) {
    plan.note = "the data ends on the calibration end: no holdout, so the model comparison and the churn "
                "calibration are skipped";
    return plan;
  }
  plan.churn_days = std::min(churn_horizon_days, plan.days);
  if (plan.churn_days < churn_horizon_days) {
    char text[200];
    std::snprintf(text, sizeof text, "the holdout is %g days, shorter than the %g-day churn horizon: churn risk "
                  "calibrated over %g days", plan.days, churn_horizon_days, plan.churn_days);
    plan.note = text;
  }
  return plan;
}

std::string HorizonText(double days, double days_per_unit, const std::string& unit) {
  char text[64];
  std::snprintf(text, sizeof text, "%g days", days);
  if (days_per_unit != 1) {
    std::snprintf(text, sizeof text, "%.1f %s = %g days", days / days_per_unit, unit.c_str(), days);
  }
  return text;
}

}  // namespace

int RunFitCommand(const FitCommandOptions& o, const CliContext& context) {
  SummaryOptions options;
  options.days_per_unit = o.time_unit == "days" ? 1 : 7;
  if (o.from_state && !o.report.empty()) {
    std::cerr << "crmstream: --report needs --transactions (the state store keeps no purchase history)\n";
    return kExitUsage;
  }
  auto read = ReadFitInput(o, context, options);
  if (const int* exit_code = std::get_if<int>(&read)) return *exit_code;
  FitInput& input = std::get<FitInput>(read);
  const auto& customers = input.customers;
  std::vector<operators::PurchaseSummary> purchases;
  std::vector<SpendSummary> spend;
  int64_t repeat_customers = 0;
  for (const auto& c : customers) {
    purchases.push_back(c.purchases);
    spend.push_back({c.purchases.x, c.mean_spend});
    repeat_customers += c.purchases.x > 0 ? 1 : 0;
  }
  auto bg = FitBgNbd(purchases);
  if (!bg.ok()) {
    std::cerr << "crmstream: BG/NBD fit failed: " << bg.status().message() << "\n";
    return kExitFailure;
  }
  auto gg = FitGammaGamma(spend);
  if (!gg.ok()) {
    std::cerr << "crmstream: Gamma-Gamma fit failed: " << gg.status().message() << "\n";
    return kExitFailure;
  }
  // BG/NBD is always fitted (services that predate the choice read only
  // it); the others as asked, all of them in auto mode. --model is checked
  // by the CLI; anything unknown counts as auto.
  const bool requested = o.model != "auto" && operators::ParsePurchaseModel(o.model).has_value();
  const PurchaseModel requested_model = operators::ParsePurchaseModel(o.model).value_or(PurchaseModel::kBgNbd);
  std::vector<PurchaseModelFit> fits;
  fits.push_back({{PurchaseModel::kBgNbd, bg->params, {}, {}}, bg->log_likelihood, bg->evaluations});
  for (PurchaseModel model : {PurchaseModel::kMbgNbd, PurchaseModel::kParetoNbd}) {
    if (requested && requested_model != model) continue;
    auto fit = FitPurchaseModel(model, purchases);
    if (!fit.ok()) {
      std::cerr << "crmstream: " << operators::PurchaseModelTitle(model) << " fit failed: " << fit.status().message()
                << "\n";
      return kExitFailure;
    }
    fits.push_back(*fit);
  }

  const HoldoutPlan plan = PlanHoldout(input, options, o.churn_horizon_days);
  const double dpu = options.days_per_unit;
  const double holdout = plan.days / dpu;
  std::vector<HoldoutCustomer> holdout_customers;
  for (const auto& c : customers) {
    HoldoutCustomer h{c.purchases, c.holdout_purchases};
    if (c.days_to_first_holdout_purchase >= 0) {
      h.first_holdout_purchase = static_cast<double>(c.days_to_first_holdout_purchase) / dpu;
    }
    holdout_customers.push_back(h);
  }
  std::vector<ModelComparisonRow> rows;
  for (const auto& fit : fits) {
    rows.push_back(CompareOnHoldout(fit, holdout_customers, holdout, plan.churn_days / dpu));
  }
  size_t chosen = BestByLogLikelihood(rows);
  for (size_t i = 0; requested && i < rows.size(); ++i) {
    if (rows[i].fit.params.model == requested_model) chosen = i;
  }
  // One parameter set with every fitted model's section filled, the chosen
  // one named.
  operators::PurchaseModelParams model = rows[chosen].fit.params;
  for (const auto& fit : fits) {
    if (fit.params.model == PurchaseModel::kMbgNbd) model.mbgnbd = fit.params.mbgnbd;
    if (fit.params.model == PurchaseModel::kParetoNbd) model.pareto_nbd = fit.params.pareto_nbd;
  }
  model.bgnbd = bg->params;
  const std::vector<FitWarning> warnings =
      DegenerateFitWarnings(static_cast<int64_t>(customers.size()), repeat_customers, fits, *gg);
  for (const auto& w : warnings) std::cerr << "crmstream: warning: " << w.message << "\n";

  nlohmann::ordered_json params{
      {"purchase_model", std::string(operators::PurchaseModelName(model.model))},
      {"model_selection", requested ? "--model " + o.model : "auto: highest calibration log-likelihood"},
      {"bgnbd", {{"r", bg->params.r}, {"alpha", bg->params.alpha}, {"a", bg->params.a}, {"b", bg->params.b},
                 {"log_likelihood", bg->log_likelihood}}},
      {"gamma_gamma", {{"p", gg->params.p}, {"q", gg->params.q}, {"gamma", gg->params.gamma},
                       {"log_likelihood", gg->log_likelihood}, {"customers", gg->customers}}},
      {"time_unit", o.time_unit},
      {"calibration_end", DayText(options.calibration_end_day)},
      {"data", {{"source", o.from_state ? "state" : "transactions"}, {"period", input.period},
                {"customers", customers.size()}, {"repeat_customers", repeat_customers}}}};
  const std::string model_lines = AddModelSections(params, fits);
  params["comparison"] = ComparisonJson(rows, dpu);
  params["warnings"] = WarningsJson(warnings);
  const std::string table = ComparisonTable(rows, chosen, o.time_unit, holdout);
  std::string holdout_lines;
  if (input.log) {
    // Holdout check of the chosen model: predicted against actual repeat
    // purchases after the calibration end, up to the last day in the data,
    // two ways: the sum of each customer's conditional expectation (what the
    // live service uses) and the cohort's unconditional expectation (the
    // paper's tracking plot).
    const TransactionSummaries& log = *input.log;
    params["data"]["transactions"] = log.rows;
    params["data"]["first_day"] = DayText(log.first_day);
    params["data"]["last_day"] = DayText(log.last_day);
    if (!log.columns.empty()) params["data"]["columns"] = log.columns;
    const double unconditional = CohortHoldout(log, model, options);
    params["holdout"] = {{"length", holdout}, {"model", std::string(operators::PurchaseModelName(model.model))}};
    if (plan.days > 0) {
      params["holdout"]["predicted_repeat_purchases"] = rows[chosen].predicted_holdout;
      params["holdout"]["predicted_repeat_purchases_cohort"] = unconditional;
      params["holdout"]["actual_repeat_purchases"] = rows[chosen].actual_holdout;
      params["holdout"]["churn_horizon_days"] = plan.churn_days;
      params["holdout"]["requested_churn_horizon_days"] = o.churn_horizon_days;
      char text[256];
      std::snprintf(text, sizeof text,
                    "holdout      %.1f %s: predicted %.1f repeat purchases (cohort curve %.1f), actual %lld\n",
                    holdout, o.time_unit.c_str(), rows[chosen].predicted_holdout, unconditional,
                    static_cast<long long>(rows[chosen].actual_holdout));
      holdout_lines = text;
      const ChurnCalibration& c = rows[chosen].churn;
      char skill[16] = "n/a";  // nobody, or everybody, churned
      if (std::isfinite(c.brier_skill)) std::snprintf(skill, sizeof skill, "%.3f", c.brier_skill);
      std::snprintf(text, sizeof text,
                    "churn risk   P(no purchase within %s): %.1f %% predicted, %.1f %% observed; Brier %.3f "
                    "(base-rate forecast %.3f), skill %s, ECE %.3f\n",
                    HorizonText(plan.churn_days, dpu, o.time_unit).c_str(), 100 * c.mean_predicted,
                    100 * c.base_rate, c.brier, c.brier_reference, skill, c.ece);
      holdout_lines += text;
    }
    if (!plan.note.empty()) {
      params["holdout"]["note"] = plan.note;
      holdout_lines += "note         " + plan.note + "\n";
    }
    if (!o.report.empty()) {
      FitReport report{Tracking(log, model, options, o.time_unit), std::nullopt, {}};
      for (const auto& w : warnings) report.warnings.push_back(w.message);
      if (plan.churn_days > 0) {
        char note[96] = "";
        if (plan.churn_days < o.churn_horizon_days) {
          std::snprintf(note, sizeof note, "horizon cut to the %g-day holdout (asked: %g days)", plan.churn_days,
                        o.churn_horizon_days);
        }
        CalibrationChart chart{HorizonText(plan.churn_days, dpu, o.time_unit), note, {}};
        for (size_t i = 0; i < rows.size(); ++i) {
          chart.curves.push_back({std::string(operators::PurchaseModelTitle(rows[i].fit.params.model)), i == chosen,
                                  rows[i].churn});
        }
        report.calibration = chart;
      }
      Status written = WriteFitReport(report, o.report);
      if (!written.ok()) {
        std::cerr << "crmstream: " << written.message() << "\n";
        return kExitFailure;
      }
    }
  }
  std::ofstream out(o.output);
  out << params.dump(2) << "\n";
  if (!out) {
    std::cerr << "crmstream: cannot write '" << o.output << "'\n";
    return kExitFailure;
  }
  if (!o.scores.empty()) {
    Status written = WriteScores(o.scores, customers, model, gg->params, o.horizon, dpu);
    if (!written.ok()) {
      std::cerr << "crmstream: " << written.message() << "\n";
      return kExitFailure;
    }
  }
  const std::string warning_lines = warnings.empty() ? ""
                                                    : "warnings     " + std::to_string(warnings.size()) +
                                                          " (on stderr, and under \"warnings\" in " + o.output + ")\n";
  std::printf("fitted %zu customers (%s, %s)\n"
              "BG/NBD       r=%.4f alpha=%.4f a=%.4f b=%.4f  log-likelihood %.2f\n"
              "%s"
              "Gamma-Gamma  p=%.4f q=%.4f gamma=%.4f  (%d repeat customers)\n"
              "%s"
              "purchase model %s (%s)\n"
              "%s%sparameters written to %s\n",
              customers.size(), input.period.c_str(), o.time_unit.c_str(), bg->params.r, bg->params.alpha,
              bg->params.a, bg->params.b, bg->log_likelihood, model_lines.c_str(), gg->params.p, gg->params.q,
              gg->params.gamma, gg->customers, table.c_str(),
              std::string(operators::PurchaseModelTitle(model.model)).c_str(),
              requested ? "--model" : "highest calibration log-likelihood", holdout_lines.c_str(),
              warning_lines.c_str(), o.output.c_str());
  return kExitOk;
}

}  // namespace crm::pipeline

#include "pipeline/fit_warnings.h"

#include <cmath>
#include <cstdio>
#include <string_view>
#include <utility>

namespace crm::pipeline {
namespace {

using Named = std::vector<std::pair<std::string_view, double>>;

Named Parameters(const operators::PurchaseModelParams& p) {
  switch (p.model) {
    case operators::PurchaseModel::kBgNbd:
      return {{"r", p.bgnbd.r}, {"alpha", p.bgnbd.alpha}, {"a", p.bgnbd.a}, {"b", p.bgnbd.b}};
    case operators::PurchaseModel::kMbgNbd:
      return {{"r", p.mbgnbd.r}, {"alpha", p.mbgnbd.alpha}, {"a", p.mbgnbd.a}, {"b", p.mbgnbd.b}};
    case operators::PurchaseModel::kParetoNbd:
      return {{"r", p.pareto_nbd.r}, {"alpha", p.pareto_nbd.alpha}, {"s", p.pareto_nbd.s},
              {"beta", p.pareto_nbd.beta}};
  }
  return {};
}

// One warning per model naming every parameter beyond e^±max_abs_log.
void CheckBounds(std::string_view model, const Named& params, double max_abs_log, std::vector<FitWarning>& out) {
  std::string off;
  for (const auto& [name, value] : params) {
    if (std::isfinite(value) && value > 0 && std::abs(std::log(value)) <= max_abs_log) continue;
    char text[96];
    std::snprintf(text, sizeof text, "%s%.*s = %.3g", off.empty() ? "" : ", ", static_cast<int>(name.size()),
                  name.data(), value);
    off += text;
  }
  if (off.empty()) return;
  char limits[64];
  std::snprintf(limits, sizeof limits, "outside e^-%g..e^%g", max_abs_log, max_abs_log);
  out.push_back({"parameter_at_bound", std::string(model) + " " + off + " ran off towards the optimiser's bound (" +
                                           limits + "): the likelihood keeps rising that way, so the data do not "
                                           "determine it"});
}

}  // namespace

std::vector<FitWarning> DegenerateFitWarnings(int64_t customers, int64_t repeat_customers,
                                              const std::vector<PurchaseModelFit>& fits, const GammaGammaFit& spend,
                                              const DegenerateFitLimits& limits) {
  std::vector<FitWarning> out;
  if (customers < limits.min_customers) {
    out.push_back({"few_customers", "only " + std::to_string(customers) + " customers (fewer than " +
                                        std::to_string(limits.min_customers) +
                                        "): the parameters and the churn risk they give are unreliable"});
  }
  if (repeat_customers < limits.min_repeat_customers) {
    out.push_back({"few_repeat_customers",
                   "only " + std::to_string(repeat_customers) + " customers with a repeat purchase (fewer than " +
                       std::to_string(limits.min_repeat_customers) +
                       "): the drop-out and spend parameters rest on too few of them"});
  }
  for (const auto& fit : fits) {
    CheckBounds(operators::PurchaseModelTitle(fit.params.model), Parameters(fit.params), limits.max_abs_log_parameter,
                out);
  }
  CheckBounds("Gamma-Gamma", {{"p", spend.params.p}, {"q", spend.params.q}, {"gamma", spend.params.gamma}},
              limits.max_abs_log_parameter, out);
  return out;
}

}  // namespace crm::pipeline

#include "pipeline/model_fit.h"

#include <nlopt.h>

#include <cmath>
#include <functional>
#include <limits>

namespace crm::pipeline {
namespace {

using Objective = std::function<double(const std::vector<double>& log_params)>;

struct Minimum {
  std::vector<double> log_params;
  double value = std::numeric_limits<double>::infinity();
  int evaluations = 0;
};

double Trampoline(unsigned n, const double* x, double* /*grad*/, void* data) {
  auto* objective = static_cast<Objective*>(data);
  double v = (*objective)(std::vector<double>(x, x + n));
  return std::isfinite(v) ? v : 1e300;
}

// Nelder-Mead from each start; NLopt reports failures as codes, not throws.
Result<Minimum> Minimise(Objective objective, const std::vector<std::vector<double>>& starts) {
  Minimum best;
  int evaluations = 0;
  Objective counted = [&](const std::vector<double>& x) {
    ++evaluations;
    return objective(x);
  };
  for (const auto& start : starts) {
    nlopt_opt opt = nlopt_create(NLOPT_LN_NELDERMEAD, static_cast<unsigned>(start.size()));
    nlopt_set_min_objective(opt, Trampoline, &counted);
    nlopt_set_xtol_rel(opt, 1e-10);
    nlopt_set_ftol_abs(opt, 1e-10);
    nlopt_set_maxeval(opt, 20000);
    std::vector<double> lower(start.size(), -20.0), upper(start.size(), 20.0);
    nlopt_set_lower_bounds(opt, lower.data());
    nlopt_set_upper_bounds(opt, upper.data());
    std::vector<double> x = start;
    double value = 0;
    nlopt_result rc = nlopt_optimize(opt, x.data(), &value);
    nlopt_destroy(opt);
    if (rc > 0 && value < best.value) {
      best.log_params = x;
      best.value = value;
    }
  }
  if (!std::isfinite(best.value)) return Status::Internal("the likelihood could not be maximised");
  best.evaluations = evaluations;
  return best;
}

}  // namespace

Result<BgNbdFit> FitBgNbd(const std::vector<operators::PurchaseSummary>& customers) {
  if (customers.empty()) return Status::InvalidArgument("no customers to fit");
  Objective negative_ll = [&](const std::vector<double>& lp) {
    operators::BgNbdParams p{std::exp(lp[0]), std::exp(lp[1]), std::exp(lp[2]), std::exp(lp[3])};
    double sum = 0;
    for (const auto& c : customers) sum += operators::BgNbdLogLikelihood(p, c);
    return -sum;
  };
  ASSIGN_OR_RETURN(Minimum m, Minimise(negative_ll, {{0, 0, 0, 0}, {-1, 1, -0.5, 1}, {0.5, 2, 0.5, 0.5}}));
  BgNbdFit fit;
  fit.params = {std::exp(m.log_params[0]), std::exp(m.log_params[1]), std::exp(m.log_params[2]),
                std::exp(m.log_params[3])};
  fit.log_likelihood = -m.value;
  fit.evaluations = m.evaluations;
  return fit;
}

Result<GammaGammaFit> FitGammaGamma(const std::vector<SpendSummary>& customers) {
  std::vector<SpendSummary> repeat;
  for (const auto& c : customers) {
    if (c.x > 0 && c.mean_spend > 0) repeat.push_back(c);
  }
  if (repeat.empty()) return Status::InvalidArgument("no customer with repeat purchases and spend");
  Objective negative_ll = [&](const std::vector<double>& lp) {
    operators::GammaGammaParams g{std::exp(lp[0]), std::exp(lp[1]), std::exp(lp[2])};
    double sum = 0;
    for (const auto& c : repeat) sum += operators::GammaGammaLogLikelihood(g, c.x, c.mean_spend);
    return -sum;
  };
  ASSIGN_OR_RETURN(Minimum m, Minimise(negative_ll, {{0, 0, 0}, {1, 1, 2}, {2, 1, 3}}));
  GammaGammaFit fit;
  fit.params = {std::exp(m.log_params[0]), std::exp(m.log_params[1]), std::exp(m.log_params[2])};
  fit.log_likelihood = -m.value;
  fit.customers = static_cast<int>(repeat.size());
  return fit;
}

}  // namespace crm::pipeline

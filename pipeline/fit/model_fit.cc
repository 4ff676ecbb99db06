#include "pipeline/fit/model_fit.h"

#include <nlopt.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

namespace crm::pipeline {
namespace {

using Objective = std::function<double(const std::vector<double>& log_params)>;

// Parameters stay within e^-20..e^20; the first simplex steps by e^1.
constexpr double kLogBound = 20.0;
constexpr double kInitialLogStep = 1.0;

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
    std::vector<double> lower(start.size(), -kLogBound), upper(start.size(), kLogBound);
    nlopt_set_lower_bounds(opt, lower.data());
    nlopt_set_upper_bounds(opt, upper.data());
    // NLopt's default first simplex spans a quarter of the bounds, 10 in log
    // space: parameters of e^10 on the first steps, where Pareto/NBD's
    // hypergeometric series needs up to a million terms per customer. A
    // factor of e around the start explores enough (several starts) and
    // costs a fraction of that.
    nlopt_set_initial_step1(opt, kInitialLogStep);
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

Result<PurchaseModelFit> FitPurchaseModel(operators::PurchaseModel model,
                                          const std::vector<operators::PurchaseSummary>& customers) {
  if (customers.empty()) return Status::InvalidArgument("no customers to fit");
  auto params_at = [model](const std::vector<double>& lp) {
    operators::PurchaseModelParams p;
    p.model = model;
    const double v0 = std::exp(lp[0]), v1 = std::exp(lp[1]), v2 = std::exp(lp[2]), v3 = std::exp(lp[3]);
    switch (model) {
      case operators::PurchaseModel::kBgNbd: p.bgnbd = {v0, v1, v2, v3}; break;
      case operators::PurchaseModel::kMbgNbd: p.mbgnbd = {v0, v1, v2, v3}; break;
      case operators::PurchaseModel::kParetoNbd: p.pareto_nbd = {v0, v1, v2, v3}; break;
    }
    return p;
  };
  // Customers with the same (x, t_x, T) contribute the same term: data in
  // whole days has many, so each distinct summary is evaluated once.
  std::map<std::tuple<double, double, double>, double> counts;
  for (const auto& c : customers) counts[{c.x, c.t_x, c.T}] += 1;
  std::vector<std::pair<operators::PurchaseSummary, double>> distinct;
  for (const auto& [key, n] : counts) {
    distinct.push_back({{std::get<0>(key), std::get<1>(key), std::get<2>(key)}, n});
  }
  Objective negative_ll = [&](const std::vector<double>& lp) {
    const operators::PurchaseModelParams p = params_at(lp);
    double sum = 0;
    for (const auto& [c, n] : distinct) sum += n * operators::LogLikelihood(p, c);
    return -sum;
  };
  // Starts in log space; for Pareto/NBD (r, alpha, s, beta) the last two are
  // the lifetime's shape and scale, for the BG models the Beta's a and b.
  const std::vector<std::vector<double>> starts =
      model == operators::PurchaseModel::kParetoNbd
          ? std::vector<std::vector<double>>{{0, 0, 0, 0}, {-1, 1, -1, 1}, {0.5, 2, 0.5, 2}}
          : std::vector<std::vector<double>>{{0, 0, 0, 0}, {-1, 1, -0.5, 1}, {0.5, 2, 0.5, 0.5}};
  ASSIGN_OR_RETURN(Minimum m, Minimise(negative_ll, starts));
  PurchaseModelFit fit;
  fit.params = params_at(m.log_params);
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

#include "operators/model_params.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "operators/money.h"
#include "operators/purchase_forecast.h"

namespace crm::operators {
namespace {

Status MustBePositive(const char* name, double value) {
  if (std::isfinite(value) && value > 0) return Status::Ok();
  return Status::InvalidArgument(std::string(name) + " must be a positive finite number, got " +
                                 std::to_string(value));
}

}  // namespace

PurchaseModelParams PurchaseModelOf(const ModelParams& p) {
  return {p.purchase_model, p.bgnbd, p.mbgnbd, p.pareto_nbd};
}

Status ValidateModelParams(const ModelParams& p) {
  switch (p.purchase_model) {
    case PurchaseModel::kBgNbd:
    case PurchaseModel::kMbgNbd: {
      const std::string section(PurchaseModelName(p.purchase_model));
      const BgNbdParams& bg = p.purchase_model == PurchaseModel::kBgNbd ? p.bgnbd : p.mbgnbd;
      RETURN_IF_ERROR(MustBePositive((section + ".r").c_str(), bg.r));
      RETURN_IF_ERROR(MustBePositive((section + ".alpha").c_str(), bg.alpha));
      RETURN_IF_ERROR(MustBePositive((section + ".a").c_str(), bg.a));
      RETURN_IF_ERROR(MustBePositive((section + ".b").c_str(), bg.b));
      break;
    }
    case PurchaseModel::kParetoNbd:
      RETURN_IF_ERROR(MustBePositive("pareto_nbd.r", p.pareto_nbd.r));
      RETURN_IF_ERROR(MustBePositive("pareto_nbd.alpha", p.pareto_nbd.alpha));
      RETURN_IF_ERROR(MustBePositive("pareto_nbd.s", p.pareto_nbd.s));
      RETURN_IF_ERROR(MustBePositive("pareto_nbd.beta", p.pareto_nbd.beta));
      break;
  }
  RETURN_IF_ERROR(MustBePositive("gamma_gamma.p", p.gamma_gamma.p));
  RETURN_IF_ERROR(MustBePositive("gamma_gamma.q", p.gamma_gamma.q));
  RETURN_IF_ERROR(MustBePositive("gamma_gamma.gamma", p.gamma_gamma.gamma));
  RETURN_IF_ERROR(MustBePositive("time unit (days)", p.days_per_unit));
  if (p.gamma_gamma.q <= 1) {
    return Status::InvalidArgument("gamma_gamma.q must be above 1 (expected spend is infinite otherwise), got " +
                                   std::to_string(p.gamma_gamma.q));
  }
  return Status::Ok();
}

PurchaseSummary PurchaseSummaryAt(const CustomerState& state, EventTime now, double days_per_unit) {
  PurchaseSummary s;
  if (state.purchase_count == 0) return s;
  s.x = static_cast<double>(state.purchase_count - 1);
  s.t_x = (state.last_purchase - state.first_purchase).days() / days_per_unit;
  s.T = std::max(s.t_x, (now - state.first_purchase).days() / days_per_unit);
  return s;
}

double PAliveAt(const ModelParams& params, const CustomerState& state, EventTime now) {
  return ProbabilityAlive(PurchaseModelOf(params), PurchaseSummaryAt(state, now, params.days_per_unit));
}

CustomerValue ValueAt(const ModelParams& params, const ValueConfig& config, const CustomerState& state,
                      EventTime now) {
  const PurchaseSummary s = PurchaseSummaryAt(state, now, params.days_per_unit);
  const double total_spend = ClampMoney(state.total_spend);
  const double mean_spend = state.purchase_count > 0 ? total_spend / static_cast<double>(state.purchase_count) : 0;
  ClvOptions clv;
  clv.horizon = config.horizon_days / params.days_per_unit;
  clv.margin = config.margin;
  clv.annual_discount = config.annual_discount;
  clv.units_per_year = 365.0 / params.days_per_unit;
  CustomerValue v;
  // Every output finite: a degenerate result falls back to what is known
  // without the model (alive, no further purchases, the customer's own mean
  // spend, historical spend as the value).
  const PurchaseModelParams model = PurchaseModelOf(params);
  const double p_alive = ProbabilityAlive(model, s);
  v.p_alive = std::isnan(p_alive) ? 1.0 : std::clamp(p_alive, 0.0, 1.0);
  v.expected_purchases = std::max(0.0, ClampMoney(ExpectedPurchases(model, s, clv.horizon)));
  v.expected_spend = ClampMoney(ExpectedSpend(params.gamma_gamma, s.x, mean_spend), mean_spend);
  v.clv = ClampMoney(CustomerLifetimeValue(model, params.gamma_gamma, s, mean_spend, clv), total_spend);
  // The value of a customer known to be alive: every model's conditional
  // expectation is P(alive) x the alive customer's, so it is that divided
  // by P(alive) (BG/NBD has it in closed form).
  const auto if_alive_purchases = [&](double t) {
    if (model.model == PurchaseModel::kBgNbd) return BgNbdExpectedPurchasesIfAlive(params.bgnbd, s, t);
    return p_alive > 1e-12 ? ExpectedPurchases(model, s, t) / p_alive : 0.0;
  };
  const double if_alive = DiscountedValue(if_alive_purchases, v.expected_spend, clv);
  // Never below the expected CLV, which it bounds from above.
  v.clv_if_alive = std::max(v.clv, ClampMoney(if_alive, v.clv));
  return v;
}

}  // namespace crm::operators

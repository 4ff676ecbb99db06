#include "operators/purchase_forecast.h"

#include <algorithm>
#include <cmath>

#include "operators/purchase_model.h"

namespace crm::operators {

double BgNbdProbNoPurchase(const BgNbdParams& p, const PurchaseSummary& s, double h) {
  PurchaseModelParams model;
  model.bgnbd = p;
  return ProbabilityNoPurchase(model, s, h);
}

double BgNbdExpectedPurchasesIfAlive(const BgNbdParams& p, const PurchaseSummary& s, double t) {
  if (t <= 0) return 0;
  // Eq. 10 of the paper without its P(alive) denominator: the numerator is
  // the expectation of a customer known to be alive at T.
  const double z = t / (p.alpha + s.T + t);
  const double hyp = Hypergeometric2F1(p.r + s.x, p.b + s.x, p.a + p.b + s.x - 1, z);
  const double scale = (p.a + p.b + s.x - 1) / (p.a - 1);
  const double decay = std::exp((p.r + s.x) * (std::log(p.alpha + s.T) - std::log(p.alpha + s.T + t)));
  return scale * (1 - decay * hyp);
}

PurchaseOutlook PurchaseOutlookAt(const ModelParams& params, const CustomerState& state, EventTime now,
                                  double horizon_days) {
  PurchaseOutlook o;
  if (state.purchase_count == 0) return o;
  const PurchaseSummary s = PurchaseSummaryAt(state, now, params.days_per_unit);
  const PurchaseModelParams model = PurchaseModelOf(params);
  o.p_alive = ProbabilityAlive(model, s);
  o.p_no_purchase = ProbabilityNoPurchase(model, s, horizon_days / params.days_per_unit);
  return o;
}

}  // namespace crm::operators

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
  return ExpectedPurchasesIfAlive(p, s, t);
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

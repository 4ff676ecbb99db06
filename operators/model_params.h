// operators/model_params.h
//
// Fitted population parameters of the purchase model (BG/NBD, MBG/NBD or
// Pareto/NBD: purchase_model.h) and the spend model (Gamma-Gamma), as
// `crmstream fit` writes them and the service loads them, and the bridge from
// a stored customer to the models' summary (x, t_x, T in the parameters' time
// unit). P(alive), expected purchases and CLV use the chosen purchase model.
// Pure functions.
#pragma once

#include "operators/bgnbd.h"
#include "operators/customer_state.h"
#include "operators/gamma_gamma.h"
#include "operators/model_config.h"
#include "operators/purchase_model.h"
#include "operators/status.h"
#include "operators/time.h"

namespace crm::operators {

struct ModelParams {
  // The purchase model the service uses. `bgnbd` is always filled by
  // `crmstream fit` (older services read only it); the others only when
  // fitted.
  PurchaseModel purchase_model = PurchaseModel::kBgNbd;
  BgNbdParams bgnbd;
  BgNbdParams mbgnbd;
  ParetoNbdParams pareto_nbd;
  GammaGammaParams gamma_gamma;
  double days_per_unit = 7;  // the time unit the parameters were fitted in
};

// The chosen purchase model and its parameters.
PurchaseModelParams PurchaseModelOf(const ModelParams& params);

// Ok when every parameter of the chosen purchase model and of Gamma-Gamma is
// finite and positive, q > 1 (so that expected
// spend is finite) and the time unit is positive; otherwise names the first
// offending parameter.
Status ValidateModelParams(const ModelParams& params);

// x = purchases after the first, t_x = first to last purchase, T = first
// purchase to `now` (never below t_x), in units of `days_per_unit` days.
PurchaseSummary PurchaseSummaryAt(const CustomerState& state, EventTime now, double days_per_unit);

// What the fitted models say about one customer at event time `now`.
struct CustomerValue {
  double p_alive = 0;             // P(alive | x, t_x, T)
  double expected_purchases = 0;  // over the configured horizon
  double expected_spend = 0;      // per purchase (Gamma-Gamma)
  double clv = 0;                 // discounted, with margin, over the horizon
  // The CLV of the customer if they are still alive (not multiplied by
  // P(alive)): the value retaining them keeps, or a win-back regains.
  double clv_if_alive = 0;
};

// Only P(alive): cheap enough for every event.
double PAliveAt(const ModelParams& params, const CustomerState& state, EventTime now);

// Everything, CLV included (sums the horizon in steps of one time unit: call
// it when a decision needs the value, not on every event). The customer's
// mean spend stands in for the mean of their repeat purchases.
// Every field is finite: money is clamped to kMaxMoney (money.h), and a
// result the models cannot give (NaN) falls back to what is known without
// them: p_alive 1, no expected purchases, the customer's mean spend, and
// their historical spend as the CLV.
CustomerValue ValueAt(const ModelParams& params, const ValueConfig& config,
                      const CustomerState& state, EventTime now);

}  // namespace crm::operators

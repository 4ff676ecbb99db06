// operators/purchase_forecast.h
//
// What a fitted purchase model says about one customer's next purchases, in
// the form churn risk and value at risk need: P(alive) and the probability
// of no purchase within a horizon, given the customer's history (x, t_x, T).
// PurchaseOutlookAt asks whichever model the parameters hold (BG/NBD,
// MBG/NBD or Pareto/NBD, through operators/purchase_model.h); the BG/NBD
// functions below are its closed forms. Pure functions, standard library only.
//
// BG/NBD (Fader, Hardie & Lee 2005): while alive a customer buys at Poisson
// rate lambda; after each purchase they drop out with probability p, and only
// then. Given x, t_x, T the customer is alive with probability P(alive), and
// an alive customer's rate has the posterior Gamma(r + x, alpha + T). A
// customer who is gone makes no purchase; one who is alive makes none in
// (T, T + h] with probability E[exp(-lambda h)] = ((alpha+T)/(alpha+T+h))^(r+x);
// with no purchase there is no dropout opportunity, so nothing else can
// happen within h. Hence
//   P(no purchase in (T, T+h]) = 1 - P(alive) + P(alive) ((alpha+T)/(alpha+T+h))^(r+x).
// h = 0 gives 1; h -> infinity gives 1 - P(alive) (docs/churn-risk.md).
#pragma once

#include "operators/bgnbd.h"
#include "operators/customer_state.h"
#include "operators/model_params.h"
#include "operators/time.h"

namespace crm::operators {

// P(no purchase in (T, T + h] | x, t_x, T) under BG/NBD (ProbabilityNoPurchase
// of purchase_model.h for a BG/NBD model); h in the parameters' time unit.
// 1 for h <= 0.
double BgNbdProbNoPurchase(const BgNbdParams& p, const PurchaseSummary& s, double h);

// E[purchases in (T, T + t] | alive at T, x, t_x, T] under BG/NBD: the
// expectation of an alive customer (ExpectedPurchases = P(alive) x this).
double BgNbdExpectedPurchasesIfAlive(const BgNbdParams& p, const PurchaseSummary& s, double t);

struct PurchaseOutlook {
  double p_alive = 1;         // P(alive | history)
  double p_no_purchase = 1;   // P(no purchase within the horizon | history)
};

// The outlook of `state` at event time `now` over `horizon_days` from the
// fitted model in `params`. A customer without purchases has p_alive 1 and
// p_no_purchase 1 (nothing to judge). Fields are NaN when the model cannot
// give a number (the caller falls back).
PurchaseOutlook PurchaseOutlookAt(const ModelParams& params, const CustomerState& state, EventTime now,
                                  double horizon_days);

}  // namespace crm::operators

// operators/gamma_gamma.h
//
// The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV";
// Fader & Hardie 2013) and customer lifetime value. A customer with x repeat
// purchases of mean value m has expected spend per purchase
//   E[M] = p (gamma + x m) / (p x + q - 1).
// Pure functions.
#pragma once

#include <functional>

#include "operators/bgnbd.h"
#include "operators/purchase_model.h"

namespace crm::operators {

struct GammaGammaParams {
  double p = 0;
  double q = 0;
  double gamma = 0;
};

// The customer's contribution to the log-likelihood (x > 0, m > 0).
double GammaGammaLogLikelihood(const GammaGammaParams& g, double x, double mean_spend);

// E[M | x, m]; for x = 0 the population mean p*gamma/(q-1).
double ExpectedSpend(const GammaGammaParams& g, double x, double mean_spend);

struct ClvOptions {
  double horizon = 52;           // time units ahead
  double margin = 1.0;           // share of spend that is profit
  double annual_discount = 0.1;  // discount rate per year
  double units_per_year = 52;    // 52 for weeks, 365 for days
};

// Sum over the horizon (in steps of one unit) of the expected purchases in
// that step (from `cumulative_purchases(t)`, the expected purchases in
// (0, t]) x spend_per_purchase x margin, discounted to today. Any purchase
// model plugs in through `cumulative_purchases`.
double DiscountedValue(const std::function<double(double)>& cumulative_purchases, double spend_per_purchase,
                       const ClvOptions& options);

// DiscountedValue of BG/NBD's expected purchases and Gamma-Gamma's expected
// spend: the expected CLV (an alive customer's value times P(alive)).
double CustomerLifetimeValue(const BgNbdParams& bg, const GammaGammaParams& gg,
                             const PurchaseSummary& s, double mean_spend, const ClvOptions& options);

// The same with expected purchases from any purchase model.
double CustomerLifetimeValue(const PurchaseModelParams& model, const GammaGammaParams& gg,
                             const PurchaseSummary& s, double mean_spend, const ClvOptions& options);

}  // namespace crm::operators

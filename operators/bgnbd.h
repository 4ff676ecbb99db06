// operators/bgnbd.h
//
// The BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your
// customers the easy way"). A customer is summarised by x (repeat purchases),
// t_x (time of the last purchase) and T (age), both measured from the first
// purchase in one time unit (days or weeks). Population parameters
// (r, alpha, a, b) come from maximum likelihood (pipeline/fit/model_fit.h).
// Everything is computed in log space so that large x and T stay finite.
// Pure functions.
#pragma once

namespace crm::operators {

struct BgNbdParams {
  double r = 0;
  double alpha = 0;
  double a = 0;
  double b = 0;
};

struct PurchaseSummary {
  double x = 0;    // repeat purchases
  double t_x = 0;  // time of the last purchase since the first
  double T = 0;    // time since the first purchase
};

// The customer's contribution to the log-likelihood (the paper's eq. 6).
double BgNbdLogLikelihood(const BgNbdParams& p, const PurchaseSummary& s);

// P(alive | x, t_x, T).
double PAlive(const BgNbdParams& p, const PurchaseSummary& s);

// E[number of purchases in the next `t` time units | x, t_x, T] (eq. 10).
double ExpectedPurchases(const BgNbdParams& p, const PurchaseSummary& s, double t);

// The same expectation for a customer known to be alive at T (eq. 10's
// numerator, without the P(alive) factor).
double ExpectedPurchasesIfAlive(const BgNbdParams& p, const PurchaseSummary& s, double t);

// E[repeat purchases in (0, t]] of a customer picked at random from the
// population (eq. 9): what a cohort is expected to do, for tracking plots.
double ExpectedRepeatPurchasesUnconditional(const BgNbdParams& p, double t);

// Gauss hypergeometric 2F1(a, b; c; z) for 0 <= z < 1 by its power series,
// summed in log space; the series converges for the arguments BG/NBD uses.
double Hypergeometric2F1(double a, double b, double c, double z);

}  // namespace crm::operators

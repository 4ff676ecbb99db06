// operators/pareto_nbd.h
//
// The Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987), in
// the form of Fader & Hardie's note "A Note on Deriving the Pareto/NBD Model
// and Related Expressions" (2005). While alive a customer buys at Poisson
// rate lambda ~ Gamma(r, alpha); the lifetime is exponential with rate
// mu ~ Gamma(s, beta), so a customer can be gone at any time, also before a
// repeat purchase. A customer is summarised as for BG/NBD (bgnbd.h): x, t_x,
// T in one time unit. Pure functions, standard library only; the Gauss
// hypergeometric function 2F1(a, b; a+1; z) is its power series (all terms
// positive), always with 0 <= z < 1 by choosing the alpha >= beta or
// alpha < beta branch as the note does.
#pragma once

#include "operators/bgnbd.h"

namespace crm::operators {

struct ParetoNbdParams {
  double r = 0;
  double alpha = 0;
  double s = 0;
  double beta = 0;
};

// The customer's contribution to the log-likelihood (the note's eq. 22).
double ParetoNbdLogLikelihood(const ParetoNbdParams& p, const PurchaseSummary& s);

// P(alive at T | x, t_x, T) (the note's eq. 24).
double ParetoNbdPAlive(const ParetoNbdParams& p, const PurchaseSummary& s);

// E[purchases in (T, T + t] | x, t_x, T] (the note's eq. 27).
double ParetoNbdExpectedPurchases(const ParetoNbdParams& p, const PurchaseSummary& s, double t);

// E[repeat purchases in (0, t]] of a new customer (the note's eq. 17).
double ParetoNbdExpectedRepeatPurchasesUnconditional(const ParetoNbdParams& p, double t);

// P(no purchase in (T, T + h] | x, t_x, T). A customer alive at T with rates
// (lambda, mu) makes none when death comes before the first purchase or the
// first purchase comes after h:
//   P(none | alive, lambda, mu) = mu/(lambda+mu) + lambda/(lambda+mu) e^{-(lambda+mu) h}
//                               = 1 - lambda * int_0^h e^{-(lambda+mu) u} du.
// Given alive at T, lambda ~ Gamma(r+x, alpha+T) and mu ~ Gamma(s, beta+T)
// independently, so with r' = r+x, a' = alpha+T, b' = beta+T
//   P(none | alive) = 1 - r' a'^r' b'^s int_0^h (a'+u)^-(r'+1) (b'+u)^-s du,
// and P(none) = 1 - P(alive) + P(alive) P(none | alive).
double ParetoNbdProbabilityNoPurchase(const ParetoNbdParams& p, const PurchaseSummary& s, double h);

// log of int_t^inf (alpha+u)^-p (beta+u)^-q du for p + q > 1, by the 2F1 of
// the note with the argument in [0, 1): (alpha-beta)/(alpha+t) when
// alpha >= beta, (beta-alpha)/(beta+t) otherwise. Exposed for tests.
double LogParetoTailIntegral(double p, double q, double alpha, double beta, double t);

}  // namespace crm::operators

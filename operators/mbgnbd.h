// operators/mbgnbd.h
//
// The modified BG/NBD purchase model (MBG/NBD; Batislam, Denizel &
// Filiztekin 2007). As BG/NBD (bgnbd.h), purchases come at Poisson rate
// lambda ~ Gamma(r, alpha) and a customer drops out with probability
// p ~ Beta(a, b) after a purchase, but here after every purchase including
// the first (at time 0), so a customer with no repeat purchase can be gone.
// Same parameters (r, alpha, a, b) and summary (x, t_x, T). Pure functions.
#pragma once

#include "operators/bgnbd.h"

namespace crm::operators {

// The customer's contribution to the log-likelihood:
//   L = G(r+x) alpha^r / (G(r) B(a,b)) [B(a, b+x+1) (alpha+T)^-(r+x)
//                                       + B(a+1, b+x) (alpha+t_x)^-(r+x)].
double MbgNbdLogLikelihood(const BgNbdParams& p, const PurchaseSummary& s);

// P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)).
double MbgNbdPAlive(const BgNbdParams& p, const PurchaseSummary& s);

// E[purchases in (T, T + t] | x, t_x, T]: P(alive) times what a BG/NBD
// customer alive at T with lambda ~ Gamma(r+x, alpha+T) and
// p ~ Beta(a, b+x+1) does from then on.
double MbgNbdExpectedPurchases(const BgNbdParams& p, const PurchaseSummary& s, double t);

// E[repeat purchases in (0, t]] of a new customer:
//   b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))].
double MbgNbdExpectedRepeatPurchasesUnconditional(const BgNbdParams& p, double t);

}  // namespace crm::operators

#include "operators/purchase_forecast.h"

#include <gtest/gtest.h>

#include <cmath>

namespace crm::operators {
namespace {

// Published CDNOW estimates (weeks), Fader, Hardie & Lee 2005.
const BgNbdParams kCdnow{0.243, 4.414, 0.793, 2.426};

// Trapezoid rule of f over [lo, hi] in n steps.
template <typename F>
double Integrate(F f, double lo, double hi, int n) {
  const double step = (hi - lo) / n;
  double sum = (f(lo) + f(hi)) / 2;
  for (int i = 1; i < n; ++i) sum += f(lo + i * step);
  return sum * step;
}

// E over the prior of p of p^k (1-p)^m, unnormalised (the Beta constant
// cancels in every ratio below): p = logistic(u), dp = p(1-p) du.
double BetaMoment(const BgNbdParams& prm, double k, double m) {
  return Integrate(
      [&](double u) {
        const double p = 1 / (1 + std::exp(-u));
        return std::pow(p, prm.a - 1 + k + 1) * std::pow(1 - p, prm.b - 1 + m + 1);
      },
      -80, 80, 40000);
}

// E over the prior of lambda of lambda^x exp(-lambda s), unnormalised:
// lambda = exp(u), dlambda = lambda du.
double GammaMoment(const BgNbdParams& prm, double x, double s) {
  return Integrate(
      [&](double u) {
        const double l = std::exp(u);
        return std::pow(l, prm.r - 1 + x + 1) * std::exp(-l * (prm.alpha + s));
      },
      -120, 8, 40000);
}

// P(no purchase in (T, T+h] | x, t_x, T) straight from the model's story,
// integrating over the prior of (lambda, p): the joint probability of the
// history and no purchase in h over the probability of the history. Alive
// at T (survived x purchases): (1-p)^x lambda^x e^{-lambda (T+h)}; gone
// after the last purchase: p (1-p)^(x-1) lambda^x e^{-lambda t_x}, and a gone
// customer buys nothing.
double NumericProbNoPurchase(const BgNbdParams& prm, const PurchaseSummary& s, double h) {
  const double alive = BetaMoment(prm, 0, s.x);
  const double dead = s.x > 0 ? BetaMoment(prm, 1, s.x - 1) : 0;
  const double dead_part = dead * GammaMoment(prm, s.x, s.t_x);
  const double history = alive * GammaMoment(prm, s.x, s.T) + dead_part;
  return (alive * GammaMoment(prm, s.x, s.T + h) + dead_part) / history;
}

TEST(BgNbdProbNoPurchase, MatchesDirectIntegrationOverThePrior) {
  struct Case {
    PurchaseSummary s;
    double h;
  };
  for (const Case& c : {Case{{0, 0, 30}, 13}, Case{{1, 2, 30}, 13}, Case{{2, 30, 38}, 39}, Case{{5, 20, 38}, 4},
                        Case{{3, 10, 60}, 100}}) {
    const double closed = BgNbdProbNoPurchase(kCdnow, c.s, c.h);
    const double numeric = NumericProbNoPurchase(kCdnow, c.s, c.h);
    EXPECT_NEAR(closed, numeric, 1e-6) << "x=" << c.s.x << " t_x=" << c.s.t_x << " T=" << c.s.T << " h=" << c.h;
  }
}

TEST(BgNbdProbNoPurchase, Limits) {
  const PurchaseSummary s{2, 10, 40};
  EXPECT_DOUBLE_EQ(BgNbdProbNoPurchase(kCdnow, s, 0), 1.0) << "nothing happens in an empty horizon";
  // A horizon without end: an alive customer buys eventually, so only the
  // chance of being gone already remains.
  EXPECT_NEAR(BgNbdProbNoPurchase(kCdnow, s, 1e12), 1 - PAlive(kCdnow, s), 1e-6);
  // No repeat purchase: alive by construction, so only the rate speaks:
  // ((alpha + T) / (alpha + T + h))^r.
  const PurchaseSummary once{0, 0, 30};
  EXPECT_NEAR(BgNbdProbNoPurchase(kCdnow, once, 13), std::pow((4.414 + 30) / (4.414 + 30 + 13), 0.243), 1e-12);
}

TEST(BgNbdProbNoPurchase, RisesWithSilenceAndFallsWithTheHorizon) {
  double previous = 0;
  for (double T = 10; T <= 80; T += 5) {
    const double p = BgNbdProbNoPurchase(kCdnow, {3, 10, T}, 13);
    EXPECT_GT(p, previous) << "T=" << T;
    previous = p;
  }
  previous = 1.0;
  for (double h = 1; h <= 100; h += 3) {
    const double p = BgNbdProbNoPurchase(kCdnow, {3, 10, 30}, h);
    EXPECT_LT(p, previous) << "h=" << h;
    previous = p;
  }
}

TEST(BgNbdExpectedPurchasesIfAlive, TimesPAliveIsTheExpectation) {
  for (const PurchaseSummary& s : {PurchaseSummary{0, 0, 20}, PurchaseSummary{4, 15, 38}, PurchaseSummary{2, 3, 60}}) {
    EXPECT_NEAR(BgNbdExpectedPurchasesIfAlive(kCdnow, s, 52) * PAlive(kCdnow, s), ExpectedPurchases(kCdnow, s, 52),
                1e-12);
  }
}

TEST(PurchaseOutlookAt, ConvertsTheHorizonToTheParametersTimeUnit) {
  ModelParams params;
  params.bgnbd = kCdnow;
  params.days_per_unit = 7;
  CustomerState s;
  s.purchase_count = 3;
  s.first_purchase = EventTime{0};
  s.last_purchase = EventTime{Days(70).ms};
  const EventTime now{Days(210).ms};
  const PurchaseOutlook o = PurchaseOutlookAt(params, s, now, 91);
  const PurchaseSummary summary{2, 10, 30};
  EXPECT_NEAR(o.p_alive, PAlive(kCdnow, summary), 1e-12);
  EXPECT_NEAR(o.p_no_purchase, BgNbdProbNoPurchase(kCdnow, summary, 13), 1e-12);
  // Nothing to judge without a purchase.
  const PurchaseOutlook none = PurchaseOutlookAt(params, CustomerState{}, now, 91);
  EXPECT_EQ(none.p_alive, 1.0);
  EXPECT_EQ(none.p_no_purchase, 1.0);
}

}  // namespace
}  // namespace crm::operators

// Pareto/NBD and MBG/NBD formulas and the model-agnostic entry point
// (purchase_model.h): the 2F1-based integrals against numerical quadrature,
// limits any correct implementation respects, and P(no purchase within h)
// against Monte Carlo estimates from each model's simulator.
#include "operators/pareto_nbd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "operators/mbgnbd.h"
#include "operators/purchase_model.h"
#include "tests/common/purchase_simulator.h"

namespace crm::operators {
namespace {

const ParetoNbdParams kCdnowPareto{0.553, 10.578, 0.606, 11.669};  // Fader, Hardie & Lee (2005)
const BgNbdParams kCdnowBg{0.243, 4.414, 0.793, 2.426};

// int_{t1}^{t2} (alpha+u)^-p (beta+u)^-q du by Simpson's rule on a log grid.
double Quadrature(double p, double q, double alpha, double beta, double t1, double t2) {
  const int n = 20000;
  const double w1 = std::log(alpha + t1), w2 = std::log(alpha + t2), step = (w2 - w1) / n;
  double sum = 0;
  for (int i = 0; i <= n; ++i) {
    const double v = std::exp(w1 + i * step);  // alpha + u; du = v dw
    const double f = std::pow(v, 1 - p) * std::pow(v - alpha + beta, -q);
    sum += f * (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2));
  }
  return sum * step / 3;
}

TEST(ParetoNbd, TailIntegralMatchesQuadratureOnBothBranches) {
  struct Case { double p, q, alpha, beta, t1, t2; };
  for (const Case& c : {Case{0.553 + 2, 1.606, 10.578, 11.669, 30.4, 38.9}, Case{0.553, 1.606, 10.578, 11.669, 0, 38.9},
                        Case{5.5, 1.6, 40.0, 2.0, 1, 60}, Case{1.2, 2.5, 0.5, 30.0, 0, 10},
                        Case{20.5, 1.6, 3.0, 300.0, 2, 70}, Case{1.5, 0.7, 200.0, 1.0, 0, 52}}) {
    const double exact = std::exp(LogParetoTailIntegral(c.p, c.q, c.alpha, c.beta, c.t1)) -
                         std::exp(LogParetoTailIntegral(c.p, c.q, c.alpha, c.beta, c.t2));
    EXPECT_NEAR(exact / Quadrature(c.p, c.q, c.alpha, c.beta, c.t1, c.t2), 1.0, 1e-8)
        << c.p << " " << c.q << " " << c.alpha << " " << c.beta;
  }
}

TEST(ParetoNbd, PAliveBehavesAsTheModelSays) {
  EXPECT_DOUBLE_EQ(ParetoNbdPAlive(kCdnowPareto, {3, 10, 10}), 1.0) << "bought just now";
  const double recent = ParetoNbdPAlive(kCdnowPareto, {5, 29, 30});
  const double long_ago = ParetoNbdPAlive(kCdnowPareto, {5, 5, 30});
  EXPECT_GT(recent, long_ago);
  EXPECT_LT(long_ago, 0.2);
  EXPECT_LT(ParetoNbdPAlive(kCdnowPareto, {0, 0, 40}), 1.0) << "one-time buyers can be gone, unlike BG/NBD";
  EXPECT_GT(ParetoNbdPAlive(kCdnowPareto, {0, 0, 40}), ParetoNbdPAlive(kCdnowPareto, {0, 0, 70}));
}

TEST(ParetoNbd, LikelihoodSumsToOneOverTheOutcomesOfAShortWindow) {
  // For T small the probability of x = 0 plus the density mass of x = 1 is
  // almost 1; a direct check that the likelihood is normalised: P(X = 0).
  const double T = 5;
  const double p0 = std::exp(ParetoNbdLogLikelihood(kCdnowPareto, {0, 0, T}));
  // P(X(T) = 0) = E[P(no purchase in (0, T] | alive at 0)] for a new customer.
  EXPECT_NEAR(p0, ParetoNbdProbabilityNoPurchase(kCdnowPareto, {0, 0, 0}, T), 1e-10);
}

TEST(ParetoNbd, UnconditionalExpectationIsANewCustomersConditionalOne) {
  for (double t : {1.0, 39.0, 78.0}) {
    EXPECT_NEAR(ParetoNbdExpectedRepeatPurchasesUnconditional(kCdnowPareto, t),
                ParetoNbdExpectedPurchases(kCdnowPareto, {0, 0, 0}, t), 1e-9);
  }
  EXPECT_NEAR(ParetoNbdExpectedRepeatPurchasesUnconditional({0.5, 10, 1.0, 12}, 39),
              ParetoNbdExpectedRepeatPurchasesUnconditional({0.5, 10, 1.0 + 1e-7, 12}, 39), 1e-5)
      << "the s = 1 limit is continuous";
  // Customer 1 of the CDNOW sample: x = 2, t_x = 30.43, T = 38.86 weeks.
  const double e = ParetoNbdExpectedPurchases(kCdnowPareto, {2, 30.43, 38.86}, 39);
  EXPECT_GT(e, 0.9);
  EXPECT_LT(e, 1.5);
}

TEST(ParetoNbd, StableForLargeCounts) {
  const PurchaseSummary heavy{5000, 9999, 10000};
  EXPECT_TRUE(std::isfinite(ParetoNbdLogLikelihood(kCdnowPareto, heavy)));
  const double alive = ParetoNbdPAlive(kCdnowPareto, heavy);
  EXPECT_GT(alive, 0.99);
  EXPECT_NEAR(ParetoNbdExpectedPurchases(kCdnowPareto, heavy, 52), 52 * 0.5, 52 * 0.1);
  // Buying every two weeks: no purchase in a year only if death comes first,
  // about E[mu]/lambda = (0.606/10011.669)/0.5.
  EXPECT_LT(ParetoNbdProbabilityNoPurchase(kCdnowPareto, heavy, 52), 1e-3);
}

TEST(MbgNbd, OneTimeBuyersCanBeGoneAndTheRestMatchesBgNbdsShape) {
  EXPECT_LT(MbgNbdPAlive(kCdnowBg, {0, 0, 30}), 1.0);
  EXPECT_NEAR(MbgNbdPAlive(kCdnowBg, {0, 0, 0}), 2.426 / (0.793 + 2.426), 1e-12) << "b/(a+b) at T = 0";
  for (double t : {1.0, 39.0, 78.0}) {
    EXPECT_NEAR(MbgNbdExpectedRepeatPurchasesUnconditional(kCdnowBg, t), MbgNbdExpectedPurchases(kCdnowBg, {0, 0, 0}, t),
                1e-9);
  }
  EXPECT_LT(MbgNbdLogLikelihood(kCdnowBg, {3, 8, 10}), 0.0);
  EXPECT_NEAR(std::exp(MbgNbdLogLikelihood(kCdnowBg, {0, 0, 5})),
              ProbabilityNoPurchase(PurchaseModelParams{PurchaseModel::kMbgNbd, {}, kCdnowBg, {}}, {0, 0, 0}, 5), 1e-10)
      << "P(X(T) = 0) both ways";
}

TEST(PurchaseModel, NamesRoundTrip) {
  for (PurchaseModel m : {PurchaseModel::kBgNbd, PurchaseModel::kMbgNbd, PurchaseModel::kParetoNbd}) {
    EXPECT_EQ(ParsePurchaseModel(PurchaseModelName(m)), m);
  }
  EXPECT_EQ(ParsePurchaseModel("pareto"), PurchaseModel::kParetoNbd);
  EXPECT_FALSE(ParsePurchaseModel("weibull").has_value());
}

TEST(ParetoNbd, NoPurchaseIfAliveMatchesPosteriorMonteCarlo) {
  // Alive at T: lambda ~ Gamma(r+x, alpha+T), mu ~ Gamma(s, beta+T); given
  // those, none in h has probability mu/(l+mu) + l/(l+mu) e^{-(l+mu)h}.
  const PurchaseSummary s{2, 20, 40};
  const double h = 26;
  std::mt19937_64 rng(5);
  std::gamma_distribution<double> lambda(kCdnowPareto.r + s.x, 1.0 / (kCdnowPareto.alpha + s.T));
  std::gamma_distribution<double> mu(kCdnowPareto.s, 1.0 / (kCdnowPareto.beta + s.T));
  double sum = 0;
  const int n = 400000;
  for (int i = 0; i < n; ++i) {
    const double l = lambda(rng), m = mu(rng);
    sum += m / (l + m) + l / (l + m) * std::exp(-(l + m) * h);
  }
  const double alive = ParetoNbdPAlive(kCdnowPareto, s);
  const double none_if_alive = (ParetoNbdProbabilityNoPurchase(kCdnowPareto, s, h) - (1 - alive)) / alive;
  EXPECT_NEAR(none_if_alive, sum / n, 0.002);
}

// The population check of P(no purchase in (T, T+h]): simulate customers,
// score each from their calibration history with the true parameters, and
// compare the mean score with the share who bought nothing in the holdout,
// for one-time buyers and repeat buyers separately.
void ExpectCalibrated(const PurchaseModelParams& model, const std::vector<testing::SimulatedCustomer>& customers,
                      double h) {
  for (const bool repeat : {false, true}) {
    double predicted = 0, observed = 0, n = 0;
    for (const auto& c : customers) {
      if ((c.calibration.x > 0) != repeat) continue;
      predicted += ProbabilityNoPurchase(model, c.calibration, h);
      observed += c.holdout_purchases == 0 ? 1 : 0;
      n += 1;
    }
    ASSERT_GT(n, 1000);
    // Binomial standard error at n >= 1000 is below 0.016; four of them.
    EXPECT_NEAR(predicted / n, observed / n, 4 * std::sqrt(0.25 / n))
        << PurchaseModelTitle(model.model) << (repeat ? " repeat buyers" : " one-time buyers");
  }
}

TEST(PurchaseModel, ProbabilityNoPurchaseMatchesSimulation) {
  const double T = 52, h = 39;
  const ParetoNbdParams pareto{0.8, 8.0, 0.7, 10.0};
  ExpectCalibrated({PurchaseModel::kParetoNbd, {}, {}, pareto}, testing::SimulateParetoNbd(pareto, 20000, T, h, 21), h);
  const BgNbdParams bg{0.8, 6.0, 0.9, 2.5};
  ExpectCalibrated({PurchaseModel::kBgNbd, bg, {}, {}}, testing::SimulateBgFamily(bg, false, 20000, T, h, 22), h);
  ExpectCalibrated({PurchaseModel::kMbgNbd, {}, bg, {}}, testing::SimulateBgFamily(bg, true, 20000, T, h, 23), h);
}

}  // namespace
}  // namespace crm::operators

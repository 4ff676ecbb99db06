// BG/NBD and Gamma-Gamma formulas, checked against the papers' worked
// numbers and against limits that any correct implementation must respect.
#include "operators/bgnbd.h"

#include <gtest/gtest.h>

#include <cmath>

#include "operators/gamma_gamma.h"

namespace crm::operators {
namespace {

const BgNbdParams kCdnow{0.243, 4.414, 0.793, 2.426};  // Fader, Hardie & Lee (2005)

TEST(Hypergeometric2F1, MatchesClosedForms) {
  for (double z : {0.0, 0.1, 0.5, 0.9}) {
    const double expected = z == 0 ? 1.0 : -std::log(1 - z) / z;  // 2F1(1,1;2;z)
    EXPECT_NEAR(Hypergeometric2F1(1, 1, 2, z), expected, 1e-12) << z;
    EXPECT_NEAR(Hypergeometric2F1(2, 3, 3, z), std::pow(1 - z, -2), 1e-10) << z;  // (1-z)^-a when b = c
  }
}

TEST(BgNbd, PapersWorkedExample) {
  // Customer 1 of the CDNOW sample: x = 2, t_x = 30.43, T = 38.86 weeks;
  // the paper expects 1.226 purchases in the next 39 weeks.
  const PurchaseSummary s{2, 30.43, 38.86};
  EXPECT_NEAR(ExpectedPurchases(kCdnow, s, 39), 1.226, 0.002);
}

TEST(BgNbd, PAliveBehavesAsTheModelSays) {
  EXPECT_DOUBLE_EQ(PAlive(kCdnow, {0, 0, 30}), 1.0) << "no repeat purchase: cannot have dropped out";
  const double recent = PAlive(kCdnow, {5, 29, 30});
  const double long_ago = PAlive(kCdnow, {5, 5, 30});
  EXPECT_GT(recent, long_ago);
  EXPECT_GT(recent, 0.85);  // at most 1 / (1 + a/(b+x-1)) = 0.89 here
  EXPECT_LT(long_ago, 0.5);
  EXPECT_NEAR(PAlive(kCdnow, {3, 10, 10}), 1.0 / (1.0 + 0.793 / (2.426 + 2)), 1e-12) << "t_x = T";
}

TEST(BgNbd, UnconditionalExpectationIsANewCustomersConditionalOne) {
  // A customer with no history at age 0 is a random member of the population.
  for (double t : {1.0, 10.0, 39.0, 78.0}) {
    EXPECT_NEAR(ExpectedRepeatPurchasesUnconditional(kCdnow, t), ExpectedPurchases(kCdnow, {0, 0, 0}, t), 1e-9) << t;
  }
  EXPECT_EQ(ExpectedRepeatPurchasesUnconditional(kCdnow, 0), 0.0);
  EXPECT_LT(ExpectedRepeatPurchasesUnconditional(kCdnow, 39), ExpectedRepeatPurchasesUnconditional(kCdnow, 78));
}

TEST(BgNbd, StableForLargeCounts) {
  const PurchaseSummary heavy{5000, 9999, 10000};
  const double ll = BgNbdLogLikelihood(kCdnow, heavy);
  EXPECT_TRUE(std::isfinite(ll));
  const double alive = PAlive(kCdnow, heavy);
  EXPECT_TRUE(std::isfinite(alive));
  EXPECT_GT(alive, 0.0);
  const double expected = ExpectedPurchases(kCdnow, heavy, 52);
  EXPECT_TRUE(std::isfinite(expected));
  EXPECT_NEAR(expected, 52 * 0.5 * alive, 52 * 0.5) << "about the customer's own rate of ~0.5/unit";
  EXPECT_GT(expected, 0.0);
}

TEST(BgNbd, LikelihoodIsAProbabilityDensity) {
  EXPECT_LT(BgNbdLogLikelihood(kCdnow, {0, 0, 10}), 0.0);
  EXPECT_LT(BgNbdLogLikelihood(kCdnow, {3, 8, 10}), 0.0);
  EXPECT_EQ(ExpectedPurchases(kCdnow, {3, 8, 10}, 0), 0.0);
}

TEST(GammaGamma, ExpectedSpendShrinksTowardsThePopulationMean) {
  const GammaGammaParams g{6.25, 3.74, 15.44};  // Fader & Hardie (2013), CDNOW
  const double population = 6.25 * 15.44 / (3.74 - 1);
  EXPECT_NEAR(ExpectedSpend(g, 0, 0), population, 1e-9);
  const double one = ExpectedSpend(g, 1, 100);
  const double many = ExpectedSpend(g, 50, 100);
  EXPECT_GT(one, population);
  EXPECT_LT(one, many);
  EXPECT_LT(many, 100.0);
  EXPECT_GT(many, 95.0) << "many purchases: close to the customer's own mean";
}

TEST(Clv, DiscountingAndMarginScaleValue) {
  const GammaGammaParams g{6.25, 3.74, 15.44};
  const PurchaseSummary s{4, 30, 38};
  ClvOptions undiscounted{39, 1.0, 0.0, 52};
  const double plain = CustomerLifetimeValue(kCdnow, g, s, 30, undiscounted);
  EXPECT_NEAR(plain, ExpectedPurchases(kCdnow, s, 39) * ExpectedSpend(g, 4, 30), 1e-9);
  ClvOptions discounted = undiscounted;
  discounted.annual_discount = 0.15;
  EXPECT_LT(CustomerLifetimeValue(kCdnow, g, s, 30, discounted), plain);
  ClvOptions half_margin = undiscounted;
  half_margin.margin = 0.5;
  EXPECT_NEAR(CustomerLifetimeValue(kCdnow, g, s, 30, half_margin), plain / 2, 1e-9);
}

}  // namespace
}  // namespace crm::operators

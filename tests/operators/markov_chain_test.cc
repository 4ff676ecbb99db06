// The Markov chain maths against cases that can be worked by hand.
#include "operators/markov_chain.h"

#include <gtest/gtest.h>

#include <cmath>

namespace crm::operators {
namespace {

TEST(MarkovChainTest, RowsAreDividedByTheirSumsAndEmptyRowsStayPut) {
  const Matrix p = RowStochastic({{3, 1, 0}, {0, 0, 0}, {2, 2, 4}});
  EXPECT_DOUBLE_EQ(p[0][0], 0.75);
  EXPECT_DOUBLE_EQ(p[0][1], 0.25);
  EXPECT_DOUBLE_EQ(p[1][1], 1.0);
  EXPECT_DOUBLE_EQ(p[1][0] + p[1][2], 0.0);
  EXPECT_DOUBLE_EQ(p[2][0], 0.25);
  EXPECT_DOUBLE_EQ(p[2][2], 0.5);
}

// P = [[1-a, a], [b, 1-b]] settles in (b, a) / (a + b).
TEST(MarkovChainTest, TwoStateSteadyStateIsTheClosedForm) {
  const double a = 0.2, b = 0.1;
  const SteadyState s = SteadyStateFrom({{1 - a, a}, {b, 1 - b}}, {1, 0});
  ASSERT_TRUE(s.converged);
  EXPECT_NEAR(s.distribution[0], b / (a + b), 1e-10);
  EXPECT_NEAR(s.distribution[1], a / (a + b), 1e-10);
}

// A birth-death chain: detailed balance gives (1/4, 1/2, 1/4).
TEST(MarkovChainTest, ThreeStateSteadyStateFollowsDetailedBalance) {
  const SteadyState s = SteadyStateFrom({{0.5, 0.5, 0}, {0.25, 0.5, 0.25}, {0, 0.5, 0.5}}, {0, 0, 7});
  ASSERT_TRUE(s.converged);
  EXPECT_NEAR(s.distribution[0], 0.25, 1e-10);
  EXPECT_NEAR(s.distribution[1], 0.5, 1e-10);
  EXPECT_NEAR(s.distribution[2], 0.25, 1e-10);
}

// Plain power iteration would oscillate on a periodic chain; the lazy chain settles.
TEST(MarkovChainTest, PeriodicChainStillConverges) {
  const SteadyState s = SteadyStateFrom({{0, 1}, {1, 0}}, {1, 0});
  ASSERT_TRUE(s.converged);
  EXPECT_NEAR(s.distribution[0], 0.5, 1e-10);
}

// With an absorbing state the base ends where it can no longer leave; an
// all-zero start is read as uniform.
TEST(MarkovChainTest, AbsorbingStateTakesEveryone) {
  const SteadyState s = SteadyStateFrom({{0.9, 0.1}, {0, 1}}, {0, 0});
  ASSERT_TRUE(s.converged);
  EXPECT_NEAR(s.distribution[1], 1.0, 1e-10);
}

// The retention model (Pfeifer & Carraway's "lost for good" chain): retained
// with probability r, margin m each period, lost customers worth nothing.
// V = m (1 + d) / (1 + d - r), the margin multiple of Gupta & Lehmann (2003).
TEST(MarkovChainTest, RetentionModelValueIsTheMarginMultiple) {
  const double r = 0.8, d = 0.1, m = 100;
  auto v = DiscountedValue({{r, 1 - r}, {0, 1}}, {m, 0}, d);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_NEAR((*v)[0], m * (1 + d) / (1 + d - r), 1e-9);  // 366.67
  EXPECT_NEAR((*v)[1], 0, 1e-12);
}

// (I - P/1.25) V = R worked by hand: A = [[0.28, -0.08], [-0.24, 0.44]],
// det 0.104, V = (4.56, 2.96) / 0.104.
TEST(MarkovChainTest, TwoStateValueSolvesTheLinearSystem) {
  auto v = DiscountedValue({{0.9, 0.1}, {0.3, 0.7}}, {10, 2}, 0.25);
  ASSERT_TRUE(v.ok());
  EXPECT_NEAR((*v)[0], 4.56 / 0.104, 1e-9);
  EXPECT_NEAR((*v)[1], 2.96 / 0.104, 1e-9);
}

// The closed form equals the discounted series sum_t (1+d)^-t P^t R.
TEST(MarkovChainTest, ValueEqualsTheDiscountedSeries) {
  const Matrix p = {{0.7, 0.2, 0.1}, {0.1, 0.6, 0.3}, {0.05, 0.15, 0.8}};
  const std::vector<double> reward = {50, 20, 3};
  const double d = 0.05;
  auto v = DiscountedValue(p, reward, d);
  ASSERT_TRUE(v.ok());
  std::vector<double> term = reward, series = reward;
  for (int t = 1; t < 2000; ++t) {
    std::vector<double> next(3, 0);
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) next[i] += p[i][j] * term[j] / (1 + d);
    }
    term = next;
    for (int i = 0; i < 3; ++i) series[i] += term[i];
  }
  for (int i = 0; i < 3; ++i) EXPECT_NEAR((*v)[i], series[i], 1e-6) << i;
}

TEST(MarkovChainTest, BadDiscountOrShapesAreRefused) {
  EXPECT_EQ(DiscountedValue({{1}}, {1}, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DiscountedValue({{1}}, {1}, std::nan("")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DiscountedValue({{1}}, {1, 2}, 0.1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DiscountedValue({{1, 0}, {1}}, {1, 2}, 0.1).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::operators

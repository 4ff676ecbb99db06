#include "operators/model_params.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "operators/money.h"

namespace crm::operators {
namespace {

ModelParams CdnowParams() {
  ModelParams p;
  p.bgnbd = {0.243, 4.414, 0.793, 2.426};
  p.gamma_gamma = {6.25, 3.74, 15.44};
  p.days_per_unit = 7;
  return p;
}

TEST(ModelParams, ValidationNamesTheBadParameter) {
  EXPECT_TRUE(ValidateModelParams(CdnowParams()).ok());
  ModelParams p = CdnowParams();
  p.bgnbd.alpha = -1;
  EXPECT_NE(ValidateModelParams(p).message().find("bgnbd.alpha"), std::string::npos);
  p = CdnowParams();
  p.gamma_gamma.q = 0.9;
  EXPECT_NE(ValidateModelParams(p).message().find("gamma_gamma.q must be above 1"), std::string::npos);
  p = CdnowParams();
  p.bgnbd.r = std::nan("");
  EXPECT_NE(ValidateModelParams(p).message().find("bgnbd.r"), std::string::npos);
  p = CdnowParams();
  p.days_per_unit = 0;
  EXPECT_FALSE(ValidateModelParams(p).ok());
}

TEST(PurchaseSummaryAt, MeasuresFromTheFirstPurchaseInTheUnit) {
  CustomerState s;
  EXPECT_EQ(PurchaseSummaryAt(s, EventTime{0}, 7).x, 0);
  s.purchase_count = 4;
  s.first_purchase = EventTime{Days(10).ms};
  s.last_purchase = EventTime{Days(24).ms};
  const PurchaseSummary weeks = PurchaseSummaryAt(s, EventTime{Days(38).ms}, 7);
  EXPECT_DOUBLE_EQ(weeks.x, 3);
  EXPECT_DOUBLE_EQ(weeks.t_x, 2);
  EXPECT_DOUBLE_EQ(weeks.T, 4);
  const PurchaseSummary days = PurchaseSummaryAt(s, EventTime{Days(38).ms}, 1);
  EXPECT_DOUBLE_EQ(days.t_x, 14);
  EXPECT_DOUBLE_EQ(days.T, 28);
  // An evaluation time before the last purchase never makes T < t_x.
  EXPECT_DOUBLE_EQ(PurchaseSummaryAt(s, EventTime{Days(20).ms}, 7).T, 2);
}

TEST(ValueAt, AgreesWithTheModelFunctions) {
  const ModelParams p = CdnowParams();
  CustomerState s;
  s.purchase_count = 3;
  s.total_spend = 90;
  s.first_purchase = EventTime{0};
  s.last_purchase = EventTime{Days(70).ms};
  const EventTime now{Days(140).ms};
  ValueConfig config;  // 365 days, margin 1, 10% a year
  const CustomerValue v = ValueAt(p, config, s, now);
  const PurchaseSummary summary{2, 10, 20};
  EXPECT_DOUBLE_EQ(v.p_alive, PAlive(p.bgnbd, summary));
  EXPECT_DOUBLE_EQ(PAliveAt(p, s, now), v.p_alive);
  EXPECT_NEAR(v.expected_purchases, ExpectedPurchases(p.bgnbd, summary, 365.0 / 7), 1e-12);
  EXPECT_DOUBLE_EQ(v.expected_spend, ExpectedSpend(p.gamma_gamma, 2, 30));
  // Undiscounted CLV would be purchases x spend; discounting takes a little off.
  EXPECT_LT(v.clv, v.expected_purchases * v.expected_spend);
  EXPECT_GT(v.clv, 0.9 * v.expected_purchases * v.expected_spend);
  config.margin = 0.25;
  EXPECT_NEAR(ValueAt(p, config, s, now).clv, 0.25 * v.clv, 1e-9);
  // Silence lowers P(alive) and with it the value.
  const CustomerValue later = ValueAt(p, ValueConfig{}, s, EventTime{Days(400).ms});
  EXPECT_LT(later.p_alive, v.p_alive);
  EXPECT_LT(later.clv, v.clv);
}

// Issue 10 item 3: a total of infinity (stored before amounts were bounded)
// or of the largest double gives finite values, never inf or NaN.
TEST(ValueAt, OutputsAreFiniteWhateverTheTotalSpend) {
  const ModelParams p = CdnowParams();
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double total : {std::numeric_limits<double>::max(), inf, nan, kMaxMoney}) {
    CustomerState s;
    s.purchase_count = 2;
    s.total_spend = total;
    s.first_purchase = EventTime{0};
    s.last_purchase = EventTime{Days(7).ms};
    const CustomerValue v = ValueAt(p, ValueConfig{}, s, EventTime{Days(30).ms});
    for (double x : {v.p_alive, v.expected_purchases, v.expected_spend, v.clv}) {
      EXPECT_TRUE(std::isfinite(x)) << "total " << total << ": " << x;
    }
    EXPECT_LE(v.clv, kMaxMoney) << total;
    EXPECT_GE(v.clv, 0) << total;
  }
}

// Degenerate parameters (they pass no validation, but a value is still
// defined): NaN falls back to what is known without the model.
TEST(ValueAt, NanModelOutputsFallBackToHistory) {
  ModelParams p = CdnowParams();
  p.bgnbd.alpha = std::numeric_limits<double>::quiet_NaN();
  CustomerState s;
  s.purchase_count = 2;
  s.total_spend = 50;
  s.first_purchase = EventTime{0};
  s.last_purchase = EventTime{Days(7).ms};
  const CustomerValue v = ValueAt(p, ValueConfig{}, s, EventTime{Days(30).ms});
  EXPECT_EQ(v.p_alive, 1.0);
  EXPECT_EQ(v.expected_purchases, 0.0);
  EXPECT_EQ(v.clv, 50.0);
  EXPECT_TRUE(std::isfinite(v.expected_spend));
}

TEST(Money, AddSaturatesAndHealsNonFiniteTotals) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double max = std::numeric_limits<double>::max();
  EXPECT_EQ(AddMoney(1.5, 2.25), 3.75);
  EXPECT_EQ(AddMoney(max, max), kMaxMoney);
  EXPECT_EQ(AddMoney(kMaxMoney, 1e9), kMaxMoney);
  EXPECT_EQ(AddMoney(inf, 10), kMaxMoney);
  EXPECT_EQ(AddMoney(nan, 10), 10);
  EXPECT_EQ(ClampMoney(-inf), -kMaxMoney);
  EXPECT_EQ(ClampMoney(nan), 0);
  EXPECT_EQ(ClampMoney(nan, 7), 7);
  EXPECT_EQ(ClampMoney(nan, nan), 0);
}

}  // namespace
}  // namespace crm::operators

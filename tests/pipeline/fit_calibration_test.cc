// Calibration of the churn risk `fit` reports: the scores on a hand example,
// predicted against observed on populations simulated with known parameters
// (tests/common/purchase_simulator.h), a fitted model on its own holdout,
// the published CDNOW parameters, and the report's SVG well formed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "pipeline/calibration_chart.h"
#include "pipeline/churn_calibration.h"
#include "pipeline/fit_report.h"
#include "pipeline/fit_tracking.h"
#include "pipeline/model_comparison.h"
#include "pipeline/model_fit.h"
#include "tests/common/cdnow_sample.h"
#include "tests/common/purchase_simulator.h"
#include "tests/pipeline/xml_check.h"

namespace crm::pipeline {
namespace {

using operators::PurchaseModel;
constexpr double kHorizon = 90.0 / 7;  // the service's default churn horizon, in weeks

TEST(ChurnCalibration, ScoresOfAHandExample) {
  const ChurnCalibration c = CalibrateChurn({0.9, 0.1, 0.8, 0.2}, {true, false, true, false}, 2);
  EXPECT_DOUBLE_EQ(c.brier, (0.01 + 0.01 + 0.04 + 0.04) / 4);
  EXPECT_DOUBLE_EQ(c.base_rate, 0.5);
  EXPECT_DOUBLE_EQ(c.brier_reference, 0.25);
  EXPECT_DOUBLE_EQ(c.brier_skill, 1 - 0.025 / 0.25);
  ASSERT_EQ(c.bins.size(), 2u);
  EXPECT_DOUBLE_EQ(c.bins[0].mean_predicted, 0.15);
  EXPECT_DOUBLE_EQ(c.bins[0].observed, 0);
  EXPECT_DOUBLE_EQ(c.bins[1].mean_predicted, 0.85);
  EXPECT_DOUBLE_EQ(c.bins[1].observed, 1);
  EXPECT_NEAR(c.ece, 0.15, 1e-12);
}

TEST(ChurnCalibration, EdgeCases) {
  EXPECT_EQ(CalibrateChurn({}, {}).customers, 0);
  EXPECT_TRUE(std::isnan(CalibrateChurn({}, {}).brier));
  const ChurnCalibration all = CalibrateChurn({0.7, 0.9}, {true, true});
  EXPECT_TRUE(std::isnan(all.brier_skill)) << "no reference to beat when everyone churned";
  EXPECT_EQ(all.bins.size(), 2u) << "never more bins than customers";
  EXPECT_EQ(CalibrateChurn({0.5, 0.5, 0.5}, {true, false, true}, 3).bins[0].observed, 1)
      << "ties keep the customers' order: deterministic bins";
}

struct Population {
  std::vector<operators::PurchaseSummary> calibration;
  std::vector<bool> churned;  // no purchase within kHorizon after T
};

// Three cohorts (T = 26, 39, 52 weeks), 7000 customers each, observed
// kHorizon further.
Population Simulate(PurchaseModel model, uint64_t seed) {
  Population p;
  for (double T : {26.0, 39.0, 52.0}) {
    const auto part = model == PurchaseModel::kParetoNbd
                          ? testing::SimulateParetoNbd({0.55, 10.6, 0.61, 11.7}, 7000, T, kHorizon, seed)
                          : testing::SimulateBgFamily({0.243, 4.41, 0.793, 2.43}, model == PurchaseModel::kMbgNbd,
                                                      7000, T, kHorizon, seed);
    for (const auto& c : part) {
      p.calibration.push_back(c.calibration);
      p.churned.push_back(c.holdout_purchases == 0);
    }
    ++seed;
  }
  return p;
}

operators::PurchaseModelParams Params(PurchaseModel model, double rate_scale = 1) {
  operators::PurchaseModelParams p;
  p.model = model;
  p.bgnbd = p.mbgnbd = {0.243, 4.41 / rate_scale, 0.793, 2.43};
  p.pareto_nbd = {0.55, 10.6 / rate_scale, 0.61, 11.7};
  return p;
}

// Mean over bins of the binomial standard error of a bin's observed share
// if the predictions were right: sqrt(p (1 - p) / n).
double MeanStandardError(const ChurnCalibration& c) {
  double sum = 0;
  for (const auto& b : c.bins) {
    sum += std::sqrt(b.mean_predicted * (1 - b.mean_predicted) / static_cast<double>(b.customers));
  }
  return sum / static_cast<double>(c.bins.size());
}

ChurnCalibration Calibrate(const Population& p, const operators::PurchaseModelParams& params) {
  std::vector<double> predicted;
  for (const auto& s : p.calibration) predicted.push_back(operators::ProbabilityNoPurchase(params, s, kHorizon));
  return CalibrateChurn(predicted, p.churned);
}

// With the true parameters each bin's observed share is a mean of
// independent Bernoulli(p_i), whose standard error is at most
// sqrt(p (1 - p) / n) at the bin's mean p: every bin within 4 of them.
// ECE is then a weighted mean of ten |N(0, se)|, about 0.8 se with a
// spread of about 0.2 se, so 2 se is over five spreads above its mean.
TEST(ChurnCalibration, TrueParametersAreCalibratedOnSimulatedPopulations) {
  for (PurchaseModel model : {PurchaseModel::kBgNbd, PurchaseModel::kMbgNbd, PurchaseModel::kParetoNbd}) {
    SCOPED_TRACE(std::string(operators::PurchaseModelTitle(model)));
    const Population p = Simulate(model, 21);
    const ChurnCalibration c = Calibrate(p, Params(model));
    ASSERT_EQ(c.bins.size(), 10u);
    const double se = MeanStandardError(c);
    std::printf("%s: base rate %.3f, mean predicted %.3f, Brier %.4f, skill %.3f, ECE %.4f (mean se %.4f)\n",
                std::string(operators::PurchaseModelTitle(model)).c_str(), c.base_rate, c.mean_predicted, c.brier,
                c.brier_skill, c.ece, se);
    for (const auto& b : c.bins) {
      const double bin_se = std::sqrt(b.mean_predicted * (1 - b.mean_predicted) / static_cast<double>(b.customers));
      EXPECT_NEAR(b.observed, b.mean_predicted, 4 * bin_se + 1e-9);
    }
    EXPECT_LT(c.ece, 2 * se);
    EXPECT_GT(c.brier_skill, 0.1) << "the model's risk beats the base rate";
  }
}

TEST(ChurnCalibration, WrongParametersAreCaught) {
  // The conditional forecast adapts to each customer's own history, so a
  // wrong alpha hardly shows; a wrong drop-out (a x 4: 57 % instead of 25 %
  // after each purchase) or purchase rate (r x 2) does.
  const Population p = Simulate(PurchaseModel::kBgNbd, 21);
  operators::PurchaseModelParams drop = Params(PurchaseModel::kBgNbd);
  drop.bgnbd.a *= 4;
  const ChurnCalibration over = Calibrate(p, drop);
  EXPECT_GT(over.mean_predicted - over.base_rate, 0.03) << "churn over-predicted";
  EXPECT_GT(over.ece, 5 * MeanStandardError(over)) << over.ece;
  operators::PurchaseModelParams rate = Params(PurchaseModel::kBgNbd);
  rate.bgnbd.r *= 2;
  const ChurnCalibration under = Calibrate(p, rate);
  EXPECT_LT(under.mean_predicted - under.base_rate, -0.02) << "churn under-predicted";
  EXPECT_GT(under.ece, 4 * MeanStandardError(under)) << under.ece;
}

TEST(ChurnCalibration, AFittedModelIsCalibratedOnItsOwnHoldout) {
  const Population p = Simulate(PurchaseModel::kBgNbd, 5);
  std::vector<operators::PurchaseSummary> days;  // t_x in whole days, as real logs have it
  std::vector<HoldoutCustomer> holdout;
  for (size_t i = 0; i < p.calibration.size(); ++i) {
    operators::PurchaseSummary s = p.calibration[i];
    s.t_x = std::min(s.T, std::ceil(s.t_x * 7) / 7);
    days.push_back(s);
    HoldoutCustomer h{s, p.churned[i] ? 0 : 1};
    if (!p.churned[i]) h.first_holdout_purchase = kHorizon;  // within the horizon
    holdout.push_back(h);
  }
  auto fit = FitPurchaseModel(PurchaseModel::kBgNbd, days);
  ASSERT_TRUE(fit.ok());
  const ModelComparisonRow row = CompareOnHoldout(*fit, holdout, kHorizon, kHorizon);
  ASSERT_EQ(row.churn_horizon, kHorizon);
  ASSERT_EQ(row.churn.customers, 21000);
  // As with the true parameters, plus the estimation error of 21,000
  // customers' parameters (mean |error| of the 90-day risk below 0.005 at
  // this size; docs/purchase-models.md "Degenerate fits").
  EXPECT_LT(row.churn.ece, 2 * MeanStandardError(row.churn) + 0.005) << row.churn.ece;
  const std::string table = ComparisonTable({row}, 0, "weeks", kHorizon);
  EXPECT_NE(table.find("P(none in 12.9 weeks): Brier  skill    ECE"), std::string::npos) << table;
}

TEST(CdnowChurnCalibration, PublishedBgNbdParametersOn90Days) {
  const auto customers = CdnowCalibrationSummaries();
  ASSERT_EQ(customers.size(), 2357u);
  std::vector<HoldoutCustomer> holdout;
  for (const auto& c : customers) {
    HoldoutCustomer h{c.purchases, c.holdout_purchases};
    if (c.days_to_first_holdout_purchase >= 0) h.first_holdout_purchase = c.days_to_first_holdout_purchase / 7.0;
    holdout.push_back(h);
  }
  PurchaseModelFit fit{Params(PurchaseModel::kBgNbd), -9582.4, 0};
  fit.params.bgnbd = {0.2426, 4.4136, 0.7929, 2.4259};
  const ModelComparisonRow row = CompareOnHoldout(fit, holdout, 39, kHorizon);
  // 1959 of the 2357 bought nothing in the 90 days after 1997-09-30.
  EXPECT_NEAR(row.churn.base_rate, 1959.0 / 2357, 1e-9);
  EXPECT_NEAR(row.churn.brier, 0.110, 0.001);
  EXPECT_NEAR(row.churn.brier_skill, 0.219, 0.002);
  EXPECT_NEAR(row.churn.ece, 0.025, 0.002);
}

TEST(FitReportSvg, IsWellFormedWithBothChartsAndEscapedWarnings) {
  TrackingSeries tracking;
  tracking.time = {0, 1, 2};
  tracking.actual = {0, 3, 7};
  tracking.expected = {0, 2.5, 6};
  tracking.calibration_end = 1;
  tracking.time_unit = "weeks";
  tracking.title = "Cumulative repeat purchases: actual vs BG/NBD";
  CalibrationChart chart{"12.9 weeks = 90 days", "the holdout is <short> & so on", {}};
  for (PurchaseModel model : {PurchaseModel::kBgNbd, PurchaseModel::kMbgNbd, PurchaseModel::kParetoNbd}) {
    const Population p = Simulate(model, 3);
    chart.curves.push_back({std::string(operators::PurchaseModelTitle(model)), model == PurchaseModel::kMbgNbd,
                            Calibrate(p, Params(model))});
  }
  const FitReport report{tracking, chart, {"only 2 customers (fewer than 200)", "a <b> & \"c\""}};
  const std::string svg = FitReportSvg(report);
  const testing::XmlCheck check = testing::CheckXml(svg);
  ASSERT_EQ(check.error, "") << svg;
  EXPECT_EQ(check.elements.at("svg"), 3) << "the report and its two charts";
  EXPECT_EQ(check.elements.at("circle"), 30) << "ten bins of three models";
  EXPECT_EQ(check.elements.at("polyline"), 2 + 3);
  EXPECT_NE(svg.find("warning: a &lt;b&gt; &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(svg.find("MBG/NBD*: Brier"), std::string::npos);
  EXPECT_NE(svg.find("perfectly calibrated"), std::string::npos);

  const std::string tracking_only = FitReportSvg({tracking, std::nullopt, {}});
  const testing::XmlCheck only = testing::CheckXml(tracking_only);
  ASSERT_EQ(only.error, "") << tracking_only;
  EXPECT_EQ(only.elements.at("svg"), 2);
  EXPECT_EQ(only.elements.count("circle"), 0u);
}

TEST(FitTracking, ASpanOfMillenniaIsDrawnInAtMost500Points) {
  TransactionSummaries data;
  CustomerSummary a, b;
  a.customer_id = "a";
  b.customer_id = "b";
  ASSERT_TRUE(ParseDay("0001-01-01", a.first_purchase_day));
  ASSERT_TRUE(ParseDay("5000-01-01", b.first_purchase_day));
  ASSERT_TRUE(ParseDay("9999-12-31", data.last_day));
  data.customers = {a, b};
  data.repeat_purchases_by_day[data.last_day] = 1;
  SummaryOptions options;
  options.days_per_unit = 1;
  options.calibration_end_day = data.last_day - 365;
  operators::PurchaseModelParams params;
  params.bgnbd = {0.243, 4.41, 0.793, 2.43};
  const TrackingSeries s = Tracking(data, params, options, "days");
  EXPECT_LE(s.time.size(), 501u);
  EXPECT_GE(s.time.back(), static_cast<double>(data.last_day - a.first_purchase_day));
  EXPECT_EQ(s.actual.back(), 1);
}

TEST(XmlCheck, CatchesWhatItShould) {
  EXPECT_EQ(testing::CheckXml("<a><b x=\"1\"/>t &amp; u</a>").error, "");
  EXPECT_NE(testing::CheckXml("<a><b></a></b>").error, "");
  EXPECT_NE(testing::CheckXml("<a x=1/>").error, "");
  EXPECT_NE(testing::CheckXml("<a>x & y</a>").error, "");
  EXPECT_NE(testing::CheckXml("<a>x < y</a>").error, "");
  EXPECT_NE(testing::CheckXml("<a/><b/>").error, "");
  EXPECT_NE(testing::CheckXml("<a x=\"1\" x=\"2\"/>").error, "");
  EXPECT_NE(testing::CheckXml("<a>").error, "");
}

}  // namespace
}  // namespace crm::pipeline

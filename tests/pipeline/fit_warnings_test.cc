// Warnings for degenerate fits (pipeline/fit_warnings.h): the thresholds,
// a parameter run off to the optimiser's bound, a two-customer file; and,
// disabled by default, the simulation the thresholds were chosen on.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "pipeline/fit_warnings.h"
#include "pipeline/model_fit.h"
#include "pipeline/transaction_summaries.h"
#include "tests/common/purchase_simulator.h"

namespace crm::pipeline {
namespace {

using operators::PurchaseModel;

PurchaseModelFit BgFit(const operators::BgNbdParams& p) {
  PurchaseModelFit fit;
  fit.params.bgnbd = p;
  return fit;
}

const GammaGammaFit kSpend{{6.25, 3.74, 15.44}, -4000, 946};

std::vector<std::string> Codes(const std::vector<FitWarning>& warnings) {
  std::vector<std::string> out;
  for (const auto& w : warnings) out.push_back(w.code);
  return out;
}

TEST(DegenerateFitWarnings, Thresholds) {
  const std::vector<PurchaseModelFit> good{BgFit({0.243, 4.414, 0.793, 2.426})};
  EXPECT_TRUE(DegenerateFitWarnings(200, 50, good, kSpend).empty());
  EXPECT_EQ(Codes(DegenerateFitWarnings(199, 50, good, kSpend)), std::vector<std::string>{"few_customers"});
  EXPECT_EQ(Codes(DegenerateFitWarnings(2357, 49, good, kSpend)), std::vector<std::string>{"few_repeat_customers"});
  EXPECT_EQ(DegenerateFitWarnings(199, 50, good, kSpend)[0].message,
            "only 199 customers (fewer than 200): the parameters and the churn risk they give are unreliable");
}

TEST(DegenerateFitWarnings, AParameterAtTheBoundIsNamed) {
  const auto w = DegenerateFitWarnings(2357, 946, {BgFit({0.243, 4.414, 3.1e8, 2.426})}, kSpend);
  ASSERT_EQ(Codes(w), std::vector<std::string>{"parameter_at_bound"});
  EXPECT_EQ(w[0].message.rfind("BG/NBD a = 3.1e+08 ran off towards the optimiser's bound (outside e^-15..e^15)", 0), 0u)
      << w[0].message;
  PurchaseModelFit pareto;
  pareto.params.model = PurchaseModel::kParetoNbd;
  pareto.params.pareto_nbd = {0.55, 10.6, 2e-8, 1e7};
  const auto p = DegenerateFitWarnings(2357, 946, {pareto}, {{6, 4, 1e9}, 0, 946});
  ASSERT_EQ(Codes(p), (std::vector<std::string>{"parameter_at_bound", "parameter_at_bound"}));
  EXPECT_NE(p[0].message.find("Pareto/NBD s = 2e-08, beta = 1e+07 ran off"), std::string::npos) << p[0].message;
  EXPECT_NE(p[1].message.find("Gamma-Gamma gamma = 1e+09"), std::string::npos) << p[1].message;
}

TEST(DegenerateFitWarnings, ATwoCustomerFileIsFlagged) {
  const auto path = std::filesystem::temp_directory_path() / "crm-two-customers.csv";
  std::ofstream(path) << "customer_id,date,amount\na,2024-01-01,10\na,2024-01-20,12\na,2024-02-25,9\n"
                         "b,2024-01-05,30\nb,2024-03-01,25\n";
  SummaryOptions options;
  options.format = TransactionFormat::kCsv;
  ASSERT_TRUE(ParseDay("2024-03-31", options.calibration_end_day));
  auto data = SummariseTransactions(path.string(), options);
  std::filesystem::remove(path);
  ASSERT_TRUE(data.ok()) << data.status().message();
  std::vector<operators::PurchaseSummary> purchases;
  std::vector<SpendSummary> spend;
  for (const auto& c : data->customers) {
    purchases.push_back(c.purchases);
    spend.push_back({c.purchases.x, c.mean_spend});
  }
  auto bg = FitPurchaseModel(PurchaseModel::kBgNbd, purchases);
  auto gg = FitGammaGamma(spend);
  ASSERT_TRUE(bg.ok() && gg.ok());
  const auto& p = bg->params.bgnbd;
  std::printf("two customers: r=%g alpha=%g a=%g b=%g\n", p.r, p.alpha, p.a, p.b);
  const auto codes = Codes(DegenerateFitWarnings(2, 2, {*bg}, *gg));
  ASSERT_GE(codes.size(), 3u);
  EXPECT_EQ(codes[0], "few_customers");
  EXPECT_EQ(codes[1], "few_repeat_customers");
  EXPECT_EQ(codes[2], "parameter_at_bound") << "with two customers the likelihood has no interior maximum";
}

// The simulation behind the thresholds (docs/purchase-models.md "Degenerate
// fits"); about 15 s. Run with --gtest_also_run_disabled_tests.
TEST(DegenerateFitWarnings, DISABLED_ThresholdTable) {
  const operators::BgNbdParams truth{0.243, 4.414, 0.793, 2.426};
  operators::PurchaseModelParams true_params;
  true_params.bgnbd = truth;
  constexpr int kSeeds = 40;
  std::printf("customers  repeat buyers  fits with a parameter off  |P - P_true| of 90-day risk: mean  p90\n");
  for (int n : {25, 50, 100, 200, 400, 1000}) {
    int runaway = 0;
    double repeats = 0;
    std::vector<double> errors;
    for (int seed = 1; seed <= kSeeds; ++seed) {
      std::vector<operators::PurchaseSummary> data;
      for (int k = 0; k < 3; ++k) {  // joins spread over 12 weeks, as CDNOW's
        const int size = n / 3 + (k < n % 3 ? 1 : 0);
        for (const auto& c : testing::SimulateBgFamily(truth, false, size, 27 + 6 * k, 0, seed * 10 + k)) {
          operators::PurchaseSummary s = c.calibration;
          s.t_x = std::min(s.T, std::ceil(s.t_x * 7) / 7);
          data.push_back(s);
          repeats += s.x > 0 ? 1 : 0;
        }
      }
      auto fit = FitPurchaseModel(PurchaseModel::kBgNbd, data);
      ASSERT_TRUE(fit.ok());
      runaway += DegenerateFitWarnings(1000, 1000, {*fit}, kSpend).empty() ? 0 : 1;
      double error = 0;
      for (const auto& s : data) {
        error += std::abs(operators::ProbabilityNoPurchase(fit->params, s, 90.0 / 7) -
                          operators::ProbabilityNoPurchase(true_params, s, 90.0 / 7));
      }
      errors.push_back(error / static_cast<double>(data.size()));
    }
    std::sort(errors.begin(), errors.end());
    double mean = 0;
    for (double e : errors) mean += e / kSeeds;
    std::printf("%9d  %13.0f  %19d of %d  %31.3f  %.3f\n", n, repeats / kSeeds, runaway, kSeeds, mean,
                errors[errors.size() * 9 / 10]);
  }
}

}  // namespace
}  // namespace crm::pipeline

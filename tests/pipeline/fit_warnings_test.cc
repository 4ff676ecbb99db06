// Warnings for degenerate fits (pipeline/fit/fit_warnings.h): the thresholds,
// a parameter run off to the optimiser's bound, a two-customer file. The
// simulation the thresholds were chosen on is bench/fit_warning_thresholds.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "pipeline/fit/fit_warnings.h"
#include "pipeline/fit/model_fit.h"
#include "pipeline/fit/transaction_summaries.h"
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

}  // namespace
}  // namespace crm::pipeline

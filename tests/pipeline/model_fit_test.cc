// Maximum-likelihood fits: published CDNOW estimates (Fader, Hardie & Lee
// 2005; Fader & Hardie 2013) and recovery of known parameters from data
// simulated from the models' own generative processes.
#include "pipeline/fit/model_fit.h"

#include <gtest/gtest.h>

#include <cmath>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "pipeline/fit/transaction_summaries.h"
#include "tests/common/cdnow_sample.h"

namespace crm::pipeline {
namespace {

std::vector<CustomerSummary> CdnowCalibration() { return CdnowCalibrationSummaries(); }

TEST(CdnowFit, ReproducesThePublishedBgNbdEstimates) {
  auto customers = CdnowCalibration();
  if (customers.empty()) GTEST_SKIP() << "CDNOW sample not found in " << CdnowDir() << " (set CRM_CDNOW_DIR)";
  ASSERT_EQ(customers.size(), 2357u);
  std::vector<operators::PurchaseSummary> summaries;
  for (const auto& c : customers) summaries.push_back(c.purchases);
  auto fit = FitBgNbd(summaries);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  std::printf("CDNOW BG/NBD: r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.2f\n", fit->params.r, fit->params.alpha,
              fit->params.a, fit->params.b, fit->log_likelihood);
  // Published: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
  EXPECT_NEAR(fit->params.r, 0.243, 0.0015);
  EXPECT_NEAR(fit->params.alpha, 4.414, 0.015);
  EXPECT_NEAR(fit->params.a, 0.793, 0.003);
  EXPECT_NEAR(fit->params.b, 2.426, 0.015);
  EXPECT_NEAR(fit->log_likelihood, -9582.4, 0.15);
}

TEST(CdnowFit, ReproducesThePublishedGammaGammaEstimates) {
  auto customers = CdnowCalibration();
  if (customers.empty()) GTEST_SKIP() << "CDNOW sample not found in " << CdnowDir() << " (set CRM_CDNOW_DIR)";
  std::vector<SpendSummary> spend;
  for (const auto& c : customers) spend.push_back({c.purchases.x, c.mean_spend});
  auto fit = FitGammaGamma(spend);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  EXPECT_EQ(fit->customers, 946);
  std::printf("CDNOW Gamma-Gamma: p=%.4f q=%.4f gamma=%.4f\n", fit->params.p, fit->params.q, fit->params.gamma);
  // Published: p = 6.25, q = 3.74, gamma = 15.44.
  EXPECT_NEAR(fit->params.p, 6.25, 0.02);
  EXPECT_NEAR(fit->params.q, 3.74, 0.02);
  EXPECT_NEAR(fit->params.gamma, 15.44, 0.1);
}

// BG/NBD's story: purchases at Poisson rate lambda ~ Gamma(r, alpha) while
// alive; after each repeat purchase the customer drops out with probability
// p ~ Beta(a, b) (never right after the first purchase at time 0).
std::vector<operators::PurchaseSummary> SimulateBgNbd(const operators::BgNbdParams& p, int n, double T,
                                                      uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> lambda_dist(p.r, 1.0 / p.alpha);
  std::gamma_distribution<double> ga(p.a, 1.0), gb(p.b, 1.0);
  std::vector<operators::PurchaseSummary> out;
  for (int i = 0; i < n; ++i) {
    const double lambda = lambda_dist(rng);
    const double x1 = ga(rng), x2 = gb(rng);
    const double drop = x1 / (x1 + x2);
    std::exponential_distribution<double> gap(lambda);
    std::bernoulli_distribution dies(drop);
    operators::PurchaseSummary s{0, 0, T};
    double t = 0;
    for (;;) {
      t += gap(rng);
      if (t > T) break;
      s.x += 1;
      s.t_x = t;
      if (dies(rng)) break;
    }
    out.push_back(s);
  }
  return out;
}

TEST(BgNbdFit, RecoversKnownParametersFromSimulatedData) {
  // Tolerances: relative, for 8000 customers; r and alpha trade off against
  // each other, so their ratio (the mean purchase rate) is checked tighter.
  for (const auto& truth : {operators::BgNbdParams{0.25, 4.0, 0.8, 2.5}, operators::BgNbdParams{1.5, 10.0, 0.4, 3.0}}) {
    auto data = SimulateBgNbd(truth, 8000, 52, 7);
    auto fit = FitBgNbd(data);
    ASSERT_TRUE(fit.ok());
    EXPECT_NEAR(fit->params.r / fit->params.alpha, truth.r / truth.alpha, 0.1 * truth.r / truth.alpha);
    EXPECT_NEAR(fit->params.r, truth.r, 0.25 * truth.r);
    EXPECT_NEAR(fit->params.alpha, truth.alpha, 0.3 * truth.alpha);
    EXPECT_NEAR(fit->params.a / (fit->params.a + fit->params.b), truth.a / (truth.a + truth.b), 0.05);
  }
}

TEST(GammaGammaFit, RecoversKnownParametersFromSimulatedData) {
  // Spend per purchase ~ Gamma(p, nu) with nu ~ Gamma(q, gamma) per customer.
  const operators::GammaGammaParams truth{6.0, 4.0, 15.0};
  std::mt19937_64 rng(3);
  std::gamma_distribution<double> nu_dist(truth.q, 1.0 / truth.gamma);
  std::uniform_int_distribution<int> purchases(1, 10);
  std::vector<SpendSummary> data;
  for (int i = 0; i < 20000; ++i) {
    const double nu = nu_dist(rng);
    std::gamma_distribution<double> spend(truth.p, 1.0 / nu);
    const int x = purchases(rng);
    double sum = 0;
    for (int k = 0; k < x; ++k) sum += spend(rng);
    data.push_back({static_cast<double>(x), sum / x});
  }
  auto fit = FitGammaGamma(data);
  ASSERT_TRUE(fit.ok());
  // The mean spend p*gamma/(q-1) is well identified; each parameter within 20%.
  EXPECT_NEAR(fit->params.p * fit->params.gamma / (fit->params.q - 1), truth.p * truth.gamma / (truth.q - 1),
              0.05 * truth.p * truth.gamma / (truth.q - 1));
  EXPECT_NEAR(fit->params.p, truth.p, 0.2 * truth.p);
  EXPECT_NEAR(fit->params.q, truth.q, 0.2 * truth.q);
  EXPECT_NEAR(fit->params.gamma, truth.gamma, 0.2 * truth.gamma);
}

TEST(TransactionSummaries, BadRowsNameTheLine) {
  const auto path = std::filesystem::temp_directory_path() / "crm-bad-transactions.csv";
  {
    std::ofstream out(path);
    out << "customer_id,date,amount\nc1,2024-01-01,10\nc1,2024-13-01,5\n";
  }
  SummaryOptions options;
  options.format = TransactionFormat::kCsv;
  ASSERT_TRUE(ParseDay("2024-12-31", options.calibration_end_day));
  auto r = SummariseTransactions(path.string(), options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(":3: date '2024-13-01'"), std::string::npos) << r.status().message();
  std::filesystem::remove(path);
}

TEST(TransactionSummaries, SameDayPurchasesMergeAndRepeatSpendIsAveraged) {
  const auto path = std::filesystem::temp_directory_path() / "crm-transactions.csv";
  {
    std::ofstream out(path);
    out << "customer_id,date,amount\nc1,2024-01-01,10\nc1,2024-01-01,5\nc1,2024-01-08,20\n"
           "c1,2024-01-15,5\nc1,2024-01-15,5\nc1,2024-03-01,99\nc2,2024-02-01,7\n";
  }
  SummaryOptions options;
  options.format = TransactionFormat::kCsv;
  ASSERT_TRUE(ParseDay("2024-01-29", options.calibration_end_day));
  auto r = SummariseTransactions(path.string(), options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->customers.size(), 1u) << "c2 starts after the calibration period";
  EXPECT_EQ(r->rows, 7);
  const auto& c1 = r->customers[0];
  EXPECT_EQ(c1.holdout_purchases, 1);
  EXPECT_EQ(c1.purchases.x, 2);
  EXPECT_DOUBLE_EQ(c1.purchases.t_x, 2.0);
  EXPECT_DOUBLE_EQ(c1.purchases.T, 4.0);
  EXPECT_DOUBLE_EQ(c1.mean_spend, 15.0);
  EXPECT_DOUBLE_EQ(c1.first_purchase_value, 15.0);
  std::filesystem::remove(path);
}

}  // namespace
TEST(TransactionSummaries, HugeAmountsSumToFiniteValues) {
  const auto path = std::filesystem::temp_directory_path() / "crm-huge-transactions.csv";
  {
    std::ofstream out(path);
    out << "customer_id,date,amount\na,1997-01-01,1e308\na,1997-01-01,1e308\na,1997-02-01,1e308\n"
           "a,1997-03-01,1e308\n";
  }
  SummaryOptions options;
  options.format = TransactionFormat::kCsv;
  ASSERT_TRUE(ParseDay("1997-12-31", options.calibration_end_day));
  auto r = SummariseTransactions(path.string(), options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->customers.size(), 1u);
  EXPECT_TRUE(std::isfinite(r->customers[0].first_purchase_value));
  EXPECT_TRUE(std::isfinite(r->customers[0].mean_spend));
  std::filesystem::remove(path);
}

}  // namespace crm::pipeline

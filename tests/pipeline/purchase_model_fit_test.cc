// Maximum-likelihood fits of MBG/NBD and Pareto/NBD (and BG/NBD through the
// same entry point): the published Pareto/NBD estimates on the CDNOW 1/10
// sample (Fader, Hardie & Lee 2005) and recovery of known parameters from
// data simulated from each model's story (tests/common/purchase_simulator.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "pipeline/fit/model_fit.h"
#include "pipeline/fit/transaction_summaries.h"
#include "tests/common/cdnow_sample.h"
#include "tests/common/purchase_simulator.h"

namespace crm::pipeline {
namespace {

using operators::PurchaseModel;

std::vector<operators::PurchaseSummary> CdnowCalibration() {
  std::vector<operators::PurchaseSummary> out;
  for (const auto& c : CdnowCalibrationSummaries()) out.push_back(c.purchases);
  return out;
}

// Calibration summaries with t_x in whole days (units are weeks), as real
// logs have them: identical summaries then share one likelihood term, which
// keeps the Pareto/NBD fits of thousands of customers quick.
std::vector<operators::PurchaseSummary> Calibration(const std::vector<testing::SimulatedCustomer>& customers) {
  std::vector<operators::PurchaseSummary> out;
  for (const auto& c : customers) {
    operators::PurchaseSummary s = c.calibration;
    s.t_x = std::min(s.T, std::ceil(s.t_x * 7) / 7);
    out.push_back(s);
  }
  return out;
}

TEST(CdnowFit, ReproducesThePublishedParetoNbdEstimates) {
  auto customers = CdnowCalibration();
  if (customers.empty()) GTEST_SKIP() << "CDNOW sample not found (set CRM_CDNOW_DIR)";
  ASSERT_EQ(customers.size(), 2357u);
  auto fit = FitPurchaseModel(PurchaseModel::kParetoNbd, customers);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  const auto& p = fit->params.pareto_nbd;
  std::printf("CDNOW Pareto/NBD: r=%.4f alpha=%.4f s=%.4f beta=%.4f LL=%.2f\n", p.r, p.alpha, p.s, p.beta,
              fit->log_likelihood);
  // Published: r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL = -9594.98.
  EXPECT_NEAR(p.r, 0.553, 0.0015);
  EXPECT_NEAR(p.alpha, 10.578, 0.015);
  EXPECT_NEAR(p.s, 0.606, 0.003);
  EXPECT_NEAR(p.beta, 11.669, 0.015);
  EXPECT_NEAR(fit->log_likelihood, -9594.98, 0.15);
}

TEST(CdnowFit, MbgNbdFitsAtLeastAsWellAsBgNbdAllowsForOneTimeBuyers) {
  auto customers = CdnowCalibration();
  if (customers.empty()) GTEST_SKIP() << "CDNOW sample not found (set CRM_CDNOW_DIR)";
  auto mbg = FitPurchaseModel(PurchaseModel::kMbgNbd, customers);
  auto bg = FitPurchaseModel(PurchaseModel::kBgNbd, customers);
  ASSERT_TRUE(mbg.ok() && bg.ok());
  const auto& p = mbg->params.mbgnbd;
  std::printf("CDNOW MBG/NBD: r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.2f (BG/NBD %.2f)\n", p.r, p.alpha, p.a, p.b,
              mbg->log_likelihood, bg->log_likelihood);
  EXPECT_NEAR(bg->log_likelihood, -9582.4, 0.15) << "the same BG/NBD optimum as FitBgNbd";
  EXPECT_GT(p.a, 0.0);
  EXPECT_GT(mbg->log_likelihood, -9700.0);
}

TEST(PurchaseModelFit, RecoversKnownParametersFromSimulatedData) {
  // Relative tolerances for 4000 (Pareto/NBD) or 8000 customers over 52 units; r and alpha trade
  // off against each other, so their ratio (the mean purchase rate) is
  // checked tighter, likewise the lifetime's mean rate s/beta.
  {
    // One Pareto/NBD case: its likelihood is the costly one.
    const operators::ParetoNbdParams truth{0.55, 10.0, 0.6, 12.0};
    auto fit = FitPurchaseModel(PurchaseModel::kParetoNbd, Calibration(testing::SimulateParetoNbd(truth, 4000, 52, 0, 11)));
    ASSERT_TRUE(fit.ok());
    const auto& p = fit->params.pareto_nbd;
    std::printf("Pareto/NBD truth r=%g alpha=%g s=%g beta=%g, fitted %.3f %.3f %.3f %.3f\n", truth.r, truth.alpha,
                truth.s, truth.beta, p.r, p.alpha, p.s, p.beta);
    EXPECT_NEAR(p.r / p.alpha, truth.r / truth.alpha, 0.1 * truth.r / truth.alpha);
    EXPECT_NEAR(p.r, truth.r, 0.25 * truth.r);
    EXPECT_NEAR(p.alpha, truth.alpha, 0.3 * truth.alpha);
    EXPECT_NEAR(p.s / p.beta, truth.s / truth.beta, 0.3 * truth.s / truth.beta);
  }
  for (const auto& truth : {operators::BgNbdParams{0.25, 4.0, 0.8, 2.5}, operators::BgNbdParams{1.5, 10.0, 0.4, 3.0}}) {
    for (const PurchaseModel model : {PurchaseModel::kBgNbd, PurchaseModel::kMbgNbd}) {
      const bool mbg = model == PurchaseModel::kMbgNbd;
      auto fit = FitPurchaseModel(model, Calibration(testing::SimulateBgFamily(truth, mbg, 8000, 52, 0, 7)));
      ASSERT_TRUE(fit.ok());
      const auto& p = mbg ? fit->params.mbgnbd : fit->params.bgnbd;
      std::printf("%s truth r=%g alpha=%g a=%g b=%g, fitted %.3f %.3f %.3f %.3f\n", mbg ? "MBG/NBD" : "BG/NBD",
                  truth.r, truth.alpha, truth.a, truth.b, p.r, p.alpha, p.a, p.b);
      EXPECT_NEAR(p.r / p.alpha, truth.r / truth.alpha, 0.1 * truth.r / truth.alpha);
      EXPECT_NEAR(p.r, truth.r, 0.25 * truth.r);
      EXPECT_NEAR(p.alpha, truth.alpha, 0.3 * truth.alpha);
      EXPECT_NEAR(p.a / (p.a + p.b), truth.a / (truth.a + truth.b), 0.05);
    }
  }
}

TEST(PurchaseModelFit, NoCustomersIsAnError) {
  EXPECT_FALSE(FitPurchaseModel(PurchaseModel::kParetoNbd, {}).ok());
}

}  // namespace
}  // namespace crm::pipeline

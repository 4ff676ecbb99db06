// pipeline/fit/model_fit.h
//
// Maximum-likelihood fitting of the customer models with NLopt (the one
// adapter over it): BG/NBD and MBG/NBD (r, alpha, a, b) and Pareto/NBD
// (r, alpha, s, beta) from purchase summaries and
// Gamma-Gamma (p, q, gamma) from repeat customers' mean spend. Parameters are
// optimised in log space (they must be positive) with Nelder-Mead from
// several starting points; the best log-likelihood wins.
#pragma once

#include <vector>

#include "operators/bgnbd.h"
#include "operators/gamma_gamma.h"
#include "operators/purchase_model.h"
#include "operators/status.h"

namespace crm::pipeline {

struct BgNbdFit {
  operators::BgNbdParams params;
  double log_likelihood = 0;
  int evaluations = 0;
};

struct GammaGammaFit {
  operators::GammaGammaParams params;
  double log_likelihood = 0;
  int customers = 0;  // those with x > 0 used in the fit
};

struct SpendSummary {
  double x = 0;           // repeat purchases
  double mean_spend = 0;  // mean value of the repeat purchases
};

Result<BgNbdFit> FitBgNbd(const std::vector<operators::PurchaseSummary>& customers);

// Any of the three purchase models; the result's `model` is `model` and only
// its parameters are set.
struct PurchaseModelFit {
  operators::PurchaseModelParams params;
  double log_likelihood = 0;
  int evaluations = 0;
};
Result<PurchaseModelFit> FitPurchaseModel(operators::PurchaseModel model,
                                          const std::vector<operators::PurchaseSummary>& customers);
Result<GammaGammaFit> FitGammaGamma(const std::vector<SpendSummary>& customers);

}  // namespace crm::pipeline

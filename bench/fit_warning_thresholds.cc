// The simulation the degenerate-fit thresholds were chosen on
// (pipeline/fit/fit_warnings.h, docs/purchase-models.md "Degenerate fits"):
// populations of a given size simulated from the CDNOW BG/NBD estimates
// (joins spread over 12 weeks, t_x in whole days), 40 seeds per size, each
// fitted by FitPurchaseModel. For each size it prints the mean number of
// repeat buyers, how many fits drew a warning (a parameter run off to the
// optimiser's bound), and how far the fitted 90-day churn risk lies from the
// true one. About 15 s; run by hand:
//
//   crm_bench_fit_thresholds
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "operators/purchase_model.h"
#include "pipeline/fit/fit_warnings.h"
#include "pipeline/fit/model_fit.h"
#include "tests/common/purchase_simulator.h"

namespace {

namespace op = crm::operators;
using crm::pipeline::DegenerateFitWarnings;
using crm::pipeline::FitPurchaseModel;
using crm::pipeline::GammaGammaFit;
using op::PurchaseModel;
namespace testing = crm::testing;

const GammaGammaFit kSpend{{6.25, 3.74, 15.44}, -4000, 946};

int Run() {
  const op::BgNbdParams truth{0.243, 4.414, 0.793, 2.426};
  op::PurchaseModelParams true_params;
  true_params.bgnbd = truth;
  constexpr int kSeeds = 40;
  std::printf("customers  repeat buyers  fits with a parameter off  |P - P_true| of 90-day risk: mean  p90\n");
  for (int n : {25, 50, 100, 200, 400, 1000}) {
    int runaway = 0;
    double repeats = 0;
    std::vector<double> errors;
    for (int seed = 1; seed <= kSeeds; ++seed) {
      std::vector<op::PurchaseSummary> data;
      for (int k = 0; k < 3; ++k) {  // joins spread over 12 weeks, as CDNOW's
        const int size = n / 3 + (k < n % 3 ? 1 : 0);
        for (const auto& c : testing::SimulateBgFamily(truth, false, size, 27 + 6 * k, 0, seed * 10 + k)) {
          op::PurchaseSummary s = c.calibration;
          s.t_x = std::min(s.T, std::ceil(s.t_x * 7) / 7);
          data.push_back(s);
          repeats += s.x > 0 ? 1 : 0;
        }
      }
      auto fit = FitPurchaseModel(PurchaseModel::kBgNbd, data);
      if (!fit.ok()) {
        std::fprintf(stderr, "fit failed: %s\n", fit.status().message().c_str());
        return 1;
      }
      runaway += DegenerateFitWarnings(1000, 1000, {*fit}, kSpend).empty() ? 0 : 1;
      double error = 0;
      for (const auto& s : data) {
        error += std::abs(op::ProbabilityNoPurchase(fit->params, s, 90.0 / 7) -
                          op::ProbabilityNoPurchase(true_params, s, 90.0 / 7));
      }
      errors.push_back(error / static_cast<double>(data.size()));
    }
    std::sort(errors.begin(), errors.end());
    double mean = 0;
    for (double e : errors) mean += e / kSeeds;
    std::printf("%9d  %13.0f  %19d of %d  %31.3f  %.3f\n", n, repeats / kSeeds, runaway, kSeeds, mean,
                errors[errors.size() * 9 / 10]);
  }
  return 0;
}

}  // namespace

int main() { return Run(); }

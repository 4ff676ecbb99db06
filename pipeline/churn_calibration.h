// pipeline/churn_calibration.h
//
// Is the churn risk a fitted model gives honest? The service publishes, as
// the behavioural part of churn risk, the model's P(no purchase within
// model.churn.horizon_days). On a transaction log with a holdout, `crmstream
// fit` puts that probability for every calibration customer (computed at the
// calibration end) beside what happened: no purchase in the horizon after
// the calibration end, or one. This unit scores the pairs:
//
//   Brier score   mean (p - o)^2, o = 1 if the customer bought nothing
//   reference     the Brier score of always forecasting the base rate o-bar:
//                 o-bar (1 - o-bar)
//   skill         1 - Brier / reference: 0 is no better than the base rate,
//                 1 is perfect (NaN when everyone, or no one, churned)
//   ECE           expected calibration error: customers sorted by p into
//                 equal-count bins (deciles), sum over bins of
//                 (bin share of customers) x |mean p - observed share|
//
// and keeps the bins for the reliability chart (calibration_chart.h). Pure
// computation, deterministic (ties in p keep the customers' order).
#pragma once

#include <cstdint>
#include <vector>

namespace crm::pipeline {

struct CalibrationBin {
  int64_t customers = 0;
  double mean_predicted = 0;  // mean P(no purchase) in the bin
  double observed = 0;        // share of the bin who bought nothing
};

struct ChurnCalibration {
  int64_t customers = 0;
  double base_rate = 0;       // share who bought nothing
  double mean_predicted = 0;  // mean P(no purchase)
  double brier = 0;
  double brier_reference = 0;  // base_rate (1 - base_rate)
  double brier_skill = 0;      // NaN when brier_reference is 0
  double ece = 0;
  std::vector<CalibrationBin> bins;
};

// `predicted[i]` is customer i's P(no purchase), `churned[i]` whether they
// bought nothing; `bins` equal-count bins (fewer when there are fewer
// customers). Empty input gives customers = 0 and NaN scores.
ChurnCalibration CalibrateChurn(const std::vector<double>& predicted, const std::vector<bool>& churned,
                                int bins = 10);

}  // namespace crm::pipeline

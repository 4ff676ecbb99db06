#include "pipeline/churn_calibration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace crm::pipeline {

ChurnCalibration CalibrateChurn(const std::vector<double>& predicted, const std::vector<bool>& churned, int bins) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  ChurnCalibration c;
  const size_t n = std::min(predicted.size(), churned.size());
  c.customers = static_cast<int64_t>(n);
  if (n == 0) {
    c.base_rate = c.mean_predicted = c.brier = c.brier_reference = c.brier_skill = c.ece = kNaN;
    return c;
  }
  double squared = 0, churners = 0, predicted_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const double o = churned[i] ? 1 : 0;
    squared += (predicted[i] - o) * (predicted[i] - o);
    churners += o;
    predicted_sum += predicted[i];
  }
  const double count = static_cast<double>(n);
  c.brier = squared / count;
  c.base_rate = churners / count;
  c.mean_predicted = predicted_sum / count;
  c.brier_reference = c.base_rate * (1 - c.base_rate);
  c.brier_skill = c.brier_reference > 0 ? 1 - c.brier / c.brier_reference : kNaN;

  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return predicted[a] < predicted[b]; });
  const size_t k = std::clamp<size_t>(static_cast<size_t>(std::max(bins, 1)), 1, n);
  for (size_t b = 0; b < k; ++b) {
    const size_t begin = b * n / k, end = (b + 1) * n / k;
    CalibrationBin bin;
    bin.customers = static_cast<int64_t>(end - begin);
    for (size_t j = begin; j < end; ++j) {
      bin.mean_predicted += predicted[order[j]];
      bin.observed += churned[order[j]] ? 1 : 0;
    }
    bin.mean_predicted /= static_cast<double>(bin.customers);
    bin.observed /= static_cast<double>(bin.customers);
    c.ece += static_cast<double>(bin.customers) / count * std::abs(bin.mean_predicted - bin.observed);
    c.bins.push_back(bin);
  }
  return c;
}

}  // namespace crm::pipeline

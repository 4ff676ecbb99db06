#include "pipeline/fit_tracking.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace crm::pipeline {
namespace {

// First purchase day -> customers who joined that day: the cohort's
// expectations are computed per join day, so large logs stay cheap.
std::map<int64_t, int64_t> CustomersByJoinDay(const TransactionSummaries& data) {
  std::map<int64_t, int64_t> joined;
  for (const auto& c : data.customers) ++joined[c.first_purchase_day];
  return joined;
}

}  // namespace

TrackingSeries Tracking(const TransactionSummaries& data, const operators::PurchaseModelParams& params,
                        const SummaryOptions& options, const std::string& unit) {
  TrackingSeries series;
  series.time_unit = unit;
  const std::string title(operators::PurchaseModelTitle(params.model));
  series.title = "Cumulative repeat purchases: actual vs " + title;
  series.expected_label = title + " expected";
  const std::map<int64_t, int64_t> joined = CustomersByJoinDay(data);
  if (joined.empty()) return series;
  const int64_t start = joined.begin()->first;
  const double dpu = options.days_per_unit;
  series.calibration_end = static_cast<double>(options.calibration_end_day - start) / dpu;
  // At most kMaxPoints points (every `stride` units): each costs one
  // expectation per join day, and a log may span decades in days.
  constexpr double kMaxPoints = 500;
  const double units = std::ceil(static_cast<double>(data.last_day - start) / dpu);
  const double stride = std::max(1.0, std::ceil(units / kMaxPoints));
  const int steps = static_cast<int>(std::ceil(units / stride));
  auto observed = data.repeat_purchases_by_day.begin();
  double cumulative = 0;
  for (int i = 0; i <= steps; ++i) {
    const double step = i * stride;
    const double day = static_cast<double>(start) + step * dpu;
    while (observed != data.repeat_purchases_by_day.end() && static_cast<double>(observed->first) <= day) {
      cumulative += static_cast<double>(observed->second);
      ++observed;
    }
    double expected = 0;
    for (const auto& [first_day, count] : joined) {
      const double age = (day - static_cast<double>(first_day)) / dpu;
      if (age > 0) {
        expected += static_cast<double>(count) * operators::ExpectedRepeatPurchasesUnconditional(params, age);
      }
    }
    series.time.push_back(step);
    series.actual.push_back(cumulative);
    series.expected.push_back(expected);
  }
  return series;
}

double CohortHoldout(const TransactionSummaries& data, const operators::PurchaseModelParams& params,
                     const SummaryOptions& options) {
  double expected = 0;
  for (const auto& [first_day, count] : CustomersByJoinDay(data)) {
    const double at_end = static_cast<double>(data.last_day - first_day) / options.days_per_unit;
    const double at_calibration = static_cast<double>(options.calibration_end_day - first_day) / options.days_per_unit;
    expected += static_cast<double>(count) * (operators::ExpectedRepeatPurchasesUnconditional(params, at_end) -
                                              operators::ExpectedRepeatPurchasesUnconditional(params, at_calibration));
  }
  return expected;
}

}  // namespace crm::pipeline

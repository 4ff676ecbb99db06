// pipeline/calibration_chart.h
//
// The reliability chart of churn risk (churn_calibration.h) that
// `crmstream fit --report` draws beside the tracking chart: for each model
// compared, the customers' decile bins by predicted P(no purchase within the
// horizon), mean predicted against the share who bought nothing, with the
// diagonal of perfect calibration; the chosen model drawn boldest, with 95 %
// binomial intervals, and each model's Brier score, skill and ECE in the
// legend. Both axes run from the same lower bound (0, or a tenth below the
// lowest bin when every bin is high, as with a 90-day horizon where most
// customers buy nothing) to 1, so the diagonal stays the diagonal.
// Self-contained SVG text, all text escaped.
#pragma once

#include <string>
#include <vector>

#include "pipeline/churn_calibration.h"

namespace crm::pipeline {

struct CalibrationCurve {
  std::string label;  // "BG/NBD"
  bool chosen = false;
  ChurnCalibration calibration;
};

struct CalibrationChart {
  std::string horizon;  // "12.9 weeks"
  std::string note;     // e.g. why the horizon is shorter than asked; may be empty
  std::vector<CalibrationCurve> curves;
};

inline constexpr double kCalibrationChartWidth = 480, kCalibrationChartHeight = 560;

std::string CalibrationChartSvg(const CalibrationChart& chart);

}  // namespace crm::pipeline

// pipeline/fit_report.h
//
// The chart file `crmstream fit --report FILE` writes: one SVG with the
// tracking chart (tracking_report.h: cumulative repeat purchases, actual
// against the chosen model) on the left, the churn-risk calibration chart
// (calibration_chart.h) beside it when the data has a holdout, and the fit's
// warnings (fit_warnings.h) underneath.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "operators/status.h"
#include "pipeline/calibration_chart.h"
#include "pipeline/tracking_report.h"

namespace crm::pipeline {

struct FitReport {
  TrackingSeries tracking;
  std::optional<CalibrationChart> calibration;
  std::vector<std::string> warnings;
};

std::string FitReportSvg(const FitReport& report);

Status WriteFitReport(const FitReport& report, const std::string& path);

}  // namespace crm::pipeline

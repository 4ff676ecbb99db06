// pipeline/tracking_report.h
//
// The standard check of a fitted purchase model: cumulative repeat purchases
// of a cohort over time, actual against what BG/NBD expects, drawn as a
// self-contained SVG chart (written by `crmstream fit --report FILE`).
#pragma once

#include <string>
#include <vector>

#include "operators/status.h"

namespace crm::pipeline {

struct TrackingSeries {
  std::vector<double> time;      // time units since the cohort's first purchase
  std::vector<double> actual;    // cumulative repeat purchases observed
  std::vector<double> expected;  // cumulative repeat purchases the model expects
  double calibration_end = 0;    // in the same time units
  std::string time_unit;         // "weeks" or "days"
  std::string title;
  std::string expected_label = "BG/NBD expected";  // the expected line's legend
};

inline constexpr double kTrackingChartWidth = 820, kTrackingChartHeight = 460;

// The chart as SVG text (all text escaped).
std::string TrackingChartSvg(const TrackingSeries& series);

Status WriteTrackingChart(const TrackingSeries& series, const std::string& path);

}  // namespace crm::pipeline

#include "pipeline/tracking_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "pipeline/svg_text.h"

namespace crm::pipeline {
namespace {

constexpr double kWidth = kTrackingChartWidth, kHeight = kTrackingChartHeight;
constexpr double kLeft = 80, kRight = 30, kTop = 50, kBottom = 60;

// A "nice" tick step (1, 2 or 5 times a power of ten) for about `ticks` ticks.
double TickStep(double range, int ticks) {
  const double raw = range / ticks;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * magnitude) return m * magnitude;
  }
  return 10 * magnitude;
}

std::string Number(double v) { return SvgNumber(v); }

}  // namespace

std::string TrackingChartSvg(const TrackingSeries& s) {
  const double max_x = s.time.empty() ? 1 : std::max(1.0, s.time.back());
  double max_y = 1;
  for (double v : s.actual) max_y = std::max(max_y, v);
  for (double v : s.expected) max_y = std::max(max_y, v);
  const double y_step = TickStep(max_y, 6);
  max_y = std::ceil(max_y / y_step) * y_step;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + x / max_x * plot_w; };
  auto py = [&](double y) { return kTop + plot_h - y / max_y * plot_h; };
  auto polyline = [&](const std::vector<double>& ys) {
    std::ostringstream pts;
    for (size_t i = 0; i < ys.size() && i < s.time.size(); ++i) pts << Number(px(s.time[i])) << ',' << Number(py(ys[i])) << ' ';
    return pts.str();
  };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << kWidth / 2 << "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">" << XmlEscape(s.title)
      << "</text>\n";
  // Axes and ticks.
  svg << "<line x1=\"" << kLeft << "\" y1=\"" << py(0) << "\" x2=\"" << px(max_x) << "\" y2=\"" << py(0)
      << "\" stroke=\"black\"/>\n<line x1=\"" << kLeft << "\" y1=\"" << py(0) << "\" x2=\"" << kLeft << "\" y2=\""
      << py(max_y) << "\" stroke=\"black\"/>\n";
  const double x_step = TickStep(max_x, 8);
  for (double x = 0; x <= max_x + 1e-9; x += x_step) {
    svg << "<line x1=\"" << Number(px(x)) << "\" y1=\"" << py(0) << "\" x2=\"" << Number(px(x)) << "\" y2=\""
        << py(0) + 5 << "\" stroke=\"black\"/><text x=\"" << Number(px(x)) << "\" y=\"" << py(0) + 20
        << "\" text-anchor=\"middle\">" << static_cast<long long>(std::llround(x)) << "</text>\n";
  }
  for (double y = 0; y <= max_y + 1e-9; y += y_step) {
    svg << "<line x1=\"" << kLeft - 5 << "\" y1=\"" << Number(py(y)) << "\" x2=\"" << px(max_x) << "\" y2=\""
        << Number(py(y)) << "\" stroke=\"#e4e4e4\"/><text x=\"" << kLeft - 10 << "\" y=\"" << Number(py(y) + 4)
        << "\" text-anchor=\"end\">" << static_cast<long long>(std::llround(y)) << "</text>\n";
  }
  svg << "<text x=\"" << kLeft + plot_w / 2 << "\" y=\"" << kHeight - 15 << "\" text-anchor=\"middle\">"
      << XmlEscape(s.time_unit) << " since the cohort's first purchase</text>\n"
      << "<text transform=\"translate(20," << kTop + plot_h / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
      << "cumulative repeat purchases</text>\n";
  // Calibration end.
  svg << "<line x1=\"" << Number(px(s.calibration_end)) << "\" y1=\"" << py(0) << "\" x2=\""
      << Number(px(s.calibration_end)) << "\" y2=\"" << py(max_y) << "\" stroke=\"gray\" stroke-dasharray=\"4 4\"/>\n"
      << "<text x=\"" << Number(px(s.calibration_end) + 5) << "\" y=\"" << py(max_y) + 14
      << "\" fill=\"gray\">end of calibration</text>\n";
  // Series and legend.
  svg << "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\" points=\"" << polyline(s.actual) << "\"/>\n"
      << "<polyline fill=\"none\" stroke=\"#d9534f\" stroke-width=\"2\" stroke-dasharray=\"7 4\" points=\""
      << polyline(s.expected) << "\"/>\n"
      << "<line x1=\"" << kLeft + 20 << "\" y1=\"" << kTop + 15 << "\" x2=\"" << kLeft + 50 << "\" y2=\"" << kTop + 15
      << "\" stroke=\"#1f5fbf\" stroke-width=\"2\"/><text x=\"" << kLeft + 58 << "\" y=\"" << kTop + 19
      << "\">actual</text>\n<line x1=\"" << kLeft + 20 << "\" y1=\"" << kTop + 35 << "\" x2=\"" << kLeft + 50
      << "\" y2=\"" << kTop + 35 << "\" stroke=\"#d9534f\" stroke-width=\"2\" stroke-dasharray=\"7 4\"/><text x=\""
      << kLeft + 58 << "\" y=\"" << kTop + 39 << "\">" << XmlEscape(s.expected_label) << "</text>\n</svg>\n";
  return svg.str();
}

Status WriteTrackingChart(const TrackingSeries& series, const std::string& path) {
  std::ofstream out(path);
  out << TrackingChartSvg(series);
  if (!out) return Status::IoError("cannot write report '" + path + "'");
  return Status::Ok();
}

}  // namespace crm::pipeline

#include "pipeline/calibration_chart.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "pipeline/svg_text.h"

namespace crm::pipeline {
namespace {

constexpr double kLeft = 70, kRight = 30, kTop = 60, kBottom = 150;  // the legend below the plot
constexpr const char* kColours[] = {"#1f5fbf", "#2a9d3a", "#d9534f", "#8e44ad"};

std::string Score(double v) { return std::isfinite(v) ? SvgNumber(v, 3) : "n/a"; }

}  // namespace

std::string CalibrationChartSvg(const CalibrationChart& chart) {
  const double w = kCalibrationChartWidth, h = kCalibrationChartHeight;
  const double plot_w = w - kLeft - kRight, plot_h = h - kTop - kBottom;
  double lowest = 1;
  for (const CalibrationCurve& curve : chart.curves) {
    for (const CalibrationBin& bin : curve.calibration.bins) {
      lowest = std::min({lowest, bin.mean_predicted, bin.observed});
    }
  }
  const double lo = std::clamp(std::floor(lowest * 10 - 0.5) / 10, 0.0, 0.8);
  auto scaled = [&](double v) { return (std::clamp(v, lo, 1.0) - lo) / (1 - lo); };
  auto px = [&](double x) { return SvgNumber(kLeft + scaled(x) * plot_w); };
  auto py = [&](double y) { return SvgNumber(kTop + plot_h - scaled(y) * plot_h); };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w << "\" height=\"" << h
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << w / 2 << "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">"
      << "Churn risk calibration on the holdout</text>\n"
      << "<text x=\"" << w / 2 << "\" y=\"46\" text-anchor=\"middle\">"
      << XmlEscape("P(no purchase within " + chart.horizon + "), customers in deciles") << "</text>\n";
  // Grid, axes, ticks.
  const int ticks = static_cast<int>(std::lround((1 - lo) * 10));
  for (int i = 0; i <= ticks; i += ticks > 5 ? 2 : 1) {
    const double v = lo + i / 10.0;
    svg << "<line x1=\"" << px(0) << "\" y1=\"" << py(v) << "\" x2=\"" << px(1) << "\" y2=\"" << py(v)
        << "\" stroke=\"#e4e4e4\"/><line x1=\"" << px(v) << "\" y1=\"" << py(0) << "\" x2=\"" << px(v) << "\" y2=\""
        << py(1) << "\" stroke=\"#e4e4e4\"/>\n"
        << "<text x=\"" << kLeft - 8 << "\" y=\"" << SvgNumber(kTop + plot_h - scaled(v) * plot_h + 4)
        << "\" text-anchor=\"end\">" << SvgNumber(v) << "</text><text x=\"" << px(v) << "\" y=\""
        << SvgNumber(kTop + plot_h + 18) << "\" text-anchor=\"middle\">" << SvgNumber(v) << "</text>\n";
  }
  svg << "<line x1=\"" << px(0) << "\" y1=\"" << py(0) << "\" x2=\"" << px(1) << "\" y2=\"" << py(0)
      << "\" stroke=\"black\"/><line x1=\"" << px(0) << "\" y1=\"" << py(0) << "\" x2=\"" << px(0) << "\" y2=\""
      << py(1) << "\" stroke=\"black\"/>\n"
      << "<line x1=\"" << px(0) << "\" y1=\"" << py(0) << "\" x2=\"" << px(1) << "\" y2=\"" << py(1)
      << "\" stroke=\"gray\" stroke-dasharray=\"4 4\"/>\n"
      << "<text x=\"" << kLeft + plot_w / 2 << "\" y=\"" << kTop + plot_h + 36 << "\" text-anchor=\"middle\">"
      << "predicted P(no purchase), mean of the decile</text>\n"
      << "<text transform=\"translate(20," << kTop + plot_h / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
      << "observed share with no purchase</text>\n";
  if (!chart.note.empty()) {
    svg << "<text x=\"" << kLeft + plot_w / 2 << "\" y=\"" << h - 8 << "\" text-anchor=\"middle\" fill=\"#b35900\">"
        << XmlEscape(chart.note) << "</text>\n";
  }
  // The chosen model last, so it is drawn on top.
  std::vector<size_t> order;
  for (size_t i = 0; i < chart.curves.size(); ++i) {
    if (!chart.curves[i].chosen) order.push_back(i);
  }
  for (size_t i = 0; i < chart.curves.size(); ++i) {
    if (chart.curves[i].chosen) order.push_back(i);
  }
  for (size_t i : order) {
    const CalibrationCurve& curve = chart.curves[i];
    const char* colour = kColours[i % std::size(kColours)];
    const double width = curve.chosen ? 2.5 : 1.2;
    std::ostringstream points;
    for (const CalibrationBin& bin : curve.calibration.bins) {
      points << px(bin.mean_predicted) << ',' << py(bin.observed) << ' ';
    }
    svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"" << width << "\" points=\""
        << points.str() << "\"/>\n";
    for (const CalibrationBin& bin : curve.calibration.bins) {
      if (curve.chosen && bin.customers > 0) {
        // 95 % binomial interval of the observed share.
        const double half =
            1.96 * std::sqrt(bin.observed * (1 - bin.observed) / static_cast<double>(bin.customers));
        svg << "<line x1=\"" << px(bin.mean_predicted) << "\" y1=\"" << py(bin.observed - half) << "\" x2=\""
            << px(bin.mean_predicted) << "\" y2=\"" << py(bin.observed + half) << "\" stroke=\"" << colour
            << "\"/>\n";
      }
      svg << "<circle cx=\"" << px(bin.mean_predicted) << "\" cy=\"" << py(bin.observed) << "\" r=\""
          << (curve.chosen ? 3.5 : 2.5) << "\" fill=\"" << colour << "\"/>\n";
    }
  }
  // Legend below the plot: the diagonal, then each model and its scores.
  const double legend_w = 330, legend_h = 18 * static_cast<double>(chart.curves.size() + 1) + 8;
  const double legend_x = kLeft + (plot_w - legend_w) / 2, legend_y = kTop + plot_h + 46;
  svg << "<rect x=\"" << legend_x << "\" y=\"" << legend_y << "\" width=\"" << legend_w << "\" height=\"" << legend_h
      << "\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#cccccc\"/>\n"
      << "<line x1=\"" << legend_x + 8 << "\" y1=\"" << legend_y + 14 << "\" x2=\"" << legend_x + 32 << "\" y2=\""
      << legend_y + 14 << "\" stroke=\"gray\" stroke-dasharray=\"4 4\"/><text x=\"" << legend_x + 38 << "\" y=\""
      << legend_y + 18 << "\">perfectly calibrated    (* the chosen model)</text>\n";
  for (size_t i = 0; i < chart.curves.size(); ++i) {
    const CalibrationCurve& curve = chart.curves[i];
    const double y = legend_y + 32 + 18 * static_cast<double>(i);
    const ChurnCalibration& c = curve.calibration;
    svg << "<line x1=\"" << legend_x + 8 << "\" y1=\"" << y << "\" x2=\"" << legend_x + 32 << "\" y2=\"" << y
        << "\" stroke=\"" << kColours[i % std::size(kColours)] << "\" stroke-width=\"" << (curve.chosen ? 2.5 : 1.2)
        << "\"/><text x=\"" << legend_x + 38 << "\" y=\"" << y + 4 << "\">"
        << XmlEscape(curve.label + (curve.chosen ? "*" : "") + ": Brier " + Score(c.brier) + ", skill " +
                     Score(c.brier_skill) + ", ECE " + Score(c.ece))
        << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace crm::pipeline

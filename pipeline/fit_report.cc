#include "pipeline/fit_report.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "pipeline/svg_text.h"

namespace crm::pipeline {

std::string FitReportSvg(const FitReport& report) {
  const double width = kTrackingChartWidth + (report.calibration ? kCalibrationChartWidth : 0);
  const double warnings_height = report.warnings.empty() ? 0 : 16 + 18 * static_cast<double>(report.warnings.size());
  const double charts_height =
      report.calibration ? std::max(kTrackingChartHeight, kCalibrationChartHeight) : kTrackingChartHeight;
  const double height = charts_height + warnings_height;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<g>\n" << TrackingChartSvg(report.tracking) << "</g>\n";
  if (report.calibration) {
    svg << "<g transform=\"translate(" << kTrackingChartWidth << ",0)\">\n"
        << CalibrationChartSvg(*report.calibration) << "</g>\n";
  }
  for (size_t i = 0; i < report.warnings.size(); ++i) {
    svg << "<text x=\"20\" y=\"" << charts_height + 12 + 18 * static_cast<double>(i)
        << "\" fill=\"#b35900\">" << XmlEscape("warning: " + report.warnings[i]) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

Status WriteFitReport(const FitReport& report, const std::string& path) {
  std::ofstream out(path);
  out << FitReportSvg(report);
  if (!out) return Status::IoError("cannot write report '" + path + "'");
  return Status::Ok();
}

}  // namespace crm::pipeline

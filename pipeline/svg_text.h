// pipeline/svg_text.h
//
// Small helpers for the SVG charts `crmstream fit --report` writes
// (tracking_report.cc, calibration_chart.cc, fit_report.cc): text escaped for
// XML, numbers with one or three decimals.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace crm::pipeline {

// `text` safe as XML character data or a quoted attribute value.
inline std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters are not allowed in XML 1.0 at all.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

inline std::string SvgNumber(double v, int decimals = 1) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace crm::pipeline

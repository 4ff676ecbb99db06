#include "pipeline/cli/segments_table.h"

#include <cstdio>

namespace crm::pipeline {
namespace {

constexpr int kNameWidth = 20;

void Append(std::string& out, const char* format, auto... args) {
  char buf[256];
  const int n = std::snprintf(buf, sizeof buf, format, args...);
  if (n > 0) out.append(buf, static_cast<size_t>(std::min<int>(n, sizeof buf - 1)));
}

}  // namespace

std::string SegmentsTable(const operators::SegmentChain& chain, const operators::SegmentFlows& flows,
                          const operators::MarkovConfig& config) {
  std::string out;
  const char* unit = operators::PeriodUnitName(config.period);
  const size_t n = chain.states.size();
  if (flows.periods_closed == 0 || n == 0) {
    Append(out, "segment transitions: no %s has closed yet (the matrix counts whole %ss of event time)\n", unit, unit);
    return out;
  }
  Append(out, "segment transitions per %s (%lld closed): %% of the customers in a row's segment at a %s's start\n"
              "who were in a column's segment at its end\n",
         unit, static_cast<long long>(flows.periods_closed), unit);
  Append(out, "  %-*s", kNameWidth + 3, "");
  for (size_t j = 0; j < n; ++j) Append(out, "%6zu", j + 1);
  Append(out, "%10s%8s\n", "customers", "left");
  for (size_t i = 0; i < n; ++i) {
    Append(out, "  %2zu %-*.*s", i + 1, kNameWidth, kNameWidth, chain.states[i].c_str());
    for (size_t j = 0; j < n; ++j) {
      if (!chain.observed[i]) {
        Append(out, "%6s", "-");
      } else {
        Append(out, "%6.1f", 100 * chain.transition[i][j]);
      }
    }
    Append(out, "%10lld%8lld\n", static_cast<long long>(chain.customer_periods[i]),
           static_cast<long long>(chain.left[i]));
  }
  Append(out, "steady state%s:", chain.steady.converged ? "" : " (not converged)");
  for (size_t i = 0; i < n; ++i) {
    Append(out, " %zu %.1f%%%s", i + 1, 100 * chain.steady.distribution[i], i + 1 < n ? "," : "\n");
  }
  Append(out, "value per customer under the chain (margin %g, discount %g per %s):", config.margin,
         config.discount_rate, unit);
  for (size_t i = 0; i < n && i < chain.value.size(); ++i) {
    Append(out, " %zu %.0f%s", i + 1, chain.value[i], i + 1 < n ? "," : "\n");
  }
  return out;
}

}  // namespace crm::pipeline

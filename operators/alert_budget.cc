#include "operators/alert_budget.h"

#include <algorithm>
#include <cmath>

namespace crm::operators {
namespace {

constexpr int64_t kDayMs = 86'400'000;

int64_t DayOf(EventTime t) {
  // Floor division: event times before 1970 still fall in whole days.
  return t.epoch_ms >= 0 ? t.epoch_ms / kDayMs : -((-t.epoch_ms + kDayMs - 1) / kDayMs);
}

void Trim(size_t keep, std::vector<double>& top) {
  if (top.size() > keep) top.erase(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(top.size() - keep));
}

}  // namespace

bool AdmitAlert(int64_t max_per_day, EventTime now, double value_at_risk, AlertBudget& b) {
  if (max_per_day <= 0) return true;
  const size_t budget = static_cast<size_t>(std::min(max_per_day, kMaxAlertsPerDay));
  const double value = std::isfinite(value_at_risk) ? std::max(0.0, value_at_risk) : 0.0;
  const int64_t day = DayOf(now);
  if (day > b.day) {
    // The previous counted day's budget-th best candidate sets today's bar.
    Trim(budget, b.top);
    b.bar = b.top.size() >= budget ? b.top.front() : 0.0;
    b.day = day;
    b.sent = 0;
    b.top.clear();
  }
  // Keep the day's best `budget` candidates, ascending.
  Trim(budget, b.top);
  if (b.top.size() < budget || value > b.top.front()) {
    if (b.top.size() == budget) b.top.erase(b.top.begin());
    b.top.insert(std::upper_bound(b.top.begin(), b.top.end(), value), value);
  }
  if (b.sent >= static_cast<int64_t>(budget) || value < b.bar) return false;
  ++b.sent;
  return true;
}

}  // namespace crm::operators

// operators/alert_budget.h
//
// Call-center capacity (issue 12 item 4): at most `max_alerts_per_day`
// alerts per input partition and event-time day (UTC), the most valuable
// at-risk customers first, deterministically.
//
// A streaming operator cannot rank a day's candidates before the day is
// over, so admission is a rule that adapts per day: a candidate (a customer
// the alert policy would alert) is admitted while the day's budget lasts and
// their value at risk reaches the day's bar; the bar is the value at risk of
// the max_alerts_per_day-th best candidate of the previous counted day (0 if
// that day had fewer candidates than the budget). So on a day like
// yesterday, roughly the budget's worth of the most valuable candidates get
// through, and the cap holds on any day. A candidate turned away stays armed
// and is judged again at their next event or overdue check.
//
// The AlertBudget lives in the partition's state (pipeline/state/population_codec.h),
// committed atomically with the customers and offsets, so a replay of the
// same log makes the same decisions. Days only move forward: a late event
// counts in the current day. Pure functions; the caller owns the budget.
#pragma once

#include <cstdint>
#include <vector>

#include "operators/time.h"

namespace crm::operators {

// Upper bound of max_alerts_per_day (the candidates of a day are kept).
inline constexpr int64_t kMaxAlertsPerDay = 10000;

struct AlertBudget {
  int64_t day = INT64_MIN;  // event-time day (days since 1970-01-01 UTC) being counted
  int64_t sent = 0;         // alerts admitted on `day`
  double bar = 0;           // value at risk needed on `day`
  // The best candidates' values at risk on `day`, ascending, at most
  // max_alerts_per_day of them: tomorrow's bar is the first.
  std::vector<double> top;
  bool operator==(const AlertBudget&) const = default;
};

// Records a candidate with `value_at_risk` at event time `now` and says
// whether it may be alerted (then counts it as sent). max_per_day <= 0 admits
// everything and leaves the budget untouched.
bool AdmitAlert(int64_t max_per_day, EventTime now, double value_at_risk, AlertBudget& budget);

}  // namespace crm::operators

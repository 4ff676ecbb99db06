// operators/markov_period.h
//
// The event-time periods of the Markov view of the customer base
// (docs/segments.md "The customer base as a Markov chain") and its settings.
// A period is a calendar month, an ISO week (Monday to Sunday) or a day, in
// UTC, numbered by a period index that increases with time. Pure functions of
// their arguments; any thread.
#pragma once

#include <cstdint>

#include "operators/time.h"

namespace crm::operators {

enum class PeriodUnit : uint8_t { kMonth, kWeek, kDay };

// "month", "week", "day".
const char* PeriodUnitName(PeriodUnit unit);

// The [markov] config table.
struct MarkovConfig {
  PeriodUnit period = PeriodUnit::kMonth;
  // Discount rate per period d: a value one period ahead is worth 1/(1+d)
  // now. 0.008 per month is about 10 % a year.
  double discount_rate = 0.008;
  // Share of spend that is margin: R = margin x mean spend per period
  // (1: values in revenue, like model.value.margin).
  double margin = 1.0;
};

// No period (a partition or customer that has seen none).
inline constexpr int64_t kNoPeriod = INT64_MIN;

// The index of the period containing `t` (months since January 1970,
// weeks since Monday 1969-12-29, days since 1970-01-01; negative before).
int64_t PeriodIndex(PeriodUnit unit, EventTime t);

// The first instant of period `index`.
EventTime PeriodStart(PeriodUnit unit, int64_t index);

}  // namespace crm::operators

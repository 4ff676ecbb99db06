#include "operators/markov_period.h"

#include "operators/civil_date.h"

namespace crm::operators {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;
constexpr int64_t kDaysPerWeek = 7;
// 1970-01-01 was a Thursday: Monday 1969-12-29 is 3 days earlier.
constexpr int64_t kDaysFromMondayToEpoch = 3;
constexpr int64_t kMonthsPerYear = 12;
constexpr int64_t kEpochYear = 1970;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

}  // namespace

const char* PeriodUnitName(PeriodUnit unit) {
  switch (unit) {
    case PeriodUnit::kMonth: return "month";
    case PeriodUnit::kWeek: return "week";
    case PeriodUnit::kDay: return "day";
  }
  return "month";
}

int64_t PeriodIndex(PeriodUnit unit, EventTime t) {
  const int64_t day = FloorDiv(t.epoch_ms, kMsPerDay);
  switch (unit) {
    case PeriodUnit::kDay: return day;
    case PeriodUnit::kWeek: return FloorDiv(day + kDaysFromMondayToEpoch, kDaysPerWeek);
    case PeriodUnit::kMonth: {
      const CivilDate date = CivilFromDays(day);
      return (date.year - kEpochYear) * kMonthsPerYear + date.month - 1;
    }
  }
  return day;
}

EventTime PeriodStart(PeriodUnit unit, int64_t index) {
  int64_t day = index;
  if (unit == PeriodUnit::kWeek) day = index * kDaysPerWeek - kDaysFromMondayToEpoch;
  if (unit == PeriodUnit::kMonth) {
    const int64_t years = FloorDiv(index, kMonthsPerYear);
    day = DaysFromCivil(kEpochYear + years, index - years * kMonthsPerYear + 1, 1);
  }
  return EventTime{day * kMsPerDay};
}

}  // namespace crm::operators

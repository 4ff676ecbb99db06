#include "operators/markov_period.h"


namespace crm::operators {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;
constexpr int64_t kDaysPerWeek = 7;
// 1970-01-01 was a Thursday: Monday 1969-12-29 is 3 days earlier.
constexpr int64_t kDaysFromMondayToEpoch = 3;
constexpr int64_t kMonthsPerYear = 12;
constexpr int64_t kEpochYear = 1970;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

// Proleptic Gregorian calendar <-> days since 1970-01-01 (H. Hinnant's
// days_from_civil / civil_from_days; the standard calendar header is kept
// out of operators/, with every clock).
constexpr int64_t kDaysPerEra = 146'097;
constexpr int64_t kYearsPerEra = 400;
constexpr int64_t kDaysFrom0000To1970 = 719'468;

void CivilFromDays(int64_t days, int64_t& year, int64_t& month) {
  const int64_t z = days + kDaysFrom0000To1970;
  const int64_t era = FloorDiv(z, kDaysPerEra);
  const int64_t doe = z - era * kDaysPerEra;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = yoe + era * kYearsPerEra + (month <= 2 ? 1 : 0);
}

int64_t DaysFromCivil(int64_t year, int64_t month) {  // the first of the month
  year -= month <= 2 ? 1 : 0;
  const int64_t era = FloorDiv(year, kYearsPerEra);
  const int64_t yoe = year - era * kYearsPerEra;
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * kDaysPerEra + doe - kDaysFrom0000To1970;
}

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
      int64_t year, month;
      CivilFromDays(day, year, month);
      return (year - kEpochYear) * kMonthsPerYear + month - 1;
    }
  }
  return day;
}

EventTime PeriodStart(PeriodUnit unit, int64_t index) {
  int64_t day = index;
  if (unit == PeriodUnit::kWeek) day = index * kDaysPerWeek - kDaysFromMondayToEpoch;
  if (unit == PeriodUnit::kMonth) {
    const int64_t years = FloorDiv(index, kMonthsPerYear);
    day = DaysFromCivil(kEpochYear + years, index - years * kMonthsPerYear + 1);
  }
  return EventTime{day * kMsPerDay};
}

}  // namespace crm::operators

// RFC 3339 timestamps of input events (declared in event_decoder.h): parsed
// without locale or time-zone state, into epoch milliseconds.
#include <array>
#include <cstdint>
#include <string_view>

#include "pipeline/wire/civil_date.h"
#include "pipeline/wire/event_decoder.h"

namespace crm::pipeline {
namespace {

// ---------------------------------------------------------------------------
// RFC 3339.

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
  if (pos > s.size() || s.size() - pos < n) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}


}  // namespace


// Grammar (RFC 3339 section 5.6): date-fullyear "-" date-month "-" date-mday
// "T" time-hour ":" time-minute ":" time-second [time-secfrac] time-offset.
// Lower-case "t"/"z" are accepted as the RFC allows; the fraction is cut to
// milliseconds (at most 9 digits). A leap second (":60") maps to the last
// millisecond of its minute, since epoch time has no leap seconds.
bool ParseRfc3339(std::string_view s, int64_t& epoch_ms) {
  int64_t year, month, day, hour, minute, second;
  constexpr size_t kFractionPos = 19;
  if (!Digits(s, 0, 4, year) || s.size() <= kFractionPos || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, hour) ||
      s[13] != ':' || !Digits(s, 14, 2, minute) || s[16] != ':' || !Digits(s, 17, 2, second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 60) {
    return false;
  }
  size_t pos = kFractionPos;
  int64_t millis = 0;
  if (s[pos] == '.') {
    constexpr size_t kMaxFractionDigits = 9;
    const size_t start = ++pos;
    int64_t scale = 100;
    while (pos < s.size() && IsDigit(s[pos])) {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > kMaxFractionDigits) return false;
  }
  if (second == 60) {
    second = 59;
    millis = 999;
  }
  int64_t offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int64_t oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, om) ||
        oh > 23 || om > 59) {
      return false;
    }
    offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  const int64_t days = DaysFromCivil(year, month, day);
  epoch_ms = (((days * 24 + hour) * 60 + minute - offset_minutes) * 60 + second) * 1000 + millis;
  return true;
}

}  // namespace crm::pipeline

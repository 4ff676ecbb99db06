// operators/time.h
//
// Strong types for time. EventTime is the time an event says it happened
// (milliseconds since the Unix epoch, UTC); it never mixes with wall-clock
// time, which operators never see. Duration is a signed span in milliseconds.
#pragma once

#include <cstdint>
#include <compare>

namespace crm::operators {

struct Duration {
  int64_t ms = 0;
  auto operator<=>(const Duration&) const = default;
  double days() const { return static_cast<double>(ms) / 86'400'000.0; }
};

constexpr Duration Milliseconds(int64_t n) { return Duration{n}; }
constexpr Duration Seconds(int64_t n) { return Duration{n * 1000}; }
constexpr Duration Hours(int64_t n) { return Duration{n * 3'600'000}; }
constexpr Duration Days(int64_t n) { return Duration{n * 86'400'000}; }
constexpr Duration DaysF(double n) { return Duration{static_cast<int64_t>(n * 86'400'000.0)}; }

struct EventTime {
  int64_t epoch_ms = 0;
  auto operator<=>(const EventTime&) const = default;
};

constexpr EventTime operator+(EventTime t, Duration d) { return EventTime{t.epoch_ms + d.ms}; }
constexpr EventTime operator-(EventTime t, Duration d) { return EventTime{t.epoch_ms - d.ms}; }
constexpr Duration operator-(EventTime a, EventTime b) { return Duration{a.epoch_ms - b.epoch_ms}; }

}  // namespace crm::operators

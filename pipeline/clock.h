// pipeline/clock.h
//
// Time as the runtime reads it: the wall clock (epoch milliseconds, for the
// partitions' trusted clocks, idle-partition watermarks and lag metrics) and
// the steady clock (for intervals, deadlines and the health heartbeat). The
// runtime never calls std::chrono's now() itself: it is handed a Clock, so
// that tests drive time with a manual clock (tests/pipeline/manual_clock.h)
// instead of waiting. SystemClock is the real one; it holds no state, so any
// thread may read it.
#pragma once

#include <chrono>
#include <cstdint>

namespace crm::pipeline {

class Clock {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  // Nanoseconds since the Unix epoch (also the unique part of a process's
  // changelog epoch ids, which is why the resolution matters).
  virtual int64_t WallNs() const = 0;
  // Milliseconds since the Unix epoch.
  int64_t WallMs() const { return WallNs() / 1'000'000; }
  // A monotonic reading: only differences mean anything.
  virtual SteadyTime Steady() const = 0;
  // Steady() in milliseconds since the steady clock's own epoch (what the
  // health heartbeat stores in an atomic).
  int64_t SteadyMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Steady().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  int64_t WallNs() const override;
  SteadyTime Steady() const override;
};

}  // namespace crm::pipeline

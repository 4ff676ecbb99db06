// tests/pipeline/manual_clock.h
//
// A Clock that moves only when a test says so: both readings start at fixed
// values and Advance() moves them together. Not thread-safe beyond what the
// atomics give: one test thread advances it while the code under test reads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "pipeline/clock.h"

namespace crm::pipeline {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t wall_ms = 1'700'000'000'000) : wall_ns_(wall_ms * 1'000'000) {}

  int64_t WallNs() const override { return wall_ns_.load(); }
  SteadyTime Steady() const override { return SteadyTime(std::chrono::milliseconds(steady_ms_.load())); }

  void Advance(std::chrono::milliseconds by) {
    wall_ns_ += by.count() * 1'000'000;
    steady_ms_ += by.count();
  }

 private:
  std::atomic<int64_t> wall_ns_;
  std::atomic<int64_t> steady_ms_{1'000'000};
};

}  // namespace crm::pipeline

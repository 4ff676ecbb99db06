#include "pipeline/clock.h"

namespace crm::pipeline {

// The only place in the runtime that reads the system's clocks.
int64_t SystemClock::WallNs() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Clock::SteadyTime SystemClock::Steady() const { return std::chrono::steady_clock::now(); }

}  // namespace crm::pipeline

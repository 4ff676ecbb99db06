// pipeline/service_health.h
//
// What /healthz and /readyz report, shared between the processing thread
// (which writes it) and the HTTP thread (which reads it). Atomics only; the
// heartbeat is read against the clock the service writes it with.
#pragma once

#include <atomic>
#include <cstdint>

#include "pipeline/clock.h"

namespace crm::pipeline {

struct ServiceHealth {
  explicit ServiceHealth(const Clock& clock) : clock(clock) {}

  const Clock& clock;                        // steady time of the heartbeat
  std::atomic<bool> running{false};          // processing loop entered
  std::atomic<bool> assigned{false};         // owns at least one partition
  std::atomic<bool> last_commit_ok{true};
  std::atomic<bool> restoring{false};        // restoring state from the changelog
  std::atomic<int64_t> heartbeat_ms{0};      // steady clock of the last loop turn
  std::atomic<int64_t> first_record_ms{0};   // steady clock of the first record processed

  // Records a loop turn now.
  void Beat() { heartbeat_ms.store(clock.SteadyMs()); }
  // Alive: the loop turned within the last `stall_ms`.
  bool Live(int64_t stall_ms) const {
    return running.load() && clock.SteadyMs() - heartbeat_ms.load() < stall_ms;
  }
  bool Ready(int64_t stall_ms) const {
    return Live(stall_ms) && assigned.load() && last_commit_ok.load() && !restoring.load();
  }
};

}  // namespace crm::pipeline

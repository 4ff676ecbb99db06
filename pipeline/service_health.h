// pipeline/service_health.h
//
// What /healthz and /readyz report, shared between the processing thread
// (which writes it) and the HTTP thread (which reads it). Atomics only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace crm::pipeline {

struct ServiceHealth {
  std::atomic<bool> running{false};          // processing loop entered
  std::atomic<bool> assigned{false};         // owns at least one partition
  std::atomic<bool> last_commit_ok{true};
  std::atomic<bool> restoring{false};        // restoring state from the changelog
  std::atomic<int64_t> heartbeat_ms{0};      // steady clock of the last loop turn
  std::atomic<int64_t> first_record_ms{0};   // steady clock of the first record processed

  static int64_t SteadyNowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  // Alive: the loop turned within the last `stall_ms`.
  bool Live(int64_t stall_ms) const {
    return running.load() && SteadyNowMs() - heartbeat_ms.load() < stall_ms;
  }
  bool Ready(int64_t stall_ms) const {
    return Live(stall_ms) && assigned.load() && last_commit_ok.load() && !restoring.load();
  }
};

}  // namespace crm::pipeline

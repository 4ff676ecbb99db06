// pipeline/cli/shutdown_signals.h
//
// Turns SIGINT/SIGTERM into a stop flag, and SIGHUP into a reload flag,
// without async-signal-unsafe code: the constructor blocks the signals in the
// calling thread (so construct it in main before starting other threads,
// which inherit the mask) and a helper thread waits for them with
// sigtimedwait. The flags are owned by the caller; without a reload flag
// SIGHUP keeps its default action.
#pragma once

#include <atomic>
#include <thread>

namespace crm::pipeline {

class ShutdownSignals {
 public:
  explicit ShutdownSignals(std::atomic<bool>& stop, std::atomic<bool>* reload = nullptr);
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

 private:
  std::atomic<bool>& stop_;
  std::atomic<bool>* reload_;
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

}  // namespace crm::pipeline

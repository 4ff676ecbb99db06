#include "pipeline/shutdown_signals.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <ctime>

namespace crm::pipeline {

ShutdownSignals::ShutdownSignals(std::atomic<bool>& stop) : stop_(stop) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([this, set] {
    timespec tick{0, 200'000'000};
    while (!done_.load()) {
      int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
        stop_.store(true);
      }
    }
  });
}

ShutdownSignals::~ShutdownSignals() {
  done_.store(true);
  waiter_.join();
}

}  // namespace crm::pipeline

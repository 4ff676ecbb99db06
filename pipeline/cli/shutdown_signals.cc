#include "pipeline/cli/shutdown_signals.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <ctime>

namespace crm::pipeline {

ShutdownSignals::ShutdownSignals(std::atomic<bool>& stop, std::atomic<bool>* reload)
    : stop_(stop), reload_(reload) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (reload_ != nullptr) sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([this, set] {
    timespec tick{0, 200'000'000};
    while (!done_.load()) {
      int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
        stop_.store(true);
      } else if (sig == SIGHUP && reload_ != nullptr) {
        spdlog::info("received SIGHUP, reloading the model parameters");
        reload_->store(true);
      }
    }
  });
}

ShutdownSignals::~ShutdownSignals() {
  done_.store(true);
  waiter_.join();
}

}  // namespace crm::pipeline

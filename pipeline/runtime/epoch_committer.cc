#include "pipeline/runtime/epoch_committer.h"

#include <chrono>
#include <exception>
#include <system_error>

namespace crm::pipeline {
namespace {

// The committer thread's entry point: nothing escapes it but a Status.
Status RunSteps(const EpochCommitter::Steps& steps) {
  try {
    return steps();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("commit thread: ") + e.what());
  } catch (...) {
    return Status::Internal("commit thread: unknown exception");
  }
}

}  // namespace

EpochCommitter::~EpochCommitter() { Wait().IgnoreError(); }

void EpochCommitter::Start(Steps steps) {
  steps_ = std::move(steps);
  Retry();
}

void EpochCommitter::Retry() {
  try {
    running_ = std::async(std::launch::async, [this] { return RunSteps(steps_); });
  } catch (const std::system_error& e) {
    // No thread to be had: the commit fails like any other.
    std::promise<Status> failed;
    failed.set_value(Status::Internal(std::string("commit thread not started: ") + e.what()));
    running_ = failed.get_future();
  }
}

std::optional<Status> EpochCommitter::Poll() {
  if (!running_.valid() || running_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    return std::nullopt;
  }
  return running_.get();
}

Status EpochCommitter::Wait() {
  if (!running_.valid()) return Status::Ok();
  return running_.get();
}

}  // namespace crm::pipeline

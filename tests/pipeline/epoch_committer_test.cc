// EpochCommitter: the steps run on another thread and their Status comes
// back through Poll/Wait; Retry runs the same steps again; an exception in
// the steps comes back as an Internal status, never across the thread.
#include "pipeline/runtime/epoch_committer.h"

#include <gtest/gtest.h>

#include <future>
#include <stdexcept>
#include <thread>

namespace crm::pipeline {
namespace {

TEST(EpochCommitter, RunsTheStepsOnAnotherThreadAndReturnsTheirStatus) {
  EpochCommitter committer;
  EXPECT_FALSE(committer.in_flight());
  EXPECT_FALSE(committer.Poll().has_value());
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::thread::id ran_on;
  committer.Start([&] {
    ran_on = std::this_thread::get_id();
    open.wait();
    return Status::Unavailable("not yet");
  });
  EXPECT_TRUE(committer.in_flight());
  EXPECT_FALSE(committer.Poll().has_value()) << "still running: held at the gate";
  gate.set_value();
  Status first = committer.Wait();
  EXPECT_EQ(first.code(), StatusCode::kUnavailable);
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_FALSE(committer.in_flight());
  committer.Retry();
  EXPECT_EQ(committer.Wait().code(), StatusCode::kUnavailable) << "the same steps again";
}

TEST(EpochCommitter, AnExceptionInTheStepsBecomesAnInternalStatus) {
  EpochCommitter committer;
  committer.Start([]() -> Status { throw std::runtime_error("boom"); });
  Status status = committer.Wait();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("boom"), std::string::npos);
}

TEST(EpochCommitter, PollCollectsTheStatusOnce) {
  EpochCommitter committer;
  committer.Start([] { return Status::Ok(); });
  std::optional<Status> done;
  while (!(done = committer.Poll())) std::this_thread::yield();  // until the steps return
  EXPECT_TRUE(done->ok());
  EXPECT_FALSE(committer.in_flight());
  EXPECT_FALSE(committer.Poll().has_value());
}

}  // namespace
}  // namespace crm::pipeline

// The pipelined commit (RecordProcessor::BeginCommit/Settle): processing
// goes on while an epoch's commit is in flight, the next epoch's outputs
// wait until it lands, the store gets the epoch as it was cut (never the
// later changes), timers armed by the epoch in flight fire as if committed,
// a failed epoch in flight takes the next one with it, and pipelined runs
// end with the same outputs and state as synchronous ones. The commit is
// held in flight by a flush that waits at a gate the test opens.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/changelog/changelog_record.h"
#include "pipeline/runtime/record_processor.h"
#include "pipeline/state/state_codec.h"
#include "tests/pipeline/processor_fixture.h"

namespace crm::pipeline {
namespace {

class PipelinedCommitTest : public ProcessorFixture {
 protected:
  Status Feed(int64_t offset, const std::string& customer, const std::string& ts) {
    return FeedPurchase(offset, customer, ts, "25.5");
  }
  // The next flush (the in-flight commit's, on the committer thread) waits
  // until OpenGate().
  void CloseGate() {
    gate_ = std::promise<void>();
    gate_open_ = gate_.get_future().share();
    gate_used_ = false;
    sink_.on_flush = [this] {
      if (gate_used_) return;
      gate_used_ = true;  // (on the committer thread only, while the gate is closed)
      gate_open_.wait();
    };
  }
  void OpenGate() { gate_.set_value(); }
  std::optional<int64_t> StoredOffset() {
    auto offset = store_->NextOffset({"crm.purchases", 0});
    EXPECT_TRUE(offset.ok());
    return offset.ok() ? *offset : std::nullopt;
  }
  int64_t StoredPurchases(const std::string& customer) {
    auto state = store_->Get(customer);
    EXPECT_TRUE(state.ok());
    return state.ok() && state->has_value() ? (*state)->purchase_count : -1;
  }
  // Everything published but the changelog (its epoch ids name the run).
  std::vector<std::string> Outputs() const {
    std::vector<std::string> out;
    for (const auto* list : {&sink_.delivered, &sink_.pending}) {
      for (const OutputRecord& r : *list) {
        if (r.topic != config_.topics.changelog) out.push_back(r.topic + " " + r.key + " " + r.value);
      }
    }
    return out;
  }
  std::map<std::string, std::string> StoreDump() const {
    std::map<std::string, std::string> dump;
    EXPECT_TRUE(store_->ForEachCustomer([&](const std::string& id, const std::string& bytes) {
                        dump["customer/" + id] = bytes;
                        return Status::Ok();
                      }).ok());
    EXPECT_TRUE(store_->ScanTimers(0, INT64_MAX, [&](int64_t due, std::string_view id) {
                        dump["timer/" + std::to_string(due) + "/" + std::string(id)] = "";
                        return true;
                      }).ok());
    auto counters = store_->Counters();
    EXPECT_TRUE(counters.ok());
    for (const auto& [name, value] : *counters) dump["counter/" + name] = std::to_string(value);
    return dump;
  }
  void StartOver() {
    processor_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
    sink_ = FakeSink();
    Reopen();
  }
  std::promise<void> gate_;
  std::shared_future<void> gate_open_;
  bool gate_used_ = false;
};

TEST_F(PipelinedCommitTest, ProcessingGoesOnWhileAnEpochIsInFlightAndItsOutputsWaitUntilItLands) {
  config_.state.changelog = false;
  StartOver();
  ASSERT_TRUE(Feed(0, "ann", "2024-01-01T00:00:00Z").ok());
  CloseGate();
  ASSERT_TRUE(processor_->BeginCommit(1000).ok());
  ASSERT_TRUE(processor_->commit_in_flight());
  const size_t first_epoch_outputs = sink_.pending.size();
  ASSERT_TRUE(Feed(1, "ann", "2024-01-02T00:00:00Z").ok());
  ASSERT_TRUE(Feed(2, "bea", "2024-01-02T00:00:00Z").ok());
  EXPECT_EQ(sink_.pending.size(), first_epoch_outputs) << "the next epoch's outputs wait in memory";
  EXPECT_EQ(StoredPurchases("ann"), -1) << "the batch waits for the acknowledgement";
  EXPECT_TRUE(processor_->committed_offsets().empty()) << "offsets move only when the batch lands";

  OpenGate();
  Result<bool> landed = processor_->Settle(/*wait=*/true);
  ASSERT_TRUE(landed.ok()) << landed.status().message();
  EXPECT_TRUE(*landed);
  EXPECT_FALSE(processor_->commit_in_flight());
  EXPECT_EQ(StoredPurchases("ann"), 1) << "the epoch as it was cut, not ann's later purchase";
  EXPECT_EQ(StoredPurchases("bea"), -1);
  EXPECT_EQ(StoredOffset(), std::optional<int64_t>(1));
  EXPECT_EQ(processor_->committed_offsets().at({"crm.purchases", 0}), 1);
  EXPECT_GT(sink_.pending.size(), 0u) << "the held outputs go out once the epoch landed";

  ASSERT_TRUE(processor_->Commit(1000).ok());
  EXPECT_EQ(StoredPurchases("ann"), 2);
  EXPECT_EQ(StoredPurchases("bea"), 1);
  EXPECT_EQ(StoredOffset(), std::optional<int64_t>(3));
}

TEST_F(PipelinedCommitTest, AFailedEpochInFlightTakesTheNextOneWithIt) {
  config_.state.changelog = false;
  StartOver();
  ASSERT_TRUE(Feed(0, "cy", "2024-01-01T00:00:00Z").ok());
  CloseGate();
  sink_.fail_flush = true;
  ASSERT_TRUE(processor_->BeginCommit(1000).ok());
  ASSERT_TRUE(Feed(1, "dee", "2024-01-02T00:00:00Z").ok());
  OpenGate();
  Result<bool> landed = processor_->Settle(/*wait=*/true);
  ASSERT_FALSE(landed.ok());
  EXPECT_EQ(landed.status().code(), StatusCode::kIoError);
  EXPECT_FALSE(processor_->commit_in_flight());
  ASSERT_TRUE(processor_->DropCachedState().ok());
  EXPECT_EQ(StoredOffset(), std::nullopt);
  EXPECT_EQ(StoredPurchases("cy"), -1);
  for (const OutputRecord& r : sink_.pending) EXPECT_NE(r.key, "dee") << "the held outputs never went out";
  sink_.fail_flush = false;
  ASSERT_TRUE(processor_->Commit(1000).ok());
  EXPECT_EQ(StoredPurchases("dee"), -1) << "nothing of the dropped epochs is written later";
}

// The changelog records of an epoch are encoded and produced by the
// committer's thread, not the processor's (which goes on with the next
// epoch), and carry the customers as the epoch was cut.
TEST_F(PipelinedCommitTest, TheCommitterProducesTheChangelogRecordsOfTheEpochAsCut) {
  StartOver();
  ASSERT_TRUE(Feed(0, "ann", "2024-01-01T00:00:00Z").ok());
  const std::thread::id processor_thread = std::this_thread::get_id();
  std::promise<void> gate;
  std::shared_future<void> gate_open = gate.get_future().share();
  std::atomic<int> on_processor_thread{0}, on_committer_thread{0};
  sink_.on_produce = [&](const OutputRecord& r) {
    if (r.topic != config_.topics.changelog) return;
    if (std::this_thread::get_id() == processor_thread) {
      ++on_processor_thread;
      return;
    }
    ++on_committer_thread;
    gate_open.wait();  // until ann's next purchase has changed her cached state
  };
  ASSERT_TRUE(processor_->BeginCommit(1000).ok());
  ASSERT_TRUE(processor_->commit_in_flight());
  EXPECT_EQ(on_processor_thread.load(), 0) << "the cut encodes no changelog record";
  ASSERT_TRUE(Feed(1, "ann", "2024-01-02T00:00:00Z").ok());
  gate.set_value();
  Result<bool> landed = processor_->Settle(/*wait=*/true);
  ASSERT_TRUE(landed.ok()) << landed.status().message();
  sink_.on_produce = nullptr;
  EXPECT_GT(on_committer_thread.load(), 0);
  int ann_records = 0;
  for (const OutputRecord& r : sink_.delivered) {
    if (r.topic != config_.topics.changelog || r.key != ChangelogCustomerKey("ann")) continue;
    ++ann_records;
    Result<operators::CustomerState> state = DecodeState(r.value);
    ASSERT_TRUE(state.ok()) << state.status().message();
    EXPECT_EQ(state->purchase_count, 1) << "the epoch as it was cut, not ann's later purchase";
  }
  EXPECT_EQ(ann_records, 1);
  EXPECT_EQ(StoredPurchases("ann"), 1);
}

// jo's overdue checks are armed by an epoch still in flight when kim's
// events move the watermark past them: they fire exactly as they do when
// every commit is synchronous, and both runs end with the same outputs,
// customers, timers and counters (with the changelog on).
TEST_F(PipelinedCommitTest, PipelinedCommitsEndLikeSynchronousOnes) {
  auto run = [&](bool pipelined) {
    StartOver();
    int64_t offset = 0;
    for (int week = 0; week < 8; ++week) {
      const int day = week * 3 + 1;
      EXPECT_TRUE(Feed(offset++, "jo", "2024-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day) +
                                           "T10:00:00Z").ok());
    }
    if (pipelined) {
      CloseGate();
      EXPECT_TRUE(processor_->BeginCommit(1000).ok());
    } else {
      EXPECT_TRUE(processor_->Commit(1000).ok());
    }
    for (int month = 2; month <= 9; ++month) {
      EXPECT_TRUE(Feed(offset++, "kim", "2024-0" + std::to_string(month) + "-15T10:00:00Z").ok());
      if (pipelined && month == 2) {
        EXPECT_TRUE(processor_->commit_in_flight()) << "the first epoch is still in flight";
        OpenGate();
      }
      if (month == 5) {
        EXPECT_TRUE(pipelined ? processor_->BeginCommit(1000).ok() : processor_->Commit(1000).ok());
      }
    }
    EXPECT_TRUE(processor_->Commit(1000).ok());
    return std::make_pair(Outputs(), StoreDump());
  };
  const auto synchronous = run(false);
  const auto pipelined = run(true);
  bool jo_fired = false;
  for (const std::string& output : synchronous.first) jo_fired |= output.find("timer/0/") != std::string::npos;
  ASSERT_TRUE(jo_fired) << "the scenario fires jo's checks";
  EXPECT_EQ(pipelined.first, synchronous.first);
  EXPECT_EQ(pipelined.second, synchronous.second);
}

}  // namespace
}  // namespace crm::pipeline

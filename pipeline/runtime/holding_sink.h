// pipeline/runtime/holding_sink.h
//
// A RecordSink in front of the real one that can hold records back: while an
// epoch's commit is in flight (epoch_committer.h) its Kafka transaction is
// being completed, and nothing of the next epoch may enter it, so the next
// epoch's outputs and dead letters wait here, in order, until the commit
// lands and Release() produces them into the new transaction. Not holding,
// records pass straight through. The records held are counted in bytes, so
// the caller can stop processing (settle the commit) past a bound. Flush,
// AwaitDelivery, LastDeliveredOffset and Abort belong to the commit: they
// pass through, and while holding only Abort is accepted (it drops what is
// held). One thread uses it; the target sink may meanwhile be used by the
// thread finishing the commit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operators/status.h"
#include "pipeline/io/record_sink.h"

namespace crm::pipeline {

class HoldingSink final : public RecordSink {
 public:
  // Past `max_held_bytes` held, full() says so (Produce still accepts).
  HoldingSink(RecordSink& target, size_t max_held_bytes) : target_(target), max_held_bytes_(max_held_bytes) {}

  Status Produce(const OutputRecord& record) override;
  Status ProduceOwned(OutputRecord&& record) override;
  Status Flush(int timeout_ms) override;
  Status AwaitDelivery(int timeout_ms) override;
  std::optional<int64_t> LastDeliveredOffset(const std::string& topic, int32_t partition) const override;
  Status Abort(int timeout_ms) override;

  // From now on, Produce keeps records instead of passing them on.
  void Hold() { holding_ = true; }
  // Produces what is held, in order, and passes records through again. An
  // error is the target's (the records from the failed one on are dropped:
  // the caller stops, and the replay publishes them).
  Status Release();
  // Forgets what is held and passes records through again.
  void Discard();

  bool holding() const { return holding_; }
  bool full() const { return held_bytes_ > max_held_bytes_; }
  size_t held_records() const { return held_.size(); }

 private:
  RecordSink& target_;
  const size_t max_held_bytes_;
  bool holding_ = false;
  std::vector<OutputRecord> held_;
  size_t held_bytes_ = 0;
};

}  // namespace crm::pipeline

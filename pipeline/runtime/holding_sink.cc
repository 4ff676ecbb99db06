#include "pipeline/runtime/holding_sink.h"

#include <utility>

namespace crm::pipeline {
namespace {

size_t RecordBytes(const OutputRecord& record) {
  size_t bytes = record.topic.size() + record.key.size() + record.value.size();
  for (const auto& [name, value] : record.headers) bytes += name.size() + value.size();
  return bytes;
}

Status NotWhileHolding(const char* what) {
  return Status::Internal(std::string(what) + " while an epoch's commit is in flight");
}

}  // namespace

Status HoldingSink::Produce(const OutputRecord& record) {
  if (!holding_) return target_.Produce(record);
  return ProduceOwned(OutputRecord(record));
}

Status HoldingSink::ProduceOwned(OutputRecord&& record) {
  if (!holding_) return target_.ProduceOwned(std::move(record));
  held_bytes_ += RecordBytes(record);
  held_.push_back(std::move(record));
  return Status::Ok();
}

Status HoldingSink::Flush(int timeout_ms) {
  if (holding_) return NotWhileHolding("flush");
  return target_.Flush(timeout_ms);
}

Status HoldingSink::AwaitDelivery(int timeout_ms) {
  if (holding_) return NotWhileHolding("await delivery");
  return target_.AwaitDelivery(timeout_ms);
}

std::optional<int64_t> HoldingSink::LastDeliveredOffset(const std::string& topic, int32_t partition) const {
  return target_.LastDeliveredOffset(topic, partition);
}

Status HoldingSink::Abort(int timeout_ms) {
  if (holding_) {
    // What is held never reached the broker; the transaction in flight is
    // the committer's to finish or abort.
    Discard();
    return Status::Ok();
  }
  return target_.Abort(timeout_ms);
}

Status HoldingSink::Release() {
  holding_ = false;
  std::vector<OutputRecord> held = std::move(held_);
  Discard();
  for (const OutputRecord& record : held) RETURN_IF_ERROR(target_.Produce(record));
  return Status::Ok();
}

void HoldingSink::Discard() {
  holding_ = false;
  held_.clear();
  held_bytes_ = 0;
}

}  // namespace crm::pipeline

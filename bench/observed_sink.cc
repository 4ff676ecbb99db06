#include "bench/observed_sink.h"

#include <chrono>

namespace crm::bench {

int64_t RecordBytes(const pipeline::OutputRecord& record) {
  int64_t bytes = static_cast<int64_t>(record.key.size() + record.value.size());
  for (const auto& [name, value] : record.headers) bytes += static_cast<int64_t>(name.size() + value.size());
  return bytes;
}

Status ObservedSink::Produce(const pipeline::OutputRecord& record) {
  TopicTally& tally = tallies_[record.topic];
  ++tally.records;
  tally.bytes += RecordBytes(record);
  // Reservoir sampling: every record so far has the same chance to be kept.
  if (tally.sample.size() < kSampleSize) {
    tally.sample.push_back(record);
  } else {
    const auto slot = std::uniform_int_distribution<int64_t>(0, tally.records - 1)(rng_);
    if (slot < static_cast<int64_t>(kSampleSize)) tally.sample[static_cast<size_t>(slot)] = record;
  }
  if (on_produce) on_produce(record);
  return inner_.Produce(record);
}

Status ObservedSink::Flush(int timeout_ms) {
  const auto started = std::chrono::steady_clock::now();
  Status s = inner_.Flush(timeout_ms);
  if (s.ok()) {
    flush_us_.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
    ++flushes_;
    if (on_flushed) on_flushed();
  }
  return s;
}

Status NullSink::Produce(const pipeline::OutputRecord& record) {
  ++produced_;
  if (record.partition >= 0) pending_.emplace_back(record.topic, record.partition);
  return Status::Ok();
}

Status NullSink::Flush(int) {
  for (const auto& key : pending_) ++log_end_[key];
  pending_.clear();
  return Status::Ok();
}

std::optional<int64_t> NullSink::LastDeliveredOffset(const std::string& topic, int32_t partition) const {
  auto it = log_end_.find({topic, partition});
  if (it == log_end_.end()) return std::nullopt;
  return it->second - 1;
}

}  // namespace crm::bench

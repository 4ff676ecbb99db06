// tests/pipeline/fake_record_sink.h
//
// An in-memory RecordSink for processor tests: Produce() queues, Flush()
// "acknowledges" everything queued (offsets per explicit partition, like the
// changelog's) unless told to fail, or to be unavailable for a while. One
// thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/kafka/kafka_sink.h"

namespace crm::pipeline {

class FakeSink : public RecordSink {
 public:
  Status Produce(const OutputRecord& record) override {
    if (on_produce) on_produce(record);
    pending.push_back(record);
    return Status::Ok();
  }
  Status Flush(int) override {
    ++flushes;
    if (on_flush) on_flush();
    if (unavailable_flushes > 0) {
      --unavailable_flushes;
      return Status::Unavailable("broker slow (fake)");
    }
    if (fail_flush) return Status::IoError("broker unreachable (fake)");
    for (const OutputRecord& r : pending) {
      if (r.partition >= 0) last_offsets[{r.topic, r.partition}] = log_end[{r.topic, r.partition}]++;
    }
    delivered.insert(delivered.end(), pending.begin(), pending.end());
    pending.clear();
    return Status::Ok();
  }
  Status AwaitDelivery(int timeout_ms) override { return Flush(timeout_ms); }
  std::optional<int64_t> LastDeliveredOffset(const std::string& topic, int32_t partition) const override {
    auto it = last_offsets.find({topic, partition});
    return it == last_offsets.end() ? std::nullopt : std::optional<int64_t>(it->second);
  }
  Status Abort(int) override {
    aborted.insert(aborted.end(), pending.begin(), pending.end());
    pending.clear();
    return Status::Ok();
  }
  // Another writer appends a record to `topic` [partition].
  void ForeignWrite(const std::string& topic, int32_t partition) { ++log_end[{topic, partition}]; }
  std::map<std::pair<std::string, int32_t>, int64_t> last_offsets;
  std::map<std::pair<std::string, int32_t>, int64_t> log_end;
  std::vector<OutputRecord> aborted;
  std::vector<OutputRecord> pending, delivered;
  bool fail_flush = false;
  int64_t unavailable_flushes = 0;  // this many flushes report Unavailable first
  int64_t flushes = 0;
  std::function<void()> on_flush;   // called at every flush (say, to move a manual clock)
  std::function<void(const OutputRecord&)> on_produce;  // called before a record is queued
};

}  // namespace crm::pipeline

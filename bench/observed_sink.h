// bench/observed_sink.h
//
// A RecordSink decorator for benchmarks: forwards every call to the sink it
// wraps and counts, per topic, the records and bytes (key + value + header
// names and values) that crmstream produced, keeping a uniform sample of
// each topic's records (reservoir sampling, fixed seed) so that a reference
// can later produce records of the same number, size and content. Optional
// hooks see each produced record and each successful Flush (with
// transactions: each committed transaction), for latency, and the wall
// time each successful Flush took is kept. NullSink is the
// broker-less end: it drops records and acknowledges them on Flush with
// offsets per explicit partition, as the changelog's checks expect. One
// thread, like every RecordSink.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/io/record_sink.h"

namespace crm::bench {

struct TopicTally {
  int64_t records = 0;
  int64_t bytes = 0;
  std::vector<pipeline::OutputRecord> sample;  // at most ObservedSink::kSampleSize
};

class ObservedSink : public pipeline::RecordSink {
 public:
  static constexpr size_t kSampleSize = 4096;

  explicit ObservedSink(pipeline::RecordSink& inner) : inner_(inner) {}
  // Owns the sink it wraps (handed to a Service as its only sink).
  explicit ObservedSink(std::unique_ptr<pipeline::RecordSink> inner) : owned_(std::move(inner)), inner_(*owned_) {}

  Status Produce(const pipeline::OutputRecord& record) override;
  Status Flush(int timeout_ms) override;
  Status AwaitDelivery(int timeout_ms) override { return inner_.AwaitDelivery(timeout_ms); }
  std::optional<int64_t> LastDeliveredOffset(const std::string& topic, int32_t partition) const override {
    return inner_.LastDeliveredOffset(topic, partition);
  }
  Status Abort(int timeout_ms) override { return inner_.Abort(timeout_ms); }

  const std::map<std::string, TopicTally>& tallies() const { return tallies_; }
  int64_t flushes() const { return flushes_; }
  // How long each successful Flush took, in microseconds, in order.
  const std::vector<int64_t>& flush_us() const { return flush_us_; }

  std::function<void(const pipeline::OutputRecord&)> on_produce;
  std::function<void()> on_flushed;  // after each successful Flush

 private:
  std::unique_ptr<pipeline::RecordSink> owned_;
  pipeline::RecordSink& inner_;
  std::map<std::string, TopicTally> tallies_;
  std::mt19937_64 rng_{7};
  int64_t flushes_ = 0;
  std::vector<int64_t> flush_us_;
};

// Bytes a record puts on the wire before compression and framing.
int64_t RecordBytes(const pipeline::OutputRecord& record);

class NullSink : public pipeline::RecordSink {
 public:
  Status Produce(const pipeline::OutputRecord& record) override;
  Status Flush(int) override;
  Status AwaitDelivery(int timeout_ms) override { return Flush(timeout_ms); }
  std::optional<int64_t> LastDeliveredOffset(const std::string& topic, int32_t partition) const override;
  Status Abort(int) override {
    pending_.clear();
    return Status::Ok();
  }
  int64_t produced() const { return produced_; }

 private:
  int64_t produced_ = 0;
  std::vector<std::pair<std::string, int32_t>> pending_;  // explicit partitions awaiting Flush
  std::map<std::pair<std::string, int32_t>, int64_t> log_end_;
};

}  // namespace crm::bench

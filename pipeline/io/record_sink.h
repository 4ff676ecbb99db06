// pipeline/io/record_sink.h
//
// The runtime's output port: an OutputRecord (topic, key, value, headers,
// timestamp, partition) and the RecordSink interface that publishes them.
// KafkaSink is the librdkafka implementation; tests use an in-memory fake.
// Nothing here names librdkafka, so encoders, the changelog and the runtime
// depend on this header rather than on a Kafka client. One thread uses a sink.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "operators/status.h"

namespace crm::pipeline {

struct OutputRecord {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timestamp_ms = 0;  // record timestamp; 0 = the producer's clock
  int32_t partition = -1;    // -1: by key (murmur2_random); else this partition
  bool tombstone = false;    // a null value (deletes the key in a compacted topic)
  bool null_key = false;     // a null key (not the same as an empty one)
};

// What the runtime needs from a sink; tests use an in-memory fake.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Status Produce(const OutputRecord& record) = 0;
  // The same, for a record the caller gives up: a sink that keeps records
  // (holding_sink.h) takes it without a copy.
  virtual Status ProduceOwned(OutputRecord&& record) { return Produce(record); }
  // Unavailable: not everything was acknowledged in time; call again.
  virtual Status Flush(int timeout_ms) = 0;
  // Waits until everything produced so far is acknowledged, without ending
  // the transaction (if any). Same errors as Flush.
  virtual Status AwaitDelivery(int timeout_ms) = 0;
  // The offset the last acknowledged record with an explicit partition got
  // in `topic` [partition] (nullopt: none yet), for changelog checkpoints.
  virtual std::optional<int64_t> LastDeliveredOffset(const std::string& topic, int32_t partition) const = 0;
  // Gives up everything produced since the last Flush: the open transaction
  // is aborted (read_committed consumers never see it) and a new one begun;
  // without transactions, what is still queued is purged.
  virtual Status Abort(int timeout_ms) = 0;
};

}  // namespace crm::pipeline

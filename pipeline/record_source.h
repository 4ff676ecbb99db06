// pipeline/record_source.h
//
// What the service needs from the consumer half of Kafka, so that its loop
// runs on librdkafka in production (kafka_source.h) and on an in-memory fake
// in tests (tests/pipeline/fake_record_source.h). A source joins the group
// for the input topics, hands out records one Poll() at a time, tells its
// RebalanceListener about assignments and revocations (from inside Poll(),
// on the polling thread, like librdkafka's rebalance callback), pauses and
// resumes fetching per partition, takes advisory offset commits and answers
// the log end of a partition for the lag metric. The service owns where a
// partition starts: OnAssigned() sets every assigned partition's start
// offset (or removes it from the assignment) before the source applies it.
// One thread uses a source.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operators/status.h"
#include "pipeline/event_time_bounds.h"
#include "pipeline/state_store.h"

namespace crm::pipeline {

// One thing Poll() hands out: a record, the end of a partition (no record
// after `offset` for now), or a consumer error the service logs and goes on.
struct SourceRecord {
  enum class Type { kRecord, kPartitionEnd, kError };
  Type type = Type::kRecord;
  std::string_view topic;  // empty for an error not tied to a partition
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string_view> key;    // nullopt: a null key
  std::optional<std::string_view> value;  // nullopt: a null value
  int64_t timestamp_ms = -1;              // -1: none
  RecordTimestampType timestamp_type = RecordTimestampType::kNone;
  std::string error;  // kError: what went wrong
  // Owns what the views point into (librdkafka's message, the fake's bytes).
  std::unique_ptr<void, void (*)(void*)> storage{nullptr, nullptr};
};

// A partition the group gives this instance: the service sets `offset` (the
// next offset to read; kSourceOffsetBeginning for the start of the log).
struct AssignedPartition {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};
// The offsets a partition's log holds: [start, end).
struct LogExtent {
  int64_t start = 0;
  int64_t end = 0;
};

inline constexpr int64_t kSourceOffsetBeginning = -2;  // librdkafka's OFFSET_BEGINNING

class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // New partitions: set each one's start offset; erase the ones not to be
  // consumed now (a restore interrupted by a stop request).
  virtual void OnAssigned(std::vector<AssignedPartition>& partitions) = 0;
  // Partitions taken away. `lost`: the session expired and another instance
  // may own them already (nothing may be committed for them).
  virtual void OnRevoked(const std::vector<TopicPartitionKey>& partitions, bool lost) = 0;
  // The source could not apply a rebalance: the service stops with it.
  virtual void OnSourceError(Status status) = 0;
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // Joins the group for `topics`; rebalances are told to `listener`, which
  // must outlive the source's last Poll() or Close().
  virtual Status Subscribe(const std::vector<std::string>& topics, RebalanceListener* listener) = 0;
  // Leaves the group and joins it again (after being fenced), so that what
  // comes next is assigned afresh.
  virtual Status Rejoin() = 0;
  // The next record or event, waiting at most `timeout_ms`; nullopt: none.
  virtual std::optional<SourceRecord> Poll(int timeout_ms) = 0;
  virtual void Pause(const TopicPartitionKey& partition) = 0;
  virtual void Resume(const TopicPartitionKey& partition) = 0;
  // Advisory: the next offsets reached, for lag tools only (the state store
  // holds the positions the service resumes from). Failures are only logged.
  virtual void CommitOffsets(const std::map<TopicPartitionKey, int64_t>& next_offsets) = 0;
  // The partition's log start and end as last heard from the broker;
  // nullopt: unknown.
  virtual std::optional<LogExtent> Extent(const TopicPartitionKey& partition) = 0;
  // Leaves the group (revoking what is assigned, through the listener).
  virtual void Close() = 0;
};

}  // namespace crm::pipeline

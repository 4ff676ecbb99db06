// pipeline/changelog.h
//
// The changelog topic that lets a partition's state move between instances
// (DESIGN.md "Scale-out"). Changelog partition p holds input partition p's
// state: every commit writes, before its atomic RocksDB batch and in the same
// producer flush (or Kafka transaction) as the outputs,
//   'c' customer_id        -> encoded CustomerState (null: deleted)
//   't' timer key bytes    -> "" (null: fired or re-armed)
//   'p'                    -> encoded PartitionState (clock, RFM population)
//   'm'                    -> marker: the epoch is complete, with the input
//                             offsets it reached ({"topic": next offset})
// every record carrying the writer's epoch id in header "crm.epoch". The
// topic is meant to be compacted: the latest record per key is the state.
//
// Restore reads a partition from the local checkpoint to the end and applies
// an epoch only when its marker arrives, each epoch in one atomic RocksDB
// write with its offsets and the new checkpoint. Records of an epoch without
// a marker (a writer that died mid-commit) are never applied; their keys are
// returned so that the next commit rewrites their current values, and
// compaction then keeps the rewritten record instead of the dead writer's.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "operators/customer_state.h"
#include "operators/status.h"
#include "pipeline/kafka_client.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/state_store.h"

namespace crm::pipeline {

inline constexpr const char* kEpochHeader = "crm.epoch";

// Builds changelog records of one epoch.
class ChangelogWriter {
 public:
  ChangelogWriter(std::string topic, std::string epoch) : topic_(std::move(topic)), epoch_(std::move(epoch)) {}
  const std::string& topic() const { return topic_; }

  OutputRecord Customer(int32_t partition, const std::string& id, const operators::CustomerState* state) const;
  OutputRecord Timer(int32_t partition, const std::string& timer_key_bytes, bool present) const;
  OutputRecord Partition(int32_t partition, const std::string& encoded_partition_state) const;
  OutputRecord Marker(int32_t partition, const std::map<TopicPartitionKey, int64_t>& next_offsets) const;

  // A new epoch id for the next commit.
  void NextEpoch(std::string epoch) { epoch_ = std::move(epoch); }

 private:
  OutputRecord Record(int32_t partition, std::string key) const;
  std::string topic_;
  std::string epoch_;
};

struct RestoreResult {
  int64_t records = 0;        // changelog records read
  int64_t epochs = 0;         // complete epochs applied
  double seconds = 0;
  std::set<std::string> keys_to_rewrite;  // changelog keys of epochs without a marker
};

// Makes sure the changelog topic has at least as many partitions as
// `input_topic`: creates it (compacted) when it does not exist yet, and
// fails with InvalidArgument, saying what to do, when it has fewer. When the
// cluster cannot be asked (broker away), logs nothing and returns Ok: a
// produce to a missing partition fails later with the broker's error.
Status EnsureChangelogTopic(rd_kafka_t* client, const std::string& input_topic, const std::string& changelog,
                            int timeout_ms);

// Restores `partition` of the changelog `topic` into `store`, from the
// store's checkpoint to the current end. `progress` is called every 100k
// records with (records read, records to read).
Result<RestoreResult> RestoreChangelogPartition(const KafkaProperties& properties, const std::string& topic,
                                                int32_t partition, StateStore& store,
                                                const std::function<void(int64_t, int64_t)>& progress);

}  // namespace crm::pipeline

// pipeline/kafka_source.h
//
// The librdkafka RecordSource: a group consumer of the input topics with
// manual offset positioning (the rebalance callback asks the service where
// each assigned partition starts), end-of-partition events, pause/resume,
// advisory async offset commits and cached log ends for the lag metric. It
// speaks both the eager and the cooperative rebalance protocol. Errors of
// librdkafka calls become Status values (an assignment that cannot be
// applied is told to the listener). One thread uses a source.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "operators/status.h"
#include "pipeline/kafka_client.h"
#include "pipeline/record_source.h"

namespace crm::pipeline {

class KafkaSource final : public RecordSource {
 public:
  // A consumer of group `runtime.group_id` with the [kafka] table's settings
  // and the ones the service relies on (no auto commit, partition EOF,
  // range assignment so one instance gets the same partition number of
  // every input, read_committed, earliest when nothing is known).
  static Result<std::unique_ptr<KafkaSource>> Create(const config::Config& config);
  ~KafkaSource() override;

  Status Subscribe(const std::vector<std::string>& topics, RebalanceListener* listener) override;
  Status Rejoin() override;
  std::optional<SourceRecord> Poll(int timeout_ms) override;
  void Pause(const TopicPartitionKey& partition) override;
  void Resume(const TopicPartitionKey& partition) override;
  void CommitOffsets(const std::map<TopicPartitionKey, int64_t>& next_offsets) override;
  std::optional<LogExtent> Extent(const TopicPartitionKey& partition) override;
  void Close() override;

  // The client, for admin requests on the same connection (the changelog topic).
  rd_kafka_t* handle() { return consumer_.get(); }

 private:
  KafkaSource() = default;
  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  // Assigns (`add`) or unassigns `partitions` in the group's protocol;
  // the client's error text when it refuses.
  std::optional<std::string> ChangeAssignment(rd_kafka_topic_partition_list_t* partitions, bool add);

  KafkaHandle consumer_;
  TopicPartitionList subscription_;
  RebalanceListener* listener_ = nullptr;
  bool closed_ = false;
};

}  // namespace crm::pipeline

// pipeline/kafka/reset_positions.h
//
// What `crmstream reset` asks the cluster before it changes anything: the
// offset every input partition is to be reprocessed from, and whether any
// instance is still a member of the consumer group. They go through
// librdkafka handles the caller owns: a client for the questions (a
// producer does), and a consumer that is never subscribed, assigned partitions to read record timestamps when
// the broker cannot look them up. librdkafka's errors come back as Status.
// One thread at a time per handle.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operators/status.h"
#include "pipeline/io/topic_partition.h"

namespace crm::pipeline {

// Where to reprocess from: the earliest retained record, or the first record
// whose Kafka timestamp (CreateTime or LogAppendTime) is at or after
// `at_ms` (epoch ms).
struct ResetTarget {
  std::optional<int64_t> at_ms;  // nullopt: earliest
};

struct ResetPosition {
  int64_t offset = 0;  // the next offset to read
  int64_t low = 0;     // the partition's earliest retained offset
  int64_t high = 0;    // its end (the next offset to be written)
  // The broker answered "no record that recent" although the partition's
  // last record is (the embedded broker cannot look offsets up by time):
  // the offset was found by reading the partition's record timestamps.
  bool found_by_reading = false;
};

// For every partition of every topic in `topics`: the position to resume
// from. Earliest is the low watermark; a datetime is
// rd_kafka_offsets_for_times, or the end when no record is that recent
// (checked against the last record's timestamp: when that is at or after
// the datetime, the broker could not look the time up, and the first offset
// whose timestamp is at or after it is found by reading the partition).
// A topic that does not exist is an InvalidArgument naming it.
Result<std::map<TopicPartitionKey, ResetPosition>> FindResetPositions(rd_kafka_t* client, rd_kafka_t* reader,
                                                                      const std::vector<std::string>& topics,
                                                                      const ResetTarget& target, int timeout_ms);

// The members of consumer group `group` (their client ids and hosts), from
// the cluster's DescribeGroups (an empty list for an unknown group). Unavailable when the cluster cannot say (the
// embedded broker has no DescribeGroups): then nobody can tell whether an
// instance is still running.
struct GroupMember {
  std::string client_id;
  std::string host;
};
Result<std::vector<GroupMember>> DescribeGroupMembers(rd_kafka_t* client, const std::string& group, int timeout_ms);

}  // namespace crm::pipeline

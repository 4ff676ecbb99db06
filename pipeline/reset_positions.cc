#include "pipeline/reset_positions.h"

#include <algorithm>
#include <memory>

#include "pipeline/kafka_client.h"

namespace crm::pipeline {
namespace {

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};

struct GroupListDeleter {
  void operator()(const struct rd_kafka_group_list* l) const { rd_kafka_group_list_destroy(l); }
};

// Partition counts of the cluster's topics, asked for all topics: asking for
// one by name could auto-create it.
Result<std::map<std::string, int>> PartitionCounts(rd_kafka_t* client, int timeout_ms) {
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client, 1, nullptr, &raw, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Unavailable("cluster metadata: " + KafkaErrorText(err));
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> metadata(raw);
  std::map<std::string, int> counts;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    if (metadata->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      counts[metadata->topics[i].topic] = metadata->topics[i].partition_cnt;
    }
  }
  return counts;
}

// The first offset in [from, high) whose record timestamp is at or after
// `at_ms`, or `high` when there is none.
Result<int64_t> FirstOffsetAtOrAfter(rd_kafka_t* consumer, const std::string& topic, int32_t partition,
                                     int64_t from, int64_t high, int64_t at_ms, int timeout_ms) {
  TopicPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = from;
  rd_kafka_resp_err_t err = rd_kafka_assign(consumer, list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::IoError("assign " + topic + ": " + KafkaErrorText(err));
  int64_t found = high;
  Status status;
  for (;;) {
    OwnedMessage m(rd_kafka_consumer_poll(consumer, timeout_ms));
    if (!m) {
      status = Status::Unavailable("reading " + topic + " [" + std::to_string(partition) + "]: no records for " +
                                   std::to_string(timeout_ms) + " ms");
      break;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      status = Status::Unavailable("reading " + topic + " [" + std::to_string(partition) +
                                   "]: " + rd_kafka_message_errstr(m.get()));
      break;
    }
    if (rd_kafka_message_timestamp(m.get(), nullptr) >= at_ms) {
      found = m->offset;
      break;
    }
    if (m->offset >= high - 1) break;
  }
  rd_kafka_resp_err_t unassigned = rd_kafka_assign(consumer, nullptr);
  if (!status.ok()) return status;
  if (unassigned != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::IoError("unassign: " + KafkaErrorText(unassigned));
  return found;
}

}  // namespace

Result<std::map<TopicPartitionKey, ResetPosition>> FindResetPositions(rd_kafka_t* client, rd_kafka_t* reader,
                                                                      const std::vector<std::string>& topics,
                                                                      const ResetTarget& target, int timeout_ms) {
  ASSIGN_OR_RETURN(auto counts, PartitionCounts(client, timeout_ms));
  std::map<TopicPartitionKey, ResetPosition> positions;
  TopicPartitionList by_time(rd_kafka_topic_partition_list_new(0));
  for (const std::string& topic : topics) {
    auto it = counts.find(topic);
    if (it == counts.end() || it->second <= 0) {
      return Status::InvalidArgument("input topic '" + topic + "' does not exist on the cluster");
    }
    for (int32_t partition = 0; partition < it->second; ++partition) {
      ResetPosition position;
      rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(client, topic.c_str(), partition, &position.low,
                                                                 &position.high, timeout_ms);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Status::Unavailable("offsets of " + topic + " [" + std::to_string(partition) +
                                   "]: " + KafkaErrorText(err));
      }
      position.offset = position.low;
      positions[TopicPartitionKey{topic, partition}] = position;
      if (target.at_ms) {
        rd_kafka_topic_partition_list_add(by_time.get(), topic.c_str(), partition)->offset = *target.at_ms;
      }
    }
  }
  if (!target.at_ms || by_time->cnt == 0) return positions;
  // Replaces each timestamp with the earliest offset whose timestamp is at
  // or after it, or -1 (the end) when there is none.
  rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(client, by_time.get(), timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Unavailable("offsets for time: " + KafkaErrorText(err));
  for (int i = 0; i < by_time->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = by_time->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable("offset for time of " + std::string(tp.topic) + " [" + std::to_string(tp.partition) +
                                 "]: " + KafkaErrorText(tp.err));
    }
    ResetPosition& position = positions[TopicPartitionKey{tp.topic, tp.partition}];
    if (tp.offset >= 0) {
      position.offset = std::max(tp.offset, position.low);
      continue;
    }
    position.offset = position.high;
    if (position.low >= position.high) continue;
    ASSIGN_OR_RETURN(int64_t last, FirstOffsetAtOrAfter(reader, tp.topic, tp.partition, position.high - 1,
                                                        position.high, *target.at_ms, timeout_ms));
    if (last == position.high) continue;  // the broker was right: nothing that recent
    ASSIGN_OR_RETURN(position.offset, FirstOffsetAtOrAfter(reader, tp.topic, tp.partition, position.low,
                                                           position.high, *target.at_ms, timeout_ms));
    position.found_by_reading = true;
  }
  return positions;
}

Result<std::vector<GroupMember>> DescribeGroupMembers(rd_kafka_t* client, const std::string& group, int timeout_ms) {
  // rd_kafka_list_groups (ListGroups + DescribeGroups) rather than the Admin
  // API's DescribeConsumerGroups: in librdkafka 2.0.2 the latter leaves the
  // client's main thread deadlocked when the broker lacks DescribeGroups
  // (the embedded broker), so every later request times out and
  // rd_kafka_destroy never returns.
  const struct rd_kafka_group_list* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_list_groups(client, group.c_str(), &raw, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__PARTIAL) {
    return Status::Unavailable("describe group '" + group + "': " + KafkaErrorText(err));
  }
  std::unique_ptr<const struct rd_kafka_group_list, GroupListDeleter> list(raw);
  if (err == RD_KAFKA_RESP_ERR__PARTIAL) {
    return Status::Unavailable("describe group '" + group + "': not every broker answered");
  }
  std::vector<GroupMember> members;
  for (int i = 0; list != nullptr && i < list->group_cnt; ++i) {
    const struct rd_kafka_group_info& info = list->groups[i];
    if (group != info.group) continue;
    if (info.err != RD_KAFKA_RESP_ERR_NO_ERROR && info.err != RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) {
      return Status::Unavailable("describe group '" + group + "': " + KafkaErrorText(info.err));
    }
    for (int m = 0; m < info.member_cnt; ++m) {
      members.push_back({info.members[m].client_id ? info.members[m].client_id : "",
                         info.members[m].client_host ? info.members[m].client_host : ""});
    }
  }
  return members;
}

}  // namespace crm::pipeline

// pipeline/io/topic_partition.h
//
// Names one partition of one topic: the key of offsets, assignments, pauses
// and checkpoints across the runtime, the state store and the Kafka adapters.
// A plain value, ordered so it can key a std::map.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace crm::pipeline {

struct TopicPartitionKey {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartitionKey&) const = default;
};

}  // namespace crm::pipeline

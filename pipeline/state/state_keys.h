// pipeline/state/state_keys.h
//
// The byte layout of the state store's keys, written and read only by
// state_store.cc: counter, partition-data and checkpoint keys in the default
// column family, offset keys (topic, NUL, partition) and timer keys
// (partition, due time, customer id). Numbers are big-endian, and due times
// have their sign bit flipped, so that keys sort like the numbers in them and
// a range scan visits timers in due order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/state/state_store.h"

namespace crm::pipeline {

inline const std::string kCounterPrefix = "counter/";
inline const std::string kPartitionPrefix = "partition/";
inline const std::string kCheckpointPrefix = "checkpoint/";

// Flipping the sign bit makes signed due times sort as unsigned bytes.
inline constexpr uint64_t kSignBit = uint64_t{1} << 63;
// A timer key's partition (4 bytes) and due time (8 bytes).
inline constexpr size_t kTimerPrefixBytes = 12;

// Appends the low `bytes` bytes of `v`, most significant first.
void AppendBigEndian(std::string& out, uint64_t v, int bytes);
uint64_t ReadBigEndian(std::string_view in);

std::string PartitionKey(int32_t partition);
std::string CheckpointKey(int32_t partition);
std::string OffsetKey(const TopicPartitionKey& tp);
std::string EncodeOffset(int64_t offset);
int64_t DecodeOffset(const std::string& bytes);

}  // namespace crm::pipeline

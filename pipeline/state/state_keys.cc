#include "pipeline/state/state_keys.h"

namespace crm::pipeline {

// Big-endian, so that keys sort like the numbers in them.
void AppendBigEndian(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t ReadBigEndian(std::string_view in) {
  uint64_t v = 0;
  for (unsigned char c : in) v = (v << 8) | c;
  return v;
}

namespace {

std::string PrefixedPartitionKey(std::string prefix, int32_t partition) {
  AppendBigEndian(prefix, static_cast<uint32_t>(partition), 4);
  return prefix;
}

}  // namespace

std::string PartitionKey(int32_t partition) { return PrefixedPartitionKey(kPartitionPrefix, partition); }
std::string CheckpointKey(int32_t partition) { return PrefixedPartitionKey(kCheckpointPrefix, partition); }
std::string OffsetKey(const TopicPartitionKey& tp) { return PrefixedPartitionKey(tp.topic + '\0', tp.partition); }

std::string EncodeOffset(int64_t offset) {
  std::string out;
  AppendBigEndian(out, static_cast<uint64_t>(offset), 8);
  return out;
}

int64_t DecodeOffset(const std::string& bytes) { return static_cast<int64_t>(ReadBigEndian(bytes)); }

std::string TimerKeyBytes(const TimerKey& t) {
  std::string key;
  key.reserve(kTimerPrefixBytes + t.customer_id.size());
  AppendBigEndian(key, static_cast<uint32_t>(t.partition), 4);
  AppendBigEndian(key, static_cast<uint64_t>(t.due_ms) ^ kSignBit, 8);
  key.append(t.customer_id);
  return key;
}

}  // namespace crm::pipeline

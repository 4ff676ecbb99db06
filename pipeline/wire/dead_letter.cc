#include "pipeline/wire/dead_letter.h"

#include <charconv>
#include <cstdint>

namespace crm::pipeline {
namespace {

constexpr size_t kDefaultMessageMaxBytes = 1'000'000;

size_t HeaderBytes(const OutputRecord& record) {
  size_t total = 0;
  for (const auto& [name, value] : record.headers) total += name.size() + value.size();
  return total;
}

// Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence.
std::string_view CutUtf8(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

size_t DeadLetterBudget(const std::map<std::string, std::string>& kafka_properties) {
  size_t limit = kDefaultMessageMaxBytes;
  if (auto it = kafka_properties.find("message.max.bytes"); it != kafka_properties.end()) {
    size_t parsed = 0;
    const char* end = it->second.data() + it->second.size();
    auto [ptr, ec] = std::from_chars(it->second.data(), end, parsed);
    if (ec == std::errc() && ptr == end && parsed > 0) limit = parsed;
  }
  return limit > kRecordFramingBytes ? limit - kRecordFramingBytes : 0;
}

OutputRecord MakeDeadLetter(const std::string& deadletter_topic, const RejectedRecord& rejected,
                            std::string_view error_code, std::string_view reason, size_t max_record_bytes) {
  OutputRecord record;
  record.topic = deadletter_topic;
  record.null_key = !rejected.key.has_value();
  record.tombstone = !rejected.value.has_value();
  const std::string_view key = rejected.key.value_or(std::string_view());
  const std::string_view value = rejected.value.value_or(std::string_view());
  const operators::EventOrigin& origin = *rejected.origin;
  std::string cut_reason(CutUtf8(reason, kMaxReasonBytes));
  if (cut_reason.size() < reason.size()) cut_reason += "...";
  record.headers = {{kDeadLetterSourceTopic, origin.topic},
                    {kDeadLetterSourcePartition, std::to_string(origin.partition)},
                    {kDeadLetterSourceOffset, std::to_string(origin.offset)},
                    {kDeadLetterErrorCode, std::string(error_code)},
                    {kDeadLetterErrorReason, std::move(cut_reason)}};
  if (key.size() + value.size() + HeaderBytes(record) <= max_record_bytes) {
    record.key.assign(key);
    record.value.assign(value);
    return record;
  }
  // Too large to publish whole: keep the leading bytes and say what arrived.
  record.headers.emplace_back(kDeadLetterTruncated, "true");
  record.headers.emplace_back(kDeadLetterOriginalValueBytes, std::to_string(value.size()));
  const size_t kept_key = std::min(key.size(), kMaxDeadLetterKeyBytes);
  if (kept_key < key.size()) record.headers.emplace_back(kDeadLetterOriginalKeyBytes, std::to_string(key.size()));
  record.key.assign(key.substr(0, kept_key));
  const size_t used = record.key.size() + HeaderBytes(record);
  const size_t room = used < max_record_bytes ? max_record_bytes - used : 0;
  record.value.assign(value.substr(0, std::min(room, value.size())));
  return record;
}

}  // namespace crm::pipeline

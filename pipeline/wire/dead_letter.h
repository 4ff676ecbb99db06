// pipeline/wire/dead_letter.h
//
// Builds the dead-letter record for a rejected input record (DESIGN.md "Input
// contract"): the original key and value exactly as they arrived (null stays
// null, empty stays empty) and headers naming the source position, an error
// code and a readable reason. The record it returns always fits in
// `max_record_bytes` (key + value + headers), whatever the input was: an input
// larger than that keeps its leading bytes and says so in the headers
// (crm.error.truncated = "true", crm.original.value_bytes / key_bytes = the
// sizes that arrived), so a record under the broker's limit can never become a
// dead letter over the producer's limit and block its partition. Pure.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "operators/events.h"
#include "pipeline/io/record_sink.h"

namespace crm::pipeline {

// Header names, part of the dead-letter contract (docs/contracts).
inline constexpr const char* kDeadLetterSourceTopic = "crm.source.topic";
inline constexpr const char* kDeadLetterSourcePartition = "crm.source.partition";
inline constexpr const char* kDeadLetterSourceOffset = "crm.source.offset";
inline constexpr const char* kDeadLetterErrorCode = "crm.error.code";
inline constexpr const char* kDeadLetterErrorReason = "crm.error.reason";
inline constexpr const char* kDeadLetterTruncated = "crm.error.truncated";
inline constexpr const char* kDeadLetterOriginalValueBytes = "crm.original.value_bytes";
inline constexpr const char* kDeadLetterOriginalKeyBytes = "crm.original.key_bytes";

// Room a producer needs beyond key + value + headers for one record in a
// batch (record framing, varints, batch header); librdkafka's
// message.max.bytes counts the whole batch on the wire.
inline constexpr size_t kRecordFramingBytes = 512;
// A key kept in full up to this size; a longer one keeps its first bytes.
inline constexpr size_t kMaxDeadLetterKeyBytes = 1024;
// Reasons are cut to this size (they can quote input).
inline constexpr size_t kMaxReasonBytes = 1024;

// The producer's record limit from the [kafka] table ("message.max.bytes",
// librdkafka's default 1,000,000 when unset or unreadable), less framing.
size_t DeadLetterBudget(const std::map<std::string, std::string>& kafka_properties);

struct RejectedRecord {
  const operators::EventOrigin* origin = nullptr;
  std::optional<std::string_view> key;    // nullopt: the record had a null key
  std::optional<std::string_view> value;  // nullopt: the record had a null value
};

OutputRecord MakeDeadLetter(const std::string& deadletter_topic, const RejectedRecord& rejected,
                            std::string_view error_code, std::string_view reason, size_t max_record_bytes);

}  // namespace crm::pipeline

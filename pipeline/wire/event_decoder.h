// pipeline/wire/event_decoder.h
//
// Decodes and validates one input message (JSON, DESIGN.md "Input contract")
// into a typed operators::Event with simdjson on-demand. Bad input is a value,
// never an exception: a DecodeError with a stable code (used as the
// dead-letter header and metric label) and a readable reason naming the field
// and quoting the offending value as written (bounded to a short excerpt).
// Every byte is checked as JSON, unknown fields included; a key that appears
// twice in any object is invalid_json ("duplicate field 'amount'"), never
// first- or last-wins. An EventDecoder owns a reusable padded buffer: one per
// thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "operators/events.h"

namespace crm::pipeline {

// One per input topic, in the merge order of equal timestamps
// (runtime/input_merger.h): purchases, complaints, service, interactions,
// actions.
enum class InputKind { kPurchase, kComplaint, kService, kInteraction, kAction };

enum class DecodeErrorCode {
  kTooLarge,      // over max_event_bytes
  kInvalidJson,   // not JSON, truncated, trailing characters, duplicate key, not an object
  kMissingField,  // a required field is absent
  kWrongType,     // a field has the wrong JSON type
  kOutOfRange,    // a value outside its documented range/format
};

// Stable lower_snake name: "too_large", "invalid_json", "missing_field",
// "wrong_type", "out_of_range".
const char* DecodeErrorCodeName(DecodeErrorCode code);

struct DecodeError {
  DecodeErrorCode code;
  std::string reason;  // e.g. "field 'amount': must be a number >= 0"
};

using DecodeResult = std::variant<operators::Event, DecodeError>;

// Parses RFC 3339 ("2024-03-01T12:00:00Z", optional fraction, Z or +hh:mm)
// into epoch milliseconds; false when malformed.
bool ParseRfc3339(std::string_view text, int64_t& epoch_ms);

// Limits beyond the input contract's fixed ranges, from the configuration
// (runtime.max_event_bytes, runtime.max_amount).
struct DecoderLimits {
  size_t max_event_bytes = 65536;  // larger messages: too_large
  double max_amount = 1e9;         // a larger purchase amount: out_of_range
};

class EventDecoder {
 public:
  explicit EventDecoder(const DecoderLimits& limits);
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Decodes `bytes` as an event of `kind`. The origin is left empty; the
  // caller fills it in.
  DecodeResult Decode(InputKind kind, std::string_view bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crm::pipeline

// pipeline/wire/json_walker.h
//
// A complete walk over one simdjson on-demand value, for the event decoder.
// On-demand parsing skips what it is not asked for; walking every value is
// what makes every byte of a message checked as JSON, unknown fields
// included. The walk rejects a key that appears twice in any object (never
// first- or last-wins) and nesting deeper than kMaxJsonNestingDepth, which
// also bounds its recursion, and can summarise the value it is given into a
// RawValue for validation afterwards. A JsonWalker borrows its caller's key
// stack (reused from message to message) and serves one message on one
// thread; RawValue text points into the parser's buffers and lives as long as
// the document.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace crm::pipeline {

// Nesting allowed inside a message. The walk recurses once per level, so this
// also bounds the stack it uses.
constexpr int kMaxJsonNestingDepth = 128;

enum class JsonKind { kAbsent, kNull, kBool, kString, kInt, kUint, kDouble, kArray, kObject };

// How a reason names a kind: "nothing", "null", "boolean", "string",
// "number", "array", "object".
const char* JsonKindName(JsonKind k);

// One value, summarised: its kind and, for a scalar, its value.
struct RawValue {
  JsonKind kind = JsonKind::kAbsent;
  bool boolean = false;
  int64_t int_value = 0;    // kInt
  uint64_t uint_value = 0;  // kUint (above INT64_MAX)
  double double_value = 0;  // kDouble
  // kString: the unescaped value, in the parser's string buffer. Numbers: the
  // token as written ("2.0", "1e3"), in the message buffer, for reasons.
  std::string_view text;

  bool is_number() const {
    return kind == JsonKind::kInt || kind == JsonKind::kUint || kind == JsonKind::kDouble;
  }
  double AsDouble() const {
    switch (kind) {
      case JsonKind::kInt: return static_cast<double>(int_value);
      case JsonKind::kUint: return static_cast<double>(uint_value);
      default: return double_value;
    }
  }
};

// Keys are collected per object in `keys` (a stack: an object's keys sit
// above its parent's) and checked when their object ends by sorting them:
// O(n log n) in the keys of one object, bounded by the message size, and
// nothing for an object with fewer than two keys. A caller walking a
// top-level object itself pushes the keys it does not track onto `keys` and
// ends the object with EndObject(0, false).
struct JsonWalker {
  explicit JsonWalker(std::vector<std::string_view>& key_stack) : keys(key_stack) {}

  std::vector<std::string_view>& keys;
  std::optional<std::string_view> duplicate;  // set when the walk stopped on one
  // Start of a string value that failed to unescape: the parser has moved
  // past it by then, and its start is where a reader should look.
  const char* bad_string = nullptr;
  bool duplicate_nested = false;  // ... inside a value, not at the top level

  // Returned when a duplicate key stops the walk (see `duplicate`); simdjson
  // reports it for its own bugs only, which the walk never mistakes for one.
  static constexpr simdjson::error_code kStop = simdjson::UNEXPECTED_ERROR;

  // Checks keys[start..] for a repeat and drops them: kStop on a repeat.
  simdjson::error_code EndObject(size_t start, bool nested);

  // Consumes `value`, found at nesting `depth`, summarising it into `out`
  // when given (a number's text only then). The first error stops the walk.
  simdjson::error_code Consume(simdjson::ondemand::value value, int depth, RawValue* out);
};

}  // namespace crm::pipeline

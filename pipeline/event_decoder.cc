#include "pipeline/event_decoder.h"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace crm::pipeline {
namespace {

namespace ondemand = simdjson::ondemand;
using operators::Event;

constexpr size_t kMaxIdChars = 256;          // event_id, complaint_id, order_id
constexpr size_t kMaxTextChars = 256;        // currency, channel, category
constexpr size_t kMaxCustomerIdChars = 64;
constexpr int64_t kMaxEpochMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
constexpr int64_t kMaxQuantity = std::numeric_limits<int32_t>::max();
constexpr int64_t kMinScore = 1;  // severity and rating
constexpr int64_t kMaxScore = 5;
constexpr int64_t kDefaultSeverity = 3;
// Nesting allowed inside unknown fields. Validation recurses once per level,
// so this also bounds the stack the decoder uses.
constexpr int kMaxNestingDepth = 128;
// Longest excerpt of an offending string value quoted in a reason.
constexpr size_t kMaxQuotedBytes = 64;

// ---------------------------------------------------------------------------
// Raw field values, captured during the single pass over the message and
// validated afterwards in a fixed order, so that the reported error does not
// depend on the order of keys in the message.

enum class JsonKind { kAbsent, kNull, kBool, kString, kInt, kUint, kDouble, kArray, kObject };

const char* KindName(JsonKind k) {
  switch (k) {
    case JsonKind::kAbsent: return "nothing";
    case JsonKind::kNull: return "null";
    case JsonKind::kBool: return "boolean";
    case JsonKind::kString: return "string";
    case JsonKind::kInt:
    case JsonKind::kUint:
    case JsonKind::kDouble: return "number";
    case JsonKind::kArray: return "array";
    case JsonKind::kObject: return "object";
  }
  return "value";
}

struct RawValue {
  JsonKind kind = JsonKind::kAbsent;
  bool boolean = false;
  int64_t int_value = 0;    // kInt
  uint64_t uint_value = 0;  // kUint (above INT64_MAX)
  double double_value = 0;  // kDouble
  std::string_view text;    // kString; lives in the parser's string buffer

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

enum class FieldId {
  kEventId, kCustomerId, kTs,
  kAmount, kCurrency, kQuantity, kChannel, kOrderId,
  kComplaintId, kStatus, kSeverity, kCategory,
  kRating, kResolved, kWaitSeconds,
  kCount,
};

constexpr size_t kFieldCount = static_cast<size_t>(FieldId::kCount);

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "event_id", "customer_id", "ts",
    "amount", "currency", "quantity", "channel", "order_id",
    "complaint_id", "status", "severity", "category",
    "rating", "resolved", "wait_seconds",
};

constexpr uint32_t Bit(FieldId id) { return 1u << static_cast<unsigned>(id); }

constexpr uint32_t kCommonFields = Bit(FieldId::kEventId) | Bit(FieldId::kCustomerId) | Bit(FieldId::kTs);

// The fields each kind reads; every other key is unknown (validated as JSON,
// then ignored).
uint32_t KnownFields(InputKind kind) {
  switch (kind) {
    case InputKind::kPurchase:
      return kCommonFields | Bit(FieldId::kAmount) | Bit(FieldId::kCurrency) | Bit(FieldId::kQuantity) |
             Bit(FieldId::kChannel) | Bit(FieldId::kOrderId);
    case InputKind::kComplaint:
      return kCommonFields | Bit(FieldId::kComplaintId) | Bit(FieldId::kStatus) | Bit(FieldId::kSeverity) |
             Bit(FieldId::kCategory);
    case InputKind::kService:
      return kCommonFields | Bit(FieldId::kChannel) | Bit(FieldId::kRating) | Bit(FieldId::kResolved) |
             Bit(FieldId::kWaitSeconds);
  }
  return kCommonFields;
}

using Fields = std::array<RawValue, kFieldCount>;

// Consumes `value` completely, so that every byte of the message is checked
// as JSON (on-demand parsing otherwise skips what it is not asked for), and
// summarises it into `out` when given.
simdjson::error_code Consume(ondemand::value value, int depth, RawValue* out) {
  if (depth > kMaxNestingDepth) return simdjson::DEPTH_ERROR;
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return error;
  RawValue scratch;
  RawValue& raw = out ? *out : scratch;
  switch (type) {
    case ondemand::json_type::array: {
      raw.kind = JsonKind::kArray;
      ondemand::array array;
      if (auto error = value.get_array().get(array)) return error;
      for (auto element : array) {
        ondemand::value child;
        if (auto error = std::move(element).get(child)) return error;
        if (auto error = Consume(child, depth + 1, nullptr)) return error;
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::object: {
      raw.kind = JsonKind::kObject;
      ondemand::object object;
      if (auto error = value.get_object().get(object)) return error;
      for (auto field : object) {
        ondemand::field f;
        if (auto error = std::move(field).get(f)) return error;
        std::string_view key;
        if (auto error = f.unescaped_key().get(key)) return error;
        if (auto error = Consume(f.value(), depth + 1, nullptr)) return error;
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::number: {
      ondemand::number number;
      if (auto error = value.get_number().get(number)) return error;
      switch (number.get_number_type()) {
        case ondemand::number_type::signed_integer:
          raw.kind = JsonKind::kInt;
          raw.int_value = number.get_int64();
          break;
        case ondemand::number_type::unsigned_integer:
          raw.kind = JsonKind::kUint;
          raw.uint_value = number.get_uint64();
          break;
        case ondemand::number_type::floating_point_number:
          raw.kind = JsonKind::kDouble;
          raw.double_value = number.get_double();
          break;
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::string:
      raw.kind = JsonKind::kString;
      return value.get_string().get(raw.text);
    case ondemand::json_type::boolean:
      raw.kind = JsonKind::kBool;
      return value.get_bool().get(raw.boolean);
    case ondemand::json_type::null: {
      raw.kind = JsonKind::kNull;
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return error;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::TAPE_ERROR;
}

// ---------------------------------------------------------------------------
// Validation of captured fields.

std::string Name(FieldId id) { return "field '" + std::string(kFieldNames[static_cast<size_t>(id)]) + "'"; }

DecodeError Error(DecodeErrorCode code, std::string reason) { return DecodeError{code, std::move(reason)}; }

DecodeError Missing(FieldId id) { return Error(DecodeErrorCode::kMissingField, Name(id) + ": required but missing"); }

DecodeError WrongType(FieldId id, const char* expected, const RawValue& v) {
  return Error(DecodeErrorCode::kWrongType,
               Name(id) + ": must be " + expected + ", got " + KindName(v.kind));
}

std::string FormatNumber(const RawValue& v) {
  switch (v.kind) {
    case JsonKind::kInt: return std::to_string(v.int_value);
    case JsonKind::kUint: return std::to_string(v.uint_value);
    case JsonKind::kDouble: {
      char buffer[32];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.double_value);
      return ec == std::errc() ? std::string(buffer, end) : std::string("?");
    }
    default: return KindName(v.kind);
  }
}

// A bounded, quoted excerpt of a string value, cut on a UTF-8 boundary.
std::string Quote(std::string_view s) {
  if (s.size() <= kMaxQuotedBytes) return "\"" + std::string(s) + "\"";
  size_t cut = kMaxQuotedBytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return "\"" + std::string(s.substr(0, cut)) + "...\"";
}

// Code points in valid UTF-8 (the parser has checked it).
size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// A string of `min_chars`..`max_chars` code points. `required` decides
// whether absence (or null) is an error; optional fields leave `out` as is.
std::optional<DecodeError> ReadString(const Fields& f, FieldId id, bool required, size_t min_chars,
                                      size_t max_chars, std::string& out) {
  const RawValue& v = f[static_cast<size_t>(id)];
  if (v.kind == JsonKind::kAbsent || (v.kind == JsonKind::kNull && !required)) {
    if (required) return Missing(id);
    return std::nullopt;
  }
  if (v.kind != JsonKind::kString) return WrongType(id, "a string", v);
  const size_t chars = Utf8Chars(v.text);
  if (chars < min_chars || chars > max_chars) {
    std::string range = min_chars == 0 ? "at most " + std::to_string(max_chars)
                                       : std::to_string(min_chars) + " to " + std::to_string(max_chars);
    return Error(DecodeErrorCode::kOutOfRange,
                 Name(id) + ": must be " + range + " characters, got " + std::to_string(chars));
  }
  out.assign(v.text);
  return std::nullopt;
}

// An optional JSON integer in [lo, hi]; null counts as absent.
std::optional<DecodeError> ReadInteger(const Fields& f, FieldId id, int64_t lo, int64_t hi,
                                       std::optional<int64_t>& out) {
  const RawValue& v = f[static_cast<size_t>(id)];
  if (v.kind == JsonKind::kAbsent || v.kind == JsonKind::kNull) return std::nullopt;
  if (!v.is_number()) return WrongType(id, "an integer", v);
  if (v.kind != JsonKind::kInt || v.int_value < lo || v.int_value > hi) {
    return Error(DecodeErrorCode::kOutOfRange, Name(id) + ": must be an integer from " + std::to_string(lo) +
                                                   " to " + std::to_string(hi) + ", got " + FormatNumber(v));
  }
  out = v.int_value;
  return std::nullopt;
}

// A finite number >= 0. Optional fields treat null as absent.
std::optional<DecodeError> ReadNonNegative(const Fields& f, FieldId id, bool required, double& out) {
  const RawValue& v = f[static_cast<size_t>(id)];
  if (v.kind == JsonKind::kAbsent || (v.kind == JsonKind::kNull && !required)) {
    if (required) return Missing(id);
    return std::nullopt;
  }
  if (!v.is_number()) return WrongType(id, "a number", v);
  const double d = v.AsDouble();
  if (!std::isfinite(d) || d < 0) {
    return Error(DecodeErrorCode::kOutOfRange, Name(id) + ": must be a number >= 0, got " + FormatNumber(v));
  }
  out = d + 0.0;  // -0 becomes +0, so equal inputs give equal state bytes
  return std::nullopt;
}

std::optional<DecodeError> ReadTimestamp(const Fields& f, int64_t& out) {
  constexpr FieldId id = FieldId::kTs;
  const RawValue& v = f[static_cast<size_t>(id)];
  if (v.kind == JsonKind::kAbsent) return Missing(id);
  if (v.kind == JsonKind::kString) {
    if (!ParseRfc3339(v.text, out)) {
      return Error(DecodeErrorCode::kOutOfRange,
                   Name(id) + ": must be an RFC 3339 time such as \"2024-03-01T12:00:00Z\", got " + Quote(v.text));
    }
    if (out < 0 || out > kMaxEpochMs) {
      return Error(DecodeErrorCode::kOutOfRange,
                   Name(id) + ": must be from 1970 to year 9999 (UTC), got " + Quote(v.text));
    }
    return std::nullopt;
  }
  if (v.is_number()) {
    if (v.kind != JsonKind::kInt || v.int_value < 0 || v.int_value > kMaxEpochMs) {
      return Error(DecodeErrorCode::kOutOfRange, Name(id) + ": epoch milliseconds must be an integer from 0 to " +
                                                     std::to_string(kMaxEpochMs) + ", got " + FormatNumber(v));
    }
    out = v.int_value;
    return std::nullopt;
  }
  return WrongType(id, "an RFC 3339 string or integer epoch milliseconds", v);
}

std::optional<DecodeError> DecodePurchase(const Fields& f, operators::Purchase& p) {
  if (auto e = ReadNonNegative(f, FieldId::kAmount, /*required=*/true, p.amount)) return e;
  std::optional<int64_t> quantity;
  if (auto e = ReadInteger(f, FieldId::kQuantity, 1, kMaxQuantity, quantity)) return e;
  if (quantity) p.quantity = static_cast<int32_t>(*quantity);
  if (auto e = ReadString(f, FieldId::kCurrency, false, 0, kMaxTextChars, p.currency)) return e;
  if (auto e = ReadString(f, FieldId::kChannel, false, 0, kMaxTextChars, p.channel)) return e;
  if (auto e = ReadString(f, FieldId::kOrderId, false, 0, kMaxIdChars, p.order_id)) return e;
  return std::nullopt;
}

std::optional<DecodeError> DecodeComplaint(const Fields& f, operators::Complaint& c) {
  if (auto e = ReadString(f, FieldId::kComplaintId, true, 1, kMaxIdChars, c.complaint_id)) return e;
  const RawValue& status = f[static_cast<size_t>(FieldId::kStatus)];
  if (status.kind != JsonKind::kAbsent && status.kind != JsonKind::kNull) {
    if (status.kind != JsonKind::kString) return WrongType(FieldId::kStatus, "a string", status);
    if (status.text == "opened") {
      c.status = operators::ComplaintStatus::kOpened;
    } else if (status.text == "resolved") {
      c.status = operators::ComplaintStatus::kResolved;
    } else {
      return Error(DecodeErrorCode::kOutOfRange,
                   Name(FieldId::kStatus) + ": must be \"opened\" or \"resolved\", got " + Quote(status.text));
    }
  }
  std::optional<int64_t> severity;
  if (auto e = ReadInteger(f, FieldId::kSeverity, kMinScore, kMaxScore, severity)) return e;
  c.severity = static_cast<int32_t>(severity.value_or(kDefaultSeverity));
  if (auto e = ReadString(f, FieldId::kCategory, false, 0, kMaxTextChars, c.category)) return e;
  return std::nullopt;
}

std::optional<DecodeError> DecodeService(const Fields& f, operators::ServiceInteraction& s) {
  if (auto e = ReadString(f, FieldId::kChannel, false, 0, kMaxTextChars, s.channel)) return e;
  std::optional<int64_t> rating;
  if (auto e = ReadInteger(f, FieldId::kRating, kMinScore, kMaxScore, rating)) return e;
  if (rating) s.rating = static_cast<int32_t>(*rating);
  const RawValue& resolved = f[static_cast<size_t>(FieldId::kResolved)];
  if (resolved.kind != JsonKind::kAbsent && resolved.kind != JsonKind::kNull) {
    if (resolved.kind != JsonKind::kBool) return WrongType(FieldId::kResolved, "a boolean", resolved);
    s.resolved = resolved.boolean;
  }
  if (auto e = ReadNonNegative(f, FieldId::kWaitSeconds, false, s.wait_seconds)) return e;
  return std::nullopt;
}

DecodeError InvalidJson(simdjson::error_code error) {
  if (error == simdjson::DEPTH_ERROR) {
    return Error(DecodeErrorCode::kInvalidJson,
                 "JSON nested too deep: more than " + std::to_string(kMaxNestingDepth) + " levels");
  }
  return Error(DecodeErrorCode::kInvalidJson, std::string("not valid JSON: ") + simdjson::error_message(error));
}

}  // namespace

const char* DecodeErrorCodeName(DecodeErrorCode code) {
  switch (code) {
    case DecodeErrorCode::kTooLarge: return "too_large";
    case DecodeErrorCode::kInvalidJson: return "invalid_json";
    case DecodeErrorCode::kMissingField: return "missing_field";
    case DecodeErrorCode::kWrongType: return "wrong_type";
    case DecodeErrorCode::kOutOfRange: return "out_of_range";
  }
  return "invalid";
}

struct EventDecoder::Impl {
  explicit Impl(size_t max) : max_event_bytes(max) {}
  size_t max_event_bytes;
  ondemand::parser parser;
  // The message plus SIMDJSON_PADDING zero bytes; grows to the largest
  // message seen and is reused.
  std::string padded;
};

EventDecoder::EventDecoder(size_t max_event_bytes) : impl_(std::make_unique<Impl>(max_event_bytes)) {}
EventDecoder::~EventDecoder() = default;

DecodeResult EventDecoder::Decode(InputKind kind, std::string_view bytes) {
  if (bytes.size() > impl_->max_event_bytes) {
    return Error(DecodeErrorCode::kTooLarge, "message of " + std::to_string(bytes.size()) +
                                                 " bytes exceeds the limit of " +
                                                 std::to_string(impl_->max_event_bytes) + " bytes");
  }
  std::string& buffer = impl_->padded;
  buffer.resize(bytes.size() + simdjson::SIMDJSON_PADDING);
  if (!bytes.empty()) std::memcpy(buffer.data(), bytes.data(), bytes.size());
  std::memset(buffer.data() + bytes.size(), 0, simdjson::SIMDJSON_PADDING);

  ondemand::document doc;
  if (auto error = impl_->parser.iterate(simdjson::padded_string_view(buffer.data(), bytes.size(), buffer.size()))
                       .get(doc)) {
    return InvalidJson(error);
  }
  ondemand::json_type top;
  if (auto error = doc.type().get(top)) return InvalidJson(error);
  if (top != ondemand::json_type::object) {
    const char* got = top == ondemand::json_type::array    ? "array"
                      : top == ondemand::json_type::string ? "string"
                      : top == ondemand::json_type::number ? "number"
                      : top == ondemand::json_type::boolean ? "boolean"
                                                            : "null";
    return Error(DecodeErrorCode::kInvalidJson, std::string("the message must be a JSON object, got ") + got);
  }
  ondemand::object object;
  if (auto error = doc.get_object().get(object)) return InvalidJson(error);

  // One pass over every field. Duplicate keys: the first occurrence wins,
  // later ones are only checked as JSON, like unknown keys.
  const uint32_t known = KnownFields(kind);
  uint32_t seen = 0;
  Fields fields;
  for (auto field : object) {
    ondemand::field f;
    if (auto error = std::move(field).get(f)) return InvalidJson(error);
    std::string_view key;
    if (auto error = f.unescaped_key().get(key)) return InvalidJson(error);
    RawValue* slot = nullptr;
    for (size_t i = 0; i < kFieldCount; ++i) {
      const uint32_t bit = 1u << i;
      if ((known & bit) && !(seen & bit) && kFieldNames[i] == key) {
        seen |= bit;
        slot = &fields[i];
        break;
      }
    }
    if (auto error = Consume(f.value(), 1, slot)) return InvalidJson(error);
  }
  // Anything after the closing brace is trailing garbage.
  const char* location = nullptr;
  if (auto error = doc.current_location().get(location); error != simdjson::OUT_OF_BOUNDS) {
    return Error(DecodeErrorCode::kInvalidJson, "not valid JSON: content after the top-level object");
  }

  Event event;
  if (auto e = ReadString(fields, FieldId::kEventId, true, 1, kMaxIdChars, event.event_id)) return *e;
  if (auto e = ReadString(fields, FieldId::kCustomerId, true, 1, kMaxCustomerIdChars, event.customer_id)) {
    return *e;
  }
  int64_t ts = 0;
  if (auto e = ReadTimestamp(fields, ts)) return *e;
  event.ts = operators::EventTime{ts};

  std::optional<DecodeError> body_error;
  switch (kind) {
    case InputKind::kPurchase: {
      operators::Purchase p;
      body_error = DecodePurchase(fields, p);
      event.body = std::move(p);
      break;
    }
    case InputKind::kComplaint: {
      operators::Complaint c;
      body_error = DecodeComplaint(fields, c);
      event.body = std::move(c);
      break;
    }
    case InputKind::kService: {
      operators::ServiceInteraction s;
      body_error = DecodeService(fields, s);
      event.body = std::move(s);
      break;
    }
  }
  if (body_error) return *std::move(body_error);
  return event;
}

}  // namespace crm::pipeline

#include "pipeline/wire/event_decoder.h"

#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "pipeline/wire/decode_reasons.h"
#include "pipeline/wire/json_walker.h"

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

// ---------------------------------------------------------------------------
// Raw field values, captured during the single pass over the message and
// validated afterwards in a fixed order, so that the reported error does not
// depend on the order of keys in the message.

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

// ---------------------------------------------------------------------------
// Validation of captured fields.

std::string Name(FieldId id) { return "field '" + std::string(kFieldNames[static_cast<size_t>(id)]) + "'"; }

DecodeError Error(DecodeErrorCode code, std::string reason) { return DecodeError{code, std::move(reason)}; }

DecodeError Missing(FieldId id) { return Error(DecodeErrorCode::kMissingField, Name(id) + ": required but missing"); }

DecodeError WrongType(FieldId id, const char* expected, const RawValue& v) {
  return Error(DecodeErrorCode::kWrongType,
               Name(id) + ": must be " + expected + ", got " + JsonKindName(v.kind));
}

// A number as the message wrote it ("2.0", not "2"), bounded.
std::string FormatNumber(const RawValue& v) { return v.is_number() ? NumberAsWritten(v.text) : JsonKindName(v.kind); }

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

// A finite number from 0 to `max` (infinite: no upper bound). Optional fields
// treat null as absent.
std::optional<DecodeError> ReadNonNegative(const Fields& f, FieldId id, bool required, double max,
                                           double& out) {
  const RawValue& v = f[static_cast<size_t>(id)];
  if (v.kind == JsonKind::kAbsent || (v.kind == JsonKind::kNull && !required)) {
    if (required) return Missing(id);
    return std::nullopt;
  }
  if (!v.is_number()) return WrongType(id, "a number", v);
  const double d = v.AsDouble();
  if (!std::isfinite(d) || d < 0 || d > max) {
    const std::string range = std::isinf(max) ? ">= 0" : "from 0 to " + FormatLimit(max);
    return Error(DecodeErrorCode::kOutOfRange, Name(id) + ": must be a number " + range + ", got " + FormatNumber(v));
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
                   Name(id) + ": must be an RFC 3339 time such as \"2024-03-01T12:00:00Z\", got " +
                       QuoteExcerpt(v.text));
    }
    if (out < 0 || out > kMaxEpochMs) {
      return Error(DecodeErrorCode::kOutOfRange,
                   Name(id) + ": must be from 1970 to year 9999 (UTC), got " + QuoteExcerpt(v.text));
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

std::optional<DecodeError> DecodePurchase(const Fields& f, const DecoderLimits& limits, operators::Purchase& p) {
  if (auto e = ReadNonNegative(f, FieldId::kAmount, /*required=*/true, limits.max_amount, p.amount)) return e;
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
                   Name(FieldId::kStatus) + ": must be \"opened\" or \"resolved\", got " + QuoteExcerpt(status.text));
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
  constexpr double kUnbounded = std::numeric_limits<double>::infinity();
  if (auto e = ReadNonNegative(f, FieldId::kWaitSeconds, false, kUnbounded, s.wait_seconds)) return e;
  return std::nullopt;
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
  explicit Impl(const DecoderLimits& l) : limits(l) {}
  DecoderLimits limits;
  ondemand::parser parser;
  // The message plus SIMDJSON_PADDING zero bytes; grows to the largest
  // message seen and is reused.
  std::string padded;
  // JsonWalker's key stack; reused.
  std::vector<std::string_view> keys;

  // Byte offset of the parser's position in the message, when it has one.
  std::optional<size_t> Offset(ondemand::document& doc, size_t size) const {
    const char* location = nullptr;
    if (doc.current_location().get(location) || location < padded.data()) return std::nullopt;
    const auto offset = static_cast<size_t>(location - padded.data());
    return offset <= size ? std::optional<size_t>(offset) : std::nullopt;
  }

  DecodeResult Decode(InputKind kind, std::string_view bytes);
  // `at`: where the error is, when the parser's position is past it.
  DecodeError NotJson(simdjson::error_code error, ondemand::document& doc, InputKind kind, std::string_view bytes,
                      const char* at = nullptr);
  DecodeError NotAnObject(ondemand::json_type top, ondemand::document& doc, InputKind kind, std::string_view bytes);
};

// simdjson checks up front that a top-level object's last byte closes it, so
// a complete object followed by anything but space fails as "incomplete":
// find where the object really ends, and report the trailing characters
// unless the object itself is already invalid JSON.
DecodeError EventDecoder::Impl::NotJson(simdjson::error_code error, ondemand::document& doc, InputKind kind,
                                        std::string_view bytes, const char* at) {
  if (error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT) {
    if (auto end = EndOfFirstJsonValue(bytes); end && SkipJsonSpace(bytes, *end) < bytes.size()) {
      const size_t trailing = SkipJsonSpace(bytes, *end);
      DecodeResult head = Decode(kind, bytes.substr(0, *end));  // ends where it closes: no recursion
      if (auto* e = std::get_if<DecodeError>(&head); e && e->code == DecodeErrorCode::kInvalidJson) {
        return *e;
      }
      return TrailingAfterObject(trailing);
    }
  }
  if (at != nullptr && at >= padded.data() && at <= padded.data() + bytes.size()) {
    return DescribeJsonError(error, bytes, static_cast<size_t>(at - padded.data()), kMaxJsonNestingDepth);
  }
  return DescribeJsonError(error, bytes, Offset(doc, bytes.size()), kMaxJsonNestingDepth);
}

// The message is JSON's null, a boolean, number, string or array, or is not
// JSON at all ("not json at all" starts like null): check it completely.
DecodeError EventDecoder::Impl::NotAnObject(ondemand::json_type top, ondemand::document& doc, InputKind kind,
                                            std::string_view bytes) {
  simdjson::error_code error = simdjson::SUCCESS;
  const char* got = "null";
  switch (top) {
    case ondemand::json_type::array: {
      got = "array";
      ondemand::array array;
      JsonWalker walker(keys);
      error = doc.get_array().get(array);
      if (!error) {
        for (auto element : array) {
          ondemand::value child;
          if ((error = std::move(element).get(child))) break;
          if ((error = walker.Consume(child, 1, nullptr))) break;
        }
      }
      if (walker.duplicate) return DuplicateField(*walker.duplicate, walker.duplicate_nested);
      if (error) return NotJson(error, doc, kind, bytes, walker.bad_string);
      break;
    }
    case ondemand::json_type::string: {
      got = "string";
      std::string_view s;
      error = doc.get_string().get(s);
      break;
    }
    case ondemand::json_type::number: {
      got = "number";
      ondemand::number n;
      error = doc.get_number().get(n);
      break;
    }
    case ondemand::json_type::boolean: {
      got = "boolean";
      bool b = false;
      error = doc.get_bool().get(b);
      break;
    }
    default: {
      bool is_null = false;
      error = doc.is_null().get(is_null);
      if (!error && !is_null) error = simdjson::N_ATOM_ERROR;
    }
  }
  if (error) return NotJson(error, doc, kind, bytes);
  if (auto offset = Offset(doc, bytes.size()); offset && SkipJsonSpace(bytes, *offset) < bytes.size()) {
    return InvalidJson("trailing characters after the JSON value at byte " +
                       std::to_string(SkipJsonSpace(bytes, *offset)));
  }
  return Error(DecodeErrorCode::kInvalidJson, std::string("the message must be a JSON object, got ") + got);
}

EventDecoder::EventDecoder(const DecoderLimits& limits) : impl_(std::make_unique<Impl>(limits)) {}
EventDecoder::~EventDecoder() = default;

DecodeResult EventDecoder::Decode(InputKind kind, std::string_view bytes) { return impl_->Decode(kind, bytes); }

DecodeResult EventDecoder::Impl::Decode(InputKind kind, std::string_view bytes) {
  if (bytes.size() > limits.max_event_bytes) {
    return Error(DecodeErrorCode::kTooLarge, "message of " + std::to_string(bytes.size()) +
                                                 " bytes exceeds the limit of " +
                                                 std::to_string(limits.max_event_bytes) + " bytes");
  }
  padded.resize(bytes.size() + simdjson::SIMDJSON_PADDING);
  if (!bytes.empty()) std::memcpy(padded.data(), bytes.data(), bytes.size());
  std::memset(padded.data() + bytes.size(), 0, simdjson::SIMDJSON_PADDING);
  keys.clear();

  ondemand::document doc;
  if (auto error = parser.iterate(simdjson::padded_string_view(padded.data(), bytes.size(), padded.size()))
                       .get(doc)) {
    return DescribeJsonError(error, bytes, std::nullopt, kMaxJsonNestingDepth);
  }
  ondemand::json_type top;
  if (auto error = doc.type().get(top)) return NotJson(error, doc, kind, bytes);
  if (top != ondemand::json_type::object) return NotAnObject(top, doc, kind, bytes);
  ondemand::object object;
  if (auto error = doc.get_object().get(object)) return NotJson(error, doc, kind, bytes);

  // One pass over every field. Known fields are captured into their slot and
  // marked in `seen` (a second one is a duplicate); the others go on the
  // walker's key stack, checked for duplicates at the end.
  const uint32_t known = KnownFields(kind);
  uint32_t seen = 0;
  Fields fields;
  JsonWalker walker(keys);
  for (auto field : object) {
    ondemand::field f;
    if (auto error = std::move(field).get(f)) return NotJson(error, doc, kind, bytes);
    std::string_view key;
    if (auto error = f.unescaped_key().get(key)) return NotJson(error, doc, kind, bytes);
    RawValue* slot = nullptr;
    for (size_t i = 0; i < kFieldCount; ++i) {
      const uint32_t bit = 1u << i;
      if ((known & bit) && kFieldNames[i] == key) {
        if (seen & bit) return DuplicateField(key, false);
        seen |= bit;
        slot = &fields[i];
        break;
      }
    }
    if (slot == nullptr) keys.push_back(key);
    if (auto error = walker.Consume(f.value(), 1, slot)) {
      if (walker.duplicate) return DuplicateField(*walker.duplicate, walker.duplicate_nested);
      return NotJson(error, doc, kind, bytes, walker.bad_string);
    }
  }
  if (walker.EndObject(0, /*nested=*/false)) return DuplicateField(*walker.duplicate, false);
  // Anything after the closing brace is trailing garbage.
  // (The parser's position tells whether something follows; where it starts
  // comes from our own scan, because that position differs by a byte
  // between simdjson's kernels.)
  if (auto offset = Offset(doc, bytes.size()); offset && SkipJsonSpace(bytes, *offset) < bytes.size()) {
    const std::optional<size_t> end = EndOfFirstJsonValue(bytes);
    return TrailingAfterObject(SkipJsonSpace(bytes, end.value_or(*offset)));
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
      body_error = DecodePurchase(fields, limits, p);
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

#include "pipeline/wire/event_fields.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "operators/alert_outcome.h"
#include "operators/engagement.h"
#include "pipeline/wire/decode_reasons.h"

namespace crm::pipeline {
namespace {

using operators::Event;

constexpr size_t kMaxIdChars = 256;          // event_id, complaint_id, order_id
constexpr size_t kMaxTextChars = 256;        // currency, channel, category
constexpr size_t kMaxCustomerIdChars = 64;
constexpr int64_t kMaxEpochMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
constexpr int64_t kMaxQuantity = std::numeric_limits<int32_t>::max();
constexpr int64_t kMinScore = 1;  // severity and rating
constexpr int64_t kMaxScore = 5;
constexpr int64_t kDefaultSeverity = 3;

constexpr uint32_t Bit(FieldId id) { return 1u << static_cast<unsigned>(id); }

constexpr uint32_t kCommonFields = Bit(FieldId::kEventId) | Bit(FieldId::kCustomerId) | Bit(FieldId::kTs);

using Fields = EventFields;

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

// An interaction: `kind` is required and one of the five names; `rating`
// (1..5) is required for a review and, when given, checked for any kind.
std::optional<DecodeError> DecodeInteraction(const Fields& f, operators::Interaction& i) {
  constexpr FieldId id = FieldId::kKind;
  const RawValue& kind = f[static_cast<size_t>(id)];
  if (kind.kind == JsonKind::kAbsent) return Missing(id);
  if (kind.kind != JsonKind::kString) return WrongType(id, "a string", kind);
  const std::optional<operators::InteractionKind> parsed = operators::InteractionKindFromName(kind.text);
  if (!parsed) {
    return Error(DecodeErrorCode::kOutOfRange,
                 Name(id) + ": must be \"inquiry\", \"visit\", \"quote\", \"referral\" or \"review\", got " +
                     QuoteExcerpt(kind.text));
  }
  i.kind = *parsed;
  std::optional<int64_t> rating;
  if (auto e = ReadInteger(f, FieldId::kRating, kMinScore, kMaxScore, rating)) return e;
  if (rating) i.rating = static_cast<int32_t>(*rating);
  if (i.kind == operators::InteractionKind::kReview && !rating) {
    return Error(DecodeErrorCode::kMissingField, Name(FieldId::kRating) + ": required for a review but missing");
  }
  if (auto e = ReadString(f, FieldId::kChannel, false, 0, kMaxTextChars, i.channel)) return e;
  return std::nullopt;
}

// An action report: `alert_id` (1..256 characters) and `action`, one of
// kAlertActionNames, both required.
std::optional<DecodeError> DecodeAlertAction(const Fields& f, operators::AlertAction& a) {
  if (auto e = ReadString(f, FieldId::kAlertId, true, 1, kMaxIdChars, a.alert_id)) return e;
  constexpr FieldId id = FieldId::kAction;
  const RawValue& action = f[static_cast<size_t>(id)];
  if (action.kind == JsonKind::kAbsent) return Missing(id);
  if (action.kind != JsonKind::kString) return WrongType(id, "a string", action);
  if (!operators::IsAlertActionName(action.text)) {
    return Error(DecodeErrorCode::kOutOfRange,
                 Name(id) + ": must be \"call\", \"email\", \"sms\", \"offer\", \"visit\" or \"none\", got " +
                     QuoteExcerpt(action.text));
  }
  a.action = std::string(action.text);
  return std::nullopt;
}

}  // namespace

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
    case InputKind::kInteraction:
      return kCommonFields | Bit(FieldId::kKind) | Bit(FieldId::kRating) | Bit(FieldId::kChannel);
    case InputKind::kAction:
      return kCommonFields | Bit(FieldId::kAlertId) | Bit(FieldId::kAction);
  }
  return kCommonFields;
}

DecodeResult EventFromFields(InputKind kind, const EventFields& fields, const DecoderLimits& limits) {
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
    case InputKind::kInteraction: {
      operators::Interaction i;
      body_error = DecodeInteraction(fields, i);
      event.body = std::move(i);
      break;
    }
    case InputKind::kAction: {
      operators::AlertAction a;
      body_error = DecodeAlertAction(fields, a);
      event.body = std::move(a);
      break;
    }
  }
  if (body_error) return *std::move(body_error);
  return event;
}

}  // namespace crm::pipeline

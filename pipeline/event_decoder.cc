#include "pipeline/event_decoder.h"

#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

namespace crm::pipeline {
namespace {

using operators::Event;
using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr size_t kMaxIdBytes = 256;
constexpr size_t kMaxCustomerIdChars = 64;
constexpr size_t kMaxTextBytes = 1024;
constexpr int64_t kMaxEpochMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool Digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

DecodeError Error(DecodeErrorCode code, std::string reason) { return DecodeError{code, std::move(reason)}; }

std::string TypeName(element_type t) {
  switch (t) {
    case element_type::ARRAY: return "array";
    case element_type::OBJECT: return "object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "number";
    case element_type::STRING: return "string";
    case element_type::BOOL: return "boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "value";
}

// The fields of one message, first occurrence of each key; unknown keys are
// ignored as the contract says.
class Fields {
 public:
  explicit Fields(simdjson::dom::object object) {
    for (auto field : object) {
      std::string_view key = field.key;
      bool seen = false;
      for (const auto& [k, v] : fields_) seen |= k == key;
      if (!seen) fields_.emplace_back(key, field.value);
    }
  }
  std::optional<element> Get(std::string_view key) const {
    for (const auto& [k, v] : fields_) {
      if (k == key) return v;
    }
    return std::nullopt;
  }

 private:
  std::vector<std::pair<std::string_view, element>> fields_;
};

std::string Field(std::string_view name) { return "field '" + std::string(name) + "'"; }

// Required or optional string with a byte limit.
std::optional<DecodeError> ReadString(const Fields& f, std::string_view name, bool required,
                                      size_t max_bytes, std::string& out) {
  auto v = f.Get(name);
  if (!v) {
    if (required) return Error(DecodeErrorCode::kMissingField, Field(name) + " is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    return Error(DecodeErrorCode::kWrongType, Field(name) + ": must be a string, got " + TypeName(v->type()));
  }
  std::string_view s = v->get_string().value_unsafe();
  if (s.size() > max_bytes) {
    return Error(DecodeErrorCode::kOutOfRange, Field(name) + ": longer than " + std::to_string(max_bytes) + " bytes");
  }
  out.assign(s);
  return std::nullopt;
}

std::optional<DecodeError> ReadInteger(const Fields& f, std::string_view name, int64_t lo, int64_t hi,
                                       std::optional<int64_t>& out) {
  auto v = f.Get(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_int64()) {
    if (v->is_number()) {
      return Error(DecodeErrorCode::kOutOfRange, Field(name) + ": must be an integer from " +
                                                     std::to_string(lo) + " to " + std::to_string(hi));
    }
    return Error(DecodeErrorCode::kWrongType, Field(name) + ": must be an integer, got " + TypeName(v->type()));
  }
  int64_t n = v->get_int64().value_unsafe();
  if (n < lo || n > hi) {
    return Error(DecodeErrorCode::kOutOfRange, Field(name) + ": must be from " + std::to_string(lo) +
                                                   " to " + std::to_string(hi) + ", got " + std::to_string(n));
  }
  out = n;
  return std::nullopt;
}

std::optional<DecodeError> ReadNonNegative(const Fields& f, std::string_view name, bool required,
                                           std::optional<double>& out) {
  auto v = f.Get(name);
  if (!v) {
    if (required) return Error(DecodeErrorCode::kMissingField, Field(name) + " is required");
    return std::nullopt;
  }
  if (!v->is_number()) {
    return Error(DecodeErrorCode::kWrongType, Field(name) + ": must be a number, got " + TypeName(v->type()));
  }
  double d = v->get_double().value_unsafe();
  if (!std::isfinite(d) || d < 0) {
    return Error(DecodeErrorCode::kOutOfRange, Field(name) + ": must be a number >= 0, got " + std::to_string(d));
  }
  out = d;
  return std::nullopt;
}

std::optional<DecodeError> ReadTimestamp(const Fields& f, int64_t& out) {
  auto v = f.Get("ts");
  if (!v) return Error(DecodeErrorCode::kMissingField, "field 'ts' is required");
  if (v->is_string()) {
    std::string_view s = v->get_string().value_unsafe();
    if (!ParseRfc3339(s, out) || out < 0 || out > kMaxEpochMs) {
      return Error(DecodeErrorCode::kOutOfRange,
                   "field 'ts': not an RFC 3339 time from 1970 to 9999: '" + std::string(s.substr(0, 64)) + "'");
    }
    return std::nullopt;
  }
  if (v->is_int64() || v->is_uint64()) {
    if (!v->is_int64() || v->get_int64().value_unsafe() < 0 || v->get_int64().value_unsafe() > kMaxEpochMs) {
      return Error(DecodeErrorCode::kOutOfRange, "field 'ts': epoch milliseconds must be from 0 to year 9999");
    }
    out = v->get_int64().value_unsafe();
    return std::nullopt;
  }
  return Error(DecodeErrorCode::kWrongType,
               "field 'ts': must be an RFC 3339 string or integer epoch milliseconds, got " + TypeName(v->type()));
}

std::optional<DecodeError> DecodePurchase(const Fields& f, operators::Purchase& p) {
  std::optional<double> amount;
  if (auto e = ReadNonNegative(f, "amount", true, amount)) return e;
  p.amount = *amount;
  std::optional<int64_t> quantity;
  if (auto e = ReadInteger(f, "quantity", 1, 1'000'000'000, quantity)) return e;
  p.quantity = static_cast<int32_t>(quantity.value_or(1));
  if (auto e = ReadString(f, "currency", false, kMaxTextBytes, p.currency)) return e;
  if (auto e = ReadString(f, "channel", false, kMaxTextBytes, p.channel)) return e;
  if (auto e = ReadString(f, "order_id", false, kMaxIdBytes, p.order_id)) return e;
  return std::nullopt;
}

std::optional<DecodeError> DecodeComplaint(const Fields& f, operators::Complaint& c) {
  if (auto e = ReadString(f, "complaint_id", true, kMaxIdBytes, c.complaint_id)) return e;
  if (c.complaint_id.empty()) return Error(DecodeErrorCode::kOutOfRange, "field 'complaint_id': must not be empty");
  std::string status = "opened";
  if (auto e = ReadString(f, "status", false, kMaxTextBytes, status)) return e;
  if (status == "opened") {
    c.status = operators::ComplaintStatus::kOpened;
  } else if (status == "resolved") {
    c.status = operators::ComplaintStatus::kResolved;
  } else {
    return Error(DecodeErrorCode::kOutOfRange, "field 'status': must be \"opened\" or \"resolved\"");
  }
  std::optional<int64_t> severity;
  if (auto e = ReadInteger(f, "severity", 1, 5, severity)) return e;
  c.severity = static_cast<int32_t>(severity.value_or(3));
  if (auto e = ReadString(f, "category", false, kMaxTextBytes, c.category)) return e;
  return std::nullopt;
}

std::optional<DecodeError> DecodeService(const Fields& f, operators::ServiceInteraction& s) {
  if (auto e = ReadString(f, "channel", false, kMaxTextBytes, s.channel)) return e;
  std::optional<int64_t> rating;
  if (auto e = ReadInteger(f, "rating", 1, 5, rating)) return e;
  if (rating) s.rating = static_cast<int32_t>(*rating);
  if (auto v = f.Get("resolved")) {
    if (!v->is_bool()) {
      return Error(DecodeErrorCode::kWrongType, "field 'resolved': must be a boolean, got " + TypeName(v->type()));
    }
    s.resolved = v->get_bool().value_unsafe();
  }
  std::optional<double> wait;
  if (auto e = ReadNonNegative(f, "wait_seconds", false, wait)) return e;
  s.wait_seconds = wait.value_or(0);
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

bool ParseRfc3339(std::string_view s, int64_t& epoch_ms) {
  int64_t year, month, day, hour, minute, second;
  if (s.size() < 20 || !Digits(s, 0, 4, year) || s[4] != '-' || !Digits(s, 5, 2, month) || s[7] != '-' ||
      !Digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !Digits(s, 11, 2, hour) ||
      s[13] != ':' || !Digits(s, 14, 2, minute) || s[16] != ':' || !Digits(s, 17, 2, second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, static_cast<unsigned>(month)) ||
      hour > 23 || minute > 59 || second > 60) {
    return false;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (s[pos] == '.') {
    size_t start = ++pos;
    int64_t scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return false;
  }
  int64_t offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int64_t oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, om) ||
        oh > 23 || om > 59) {
      return false;
    }
    offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  epoch_ms = ((days * 24 + hour) * 60 + minute) * 60'000 + second * 1000 + millis - offset_minutes * 60'000;
  return true;
}

struct EventDecoder::Impl {
  explicit Impl(size_t max) : max_event_bytes(max) {}
  size_t max_event_bytes;
  // DOM parsing validates the whole message (structure and UTF-8), so a
  // message is either fully valid JSON or dead-lettered; at ~170 bytes per
  // event it costs far less than the state access that follows.
  simdjson::dom::parser parser;
  std::vector<char> padded;
};

EventDecoder::EventDecoder(size_t max_event_bytes) : impl_(std::make_unique<Impl>(max_event_bytes)) {}
EventDecoder::~EventDecoder() = default;

DecodeResult EventDecoder::Decode(InputKind kind, std::string_view bytes) {
  if (bytes.size() > impl_->max_event_bytes) {
    return Error(DecodeErrorCode::kTooLarge, "message of " + std::to_string(bytes.size()) +
                                                 " bytes exceeds the limit of " +
                                                 std::to_string(impl_->max_event_bytes));
  }
  if (impl_->padded.size() < bytes.size() + simdjson::SIMDJSON_PADDING) {
    impl_->padded.resize(bytes.size() + simdjson::SIMDJSON_PADDING);
  }
  if (!bytes.empty()) std::memcpy(impl_->padded.data(), bytes.data(), bytes.size());
  std::memset(impl_->padded.data() + bytes.size(), 0, simdjson::SIMDJSON_PADDING);
  element doc;
  auto error = impl_->parser.parse(impl_->padded.data(), bytes.size(), false).get(doc);
  if (error) return Error(DecodeErrorCode::kInvalidJson, std::string("not valid JSON: ") + simdjson::error_message(error));
  if (!doc.is_object()) {
    return Error(DecodeErrorCode::kInvalidJson, "the message must be a JSON object, got " + TypeName(doc.type()));
  }
  Fields fields(doc.get_object().value_unsafe());

  Event event;
  if (auto e = ReadString(fields, "event_id", true, kMaxIdBytes, event.event_id)) return *e;
  if (event.event_id.empty()) return Error(DecodeErrorCode::kOutOfRange, "field 'event_id': must not be empty");
  if (auto e = ReadString(fields, "customer_id", true, 4 * kMaxCustomerIdChars, event.customer_id)) return *e;
  const size_t chars = Utf8Chars(event.customer_id);
  if (chars < 1 || chars > kMaxCustomerIdChars) {
    return Error(DecodeErrorCode::kOutOfRange, "field 'customer_id': must be 1 to 64 characters, got " +
                                                   std::to_string(chars));
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
  if (body_error) return *body_error;
  return event;
}

}  // namespace crm::pipeline

#include "pipeline/wire/decode_reasons.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace crm::pipeline {
namespace {

// Longest excerpt of an offending string value quoted in a reason.
constexpr size_t kMaxQuotedBytes = 64;
// Longest excerpt of the message quoted where it is not valid JSON.
constexpr size_t kMaxExcerptBytes = 20;

bool IsStructural(char c) {
  return c == ',' || c == ':' || c == '[' || c == ']' || c == '{' || c == '}';
}

// The message from `offset` up to the next structural character or line end
// (at least one byte), bounded, printable: `unexpected "tru"`.
std::string Excerpt(std::string_view bytes, size_t offset) {
  std::string out = "\"";
  size_t i = offset;
  for (; i < bytes.size() && i - offset < kMaxExcerptBytes; ++i) {
    const char c = bytes[i];
    if (i > offset && (IsStructural(c) || c == '\n' || c == '\r')) break;
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(u < 0x20 || u == 0x7f ? '?' : c);
  }
  // Cut on a UTF-8 boundary, when the token goes on.
  if (i < bytes.size() && i - offset == kMaxExcerptBytes && !IsStructural(bytes[i]) && bytes[i] != '\n' &&
      bytes[i] != '\r') {
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    out += "...";
  }
  return out + "\"";
}

// RFC 8259's number grammar: tells a malformed number from one simdjson
// cannot represent (1e999, integers of 2^64 and above).
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipJsonSpace(std::string_view bytes, size_t i) {
  while (i < bytes.size() && IsJsonSpace(bytes[i])) ++i;
  return i;
}

std::string BoundedExcerpt(std::string_view s) {
  if (s.size() <= kMaxQuotedBytes) return std::string(s);
  size_t cut = kMaxQuotedBytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

std::string QuoteExcerpt(std::string_view s) { return "\"" + BoundedExcerpt(s) + "\""; }

// A number token is ASCII: no UTF-8 boundary to respect.
std::string NumberAsWritten(std::string_view token) {
  if (token.size() <= kMaxQuotedBytes) return std::string(token);
  return std::string(token.substr(0, kMaxQuotedBytes)) + "...";
}

std::string FormatLimit(double v) {
  constexpr double kPlainBelow = 1e15;
  if (v == std::floor(v) && std::fabs(v) < kPlainBelow) return std::to_string(static_cast<int64_t>(v));
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

DecodeError InvalidJson(std::string what) {
  return DecodeError{DecodeErrorCode::kInvalidJson, "not valid JSON: " + std::move(what)};
}

DecodeError DuplicateField(std::string_view key, bool nested) {
  return DecodeError{DecodeErrorCode::kInvalidJson,
                     "duplicate field '" + BoundedExcerpt(key) + "'" + (nested ? " in a nested object" : "")};
}

DecodeError TrailingAfterObject(size_t offset) {
  return InvalidJson("trailing characters after the JSON object at byte " + std::to_string(offset));
}

std::optional<size_t> EndOfFirstJsonValue(std::string_view bytes) {
  size_t i = SkipJsonSpace(bytes, 0);
  if (i == bytes.size() || (bytes[i] != '{' && bytes[i] != '[')) return std::nullopt;
  int64_t depth = 0;
  for (; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '"') {
      for (++i; i < bytes.size() && bytes[i] != '"'; ++i) {
        if (bytes[i] == '\\') ++i;
      }
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return std::nullopt;
}

DecodeError DescribeJsonError(simdjson::error_code error, std::string_view bytes, std::optional<size_t> offset,
                              int max_depth) {
  const std::string at = offset ? " at byte " + std::to_string(*offset) : "";
  const std::string excerpt = offset ? Excerpt(bytes, *offset) : "";
  switch (error) {
    case simdjson::DEPTH_ERROR:
      return DecodeError{DecodeErrorCode::kInvalidJson,
                         "JSON nested too deep: more than " + std::to_string(max_depth) + " levels"};
    case simdjson::EMPTY:
      return InvalidJson(bytes.empty() ? "the message is empty" : "the message is only whitespace");
    case simdjson::UTF8_ERROR: return InvalidJson("invalid UTF-8" + at);
    case simdjson::UNCLOSED_STRING: return InvalidJson("a string is never closed" + at);
    case simdjson::UNESCAPED_CHARS: return InvalidJson("unescaped control character in a string" + at);
    case simdjson::STRING_ERROR: return InvalidJson("invalid escape sequence in a string" + at);
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return InvalidJson("the message ends before its object or array is closed");
    case simdjson::TRAILING_CONTENT:
      // A top-level scalar followed by more: point past the scalar.
      if (offset) {
        size_t i = *offset;
        while (i < bytes.size() && !IsJsonSpace(bytes[i])) ++i;
        return InvalidJson("trailing characters after the JSON value at byte " +
                           std::to_string(SkipJsonSpace(bytes, i)));
      }
      return InvalidJson("trailing characters after the JSON value");
    case simdjson::NUMBER_ERROR:
      if (offset) {
        size_t end = *offset;
        while (end < bytes.size() && !IsStructural(bytes[end]) && !IsJsonSpace(bytes[end])) ++end;
        const bool well_formed = IsJsonNumber(bytes.substr(*offset, end - *offset));
        return InvalidJson((well_formed ? "number out of range " : "malformed number ") + excerpt + at);
      }
      return InvalidJson("malformed number");
    case simdjson::N_ATOM_ERROR:
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::TAPE_ERROR:
    case simdjson::INCORRECT_TYPE:
      if (offset && *offset < bytes.size()) return InvalidJson("unexpected " + excerpt + at);
      return InvalidJson(offset ? "unexpected end of the message" : simdjson::error_message(error));
    default: return InvalidJson(simdjson::error_message(error) + at);
  }
}

}  // namespace crm::pipeline

#include "pipeline/observe/http_customer_id.h"

#include <cstdint>

namespace crm::pipeline {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (text.size() - i < 3) return Status::InvalidArgument("invalid percent-encoding");
    const int hi = HexValue(text[i + 1]);
    const int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("invalid percent-encoding");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// RFC 3629, table 3-7 of the Unicode standard: the second byte's range
// depends on the first so that overlong forms and surrogates are refused.
std::optional<size_t> Utf8CodePoints(std::string_view text) {
  size_t count = 0;
  size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b0 < 0x80) {
      length = 1;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      length = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      length = 3;
      if (b0 == 0xE0) lo = 0xA0;  // overlong
      if (b0 == 0xED) hi = 0x9F;  // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      length = 4;
      if (b0 == 0xF0) lo = 0x90;  // overlong
      if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return std::nullopt;
    }
    if (text.size() - i < length) return std::nullopt;
    for (size_t k = 1; k < length; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if (k == 1 ? (b < lo || b > hi) : !IsContinuation(b)) return std::nullopt;
    }
    i += length;
    ++count;
  }
  return count;
}

Result<std::string> CustomerIdFromPathSegment(std::string_view segment) {
  if (segment.find('/') != std::string_view::npos) {
    return Status::InvalidArgument("a customer id is one path segment: write '/' in it as %2F");
  }
  ASSIGN_OR_RETURN(std::string id, PercentDecode(segment));
  const std::optional<size_t> chars = Utf8CodePoints(id);
  if (!chars) return Status::InvalidArgument("the customer id is not valid UTF-8");
  if (*chars < 1 || *chars > kMaxCustomerIdChars) {
    return Status::InvalidArgument("a customer id has 1 to " + std::to_string(kMaxCustomerIdChars) +
                                   " characters, got " + std::to_string(*chars));
  }
  return id;
}

}  // namespace crm::pipeline

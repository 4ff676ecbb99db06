// pipeline/observe/http_customer_id.h
//
// Reads the customer id out of a `/customers/{id}` request path. The id is
// one path segment: percent-decoded (so an id containing '/' is asked for as
// %2F), then it must be valid UTF-8 of 1 to 64 characters (code points, the
// event decoder's rule), whatever its byte length. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "operators/status.h"

namespace crm::pipeline {

// Longest customer id in characters (the decoder, event_fields.cc, uses the same bound).
inline constexpr size_t kMaxCustomerIdChars = 64;

// Decodes %XX escapes (either case of hex digit); every other byte is kept.
// InvalidArgument on a '%' not followed by two hex digits.
[[nodiscard]] Result<std::string> PercentDecode(std::string_view text);

// Code points in `text`, or nullopt unless it is valid UTF-8 (no overlong
// forms, no surrogates, nothing above U+10FFFF).
[[nodiscard]] std::optional<size_t> Utf8CodePoints(std::string_view text);

// The id named by `segment`, the raw path text after "/customers/" (no query).
// InvalidArgument, with a message fit for the client, when the escapes, the
// UTF-8 or the length are wrong, or the raw segment holds a '/'.
[[nodiscard]] Result<std::string> CustomerIdFromPathSegment(std::string_view segment);

}  // namespace crm::pipeline

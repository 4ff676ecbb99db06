// pipeline/wire/decode_reasons.h
//
// The readable parts of the event decoder's DecodeError reasons. Turns a
// simdjson error and the byte where it was found into "not valid JSON: ...
// at byte N", names trailing characters after the message's value, and
// quotes offending values as the message wrote them ("2.0", not "2"). Every
// quote is a bounded excerpt, cut on a UTF-8 boundary, so a reason stays short
// enough for a dead-letter header and a log line whatever the input. Pure
// functions of their arguments: any thread.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/wire/event_decoder.h"

namespace crm::pipeline {

// JSON's insignificant whitespace: space, tab, line feed, carriage return.
bool IsJsonSpace(char c);

// The first index from `i` on that is not JSON whitespace (bytes.size() when
// none is).
size_t SkipJsonSpace(std::string_view bytes, size_t i);

// A bounded excerpt of a string value, cut on a UTF-8 boundary ("..." when
// cut), and the same in double quotes.
std::string BoundedExcerpt(std::string_view s);
std::string QuoteExcerpt(std::string_view s);

// A number token as the message wrote it ("2.0", "1e3"), bounded.
std::string NumberAsWritten(std::string_view token);

// A limit as a reader writes it: 1000000000 rather than 1e+09.
std::string FormatLimit(double v);

// invalid_json errors: "not valid JSON: <what>"; a key that appears twice
// ("duplicate field 'amount'", "... in a nested object" when `nested`);
// characters after the top-level object, starting at byte `offset`.
DecodeError InvalidJson(std::string what);
DecodeError DuplicateField(std::string_view key, bool nested);
DecodeError TrailingAfterObject(size_t offset);

// Where the first top-level object or array of `bytes` closes (one past its
// closing bracket), by counting brackets outside strings; nullopt when it
// never closes or the message does not start with one. Needs no valid JSON.
std::optional<size_t> EndOfFirstJsonValue(std::string_view bytes);

// Describes simdjson's `error` on message `bytes`, found at byte `offset`
// when known, quoting the offending token. `max_depth` is the nesting limit
// the caller enforced, named when `error` is DEPTH_ERROR.
DecodeError DescribeJsonError(simdjson::error_code error, std::string_view bytes, std::optional<size_t> offset,
                              int max_depth);

}  // namespace crm::pipeline

#include "pipeline/wire/event_decoder.h"

#include <simdjson.h>

#include <array>
#include <cstring>
#include <optional>
#include <vector>

#include "pipeline/wire/decode_reasons.h"
#include "pipeline/wire/event_fields.h"
#include "pipeline/wire/json_walker.h"

namespace crm::pipeline {
namespace {

namespace ondemand = simdjson::ondemand;

DecodeError Error(DecodeErrorCode code, std::string reason) { return DecodeError{code, std::move(reason)}; }

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
  EventFields fields;
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

  return EventFromFields(kind, fields, limits);
}

}  // namespace crm::pipeline

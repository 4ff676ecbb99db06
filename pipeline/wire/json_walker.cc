#include "pipeline/wire/json_walker.h"

#include <algorithm>

#include "pipeline/wire/decode_reasons.h"

namespace crm::pipeline {
namespace {

namespace ondemand = simdjson::ondemand;

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

const char* JsonKindName(JsonKind k) {
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

simdjson::error_code JsonWalker::EndObject(size_t start, bool nested) {
  if (keys.size() - start >= 2) {
    std::sort(keys.begin() + static_cast<std::ptrdiff_t>(start), keys.end());
    auto it = std::adjacent_find(keys.begin() + static_cast<std::ptrdiff_t>(start), keys.end());
    if (it != keys.end()) {
      duplicate = *it;
      duplicate_nested = nested;
      return kStop;
    }
  }
  keys.resize(start);
  return simdjson::SUCCESS;
}

simdjson::error_code JsonWalker::Consume(ondemand::value value, int depth, RawValue* out) {
  if (depth > kMaxJsonNestingDepth) return simdjson::DEPTH_ERROR;
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
      const size_t start = keys.size();
      for (auto field : object) {
        ondemand::field f;
        if (auto error = std::move(field).get(f)) return error;
        std::string_view key;
        if (auto error = f.unescaped_key().get(key)) return error;
        keys.push_back(key);
        if (auto error = Consume(f.value(), depth + 1, nullptr)) return error;
      }
      return EndObject(start, /*nested=*/true);
    }
    case ondemand::json_type::number: {
      if (out) raw.text = TrimRight(value.raw_json_token());
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
    case ondemand::json_type::string: {
      raw.kind = JsonKind::kString;
      auto error = value.get_string().get(raw.text);
      if (error) bad_string = value.raw_json_token().data();
      return error;
    }
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

}  // namespace crm::pipeline

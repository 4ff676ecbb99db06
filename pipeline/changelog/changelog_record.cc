#include "pipeline/changelog/changelog_record.h"

#include <nlohmann/json.hpp>

#include <set>
#include <vector>

#include "pipeline/state/byte_codec.h"
#include "pipeline/state/population_codec.h"
#include "pipeline/state/state_codec.h"

namespace crm::pipeline {
namespace {

// The kind byte that starts every changelog key.
constexpr char kChangelogCustomerKey = 'c';
constexpr char kChangelogTimerKey = 't';
constexpr char kChangelogPartitionKey = 'p';
constexpr char kChangelogMarkerKey = 'm';
constexpr char kChangelogClaimKey = 'o';

constexpr char kOffsetsMember[] = "offsets";
// A timer key is partition (4 bytes BE), due (8 bytes), then the customer id.
constexpr size_t kTimerPartitionBytes = 4;
constexpr size_t kTimerPrefixBytes = 12;

Status CorruptMarker(const std::string& why) { return Status::Corruption("changelog marker: " + why); }

uint32_t ReadPartitionPrefix(std::string_view key) {
  uint32_t v = 0;
  for (size_t i = 0; i < kTimerPartitionBytes; ++i) v = (v << 8) | static_cast<unsigned char>(key[i]);
  return v;
}

// A short, printable excerpt of untrusted bytes for error messages.
std::string Excerpt(std::string_view bytes) {
  constexpr size_t kMaxExcerpt = 32;
  std::string out;
  for (unsigned char c : bytes.substr(0, kMaxExcerpt)) out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  if (bytes.size() > kMaxExcerpt) out += "...";
  return out;
}

}  // namespace

bool IsValidTopicName(std::string_view name) {
  if (name.empty() || name.size() > kMaxKafkaTopicNameBytes || name == "." || name == "..") return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string EncodeChangelogMarker(const ChangelogMarker& marker) {
  std::string out;
  ByteWriter w(out);
  w.Byte(kChangelogMarkerVersion);
  w.Varint(marker.next_offsets.size());
  for (const auto& [topic, next] : marker.next_offsets) {  // std::map: name order
    w.Varint(topic.size());
    w.Bytes(topic);
    w.Varint(static_cast<uint64_t>(next));
  }
  return out;
}

std::string EncodeChangelogMarkerJson(const ChangelogMarker& marker) {
  nlohmann::json offsets = nlohmann::json::object();
  for (const auto& [topic, next] : marker.next_offsets) offsets[topic] = next;
  return nlohmann::json{{kOffsetsMember, offsets}}.dump();
}

namespace {

// The binary marker (changelog_record.h), canonical only: decode-then-encode
// gives the same bytes.
Result<ChangelogMarker> DecodeBinaryMarker(std::string_view value) {
  ByteReader r(value);
  uint8_t version = 0;
  if (!r.Byte(version) || version != kChangelogMarkerVersion) {
    return CorruptMarker("unknown version " + std::to_string(version) + " (this version reads " +
                         std::to_string(kChangelogMarkerVersion) + " and JSON)");
  }
  uint64_t count = 0;
  if (!r.Varint(count)) return CorruptMarker("bad topic count");
  if (count > kMaxChangelogMarkerTopics) {
    return CorruptMarker(std::to_string(count) + " topics, more than the " +
                         std::to_string(kMaxChangelogMarkerTopics) + " allowed");
  }
  ChangelogMarker marker;
  std::string topic;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t length = 0, next = 0;
    if (!r.Varint(length) || length > kMaxKafkaTopicNameBytes || !r.Bytes(length, topic)) {
      return CorruptMarker("bad or truncated topic name at byte " + std::to_string(r.pos()));
    }
    if (!IsValidTopicName(topic)) return CorruptMarker("'" + Excerpt(topic) + "' is not a valid topic name");
    if (!marker.next_offsets.empty() && marker.next_offsets.rbegin()->first >= topic) {
      return CorruptMarker("topics out of name order or repeated at '" + Excerpt(topic) + "'");
    }
    if (!r.Varint(next) || next > static_cast<uint64_t>(INT64_MAX)) {
      return CorruptMarker("offset of '" + topic + "' must be an integer in [0, 2^63)");
    }
    marker.next_offsets.emplace_hint(marker.next_offsets.end(), topic, static_cast<int64_t>(next));
  }
  if (!r.Done()) return CorruptMarker("trailing bytes at byte " + std::to_string(r.pos()));
  return marker;
}

}  // namespace

Result<ChangelogMarker> DecodeChangelogMarker(std::string_view value) {
  if (value.size() > kMaxChangelogMarkerBytes) {
    return CorruptMarker(std::to_string(value.size()) + " bytes, more than the " +
                         std::to_string(kMaxChangelogMarkerBytes) + " allowed");
  }
  // The previous format, JSON, is an object; a binary marker starts with its
  // version byte, which is never '{'.
  if (value.empty() || value.front() != '{') return DecodeBinaryMarker(value);
  // nlohmann keeps the last of repeated keys without a word; the callback
  // sees every key and refuses repeats at any level.
  std::vector<std::set<std::string>> open_objects;
  bool repeated_key = false;
  const nlohmann::json::parser_callback_t check_keys = [&](int, nlohmann::json::parse_event_t event,
                                                           nlohmann::json& parsed) {
    switch (event) {
      case nlohmann::json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case nlohmann::json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case nlohmann::json::parse_event_t::key:
        if (!open_objects.empty() && parsed.is_string() &&
            !open_objects.back().insert(parsed.get_ref<const std::string&>()).second) {
          repeated_key = true;
        }
        break;
      default:
        break;
    }
    return true;
  };
  const nlohmann::json json =
      nlohmann::json::parse(value.begin(), value.end(), check_keys, /*allow_exceptions=*/false);
  if (json.is_discarded()) return CorruptMarker("not JSON: '" + Excerpt(value) + "'");
  if (repeated_key) return CorruptMarker("a key is repeated");
  if (!json.is_object()) return CorruptMarker("must be a JSON object");
  const auto offsets = json.find(kOffsetsMember);
  if (offsets == json.end() || !offsets->is_object()) return CorruptMarker("\"offsets\" must be an object");
  if (offsets->size() > kMaxChangelogMarkerTopics) {
    return CorruptMarker(std::to_string(offsets->size()) + " topics, more than the " +
                         std::to_string(kMaxChangelogMarkerTopics) + " allowed");
  }
  ChangelogMarker marker;
  for (const auto& [topic, next] : offsets->items()) {
    if (!IsValidTopicName(topic)) return CorruptMarker("'" + Excerpt(topic) + "' is not a valid topic name");
    int64_t offset = -1;
    if (next.is_number_unsigned()) {
      const uint64_t u = next.get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX)) offset = static_cast<int64_t>(u);
    } else if (next.is_number_integer()) {
      offset = next.get<int64_t>();
    }
    if (offset < 0) {
      return CorruptMarker("offset of '" + topic + "' must be an integer in [0, 2^63), got " +
                           Excerpt(next.dump()));
    }
    marker.next_offsets.emplace(topic, offset);
  }
  return marker;
}

std::string ChangelogCustomerKey(std::string_view customer_id) {
  std::string key(1, kChangelogCustomerKey);
  key.append(customer_id);
  return key;
}

std::string ChangelogTimerKey(std::string_view timer_key_bytes) {
  std::string key(1, kChangelogTimerKey);
  key.append(timer_key_bytes);
  return key;
}

std::string ChangelogPartitionKey() { return std::string(1, kChangelogPartitionKey); }
std::string ChangelogMarkerKey(std::string_view run) {
  std::string key(1, kChangelogMarkerKey);
  key.append(run);
  return key;
}

std::string_view ChangelogEpochRun(std::string_view epoch) {
  size_t end = epoch.size();
  while (end > 0 && epoch[end - 1] >= '0' && epoch[end - 1] <= '9') --end;
  return end == epoch.size() ? std::string_view() : epoch.substr(0, end);
}

std::string ChangelogClaimKey(std::string_view owner, int part) {
  std::string key(1, kChangelogClaimKey);
  key.append(owner);
  key += '/';
  key += std::to_string(part);
  return key;
}

ChangelogKey ParseChangelogKey(std::string_view key) {
  ChangelogKey parsed;
  if (key.empty()) return parsed;  // not ours
  switch (key.front()) {
    case kChangelogCustomerKey: parsed.kind = ChangelogKeyKind::kCustomer; break;
    case kChangelogTimerKey: parsed.kind = ChangelogKeyKind::kTimer; break;
    case kChangelogPartitionKey: parsed.kind = ChangelogKeyKind::kPartition; break;
    case kChangelogMarkerKey: parsed.kind = ChangelogKeyKind::kMarker; break;
    case kChangelogClaimKey: parsed.kind = ChangelogKeyKind::kClaim; break;
    default: return parsed;  // not ours
  }
  parsed.body = key.substr(1);
  return parsed;
}

Result<ChangelogRecord> DecodeChangelogRecord(int32_t partition, std::optional<std::string_view> key,
                                              std::optional<std::string_view> value,
                                              std::optional<std::string_view> epoch) {
  ChangelogRecord record;
  if (!key) return record;  // not ours
  const ChangelogKey parsed = ParseChangelogKey(*key);
  record.kind = parsed.kind;
  if (record.kind == ChangelogRecord::Kind::kForeign) return record;
  const char prefix = key->front();
  const std::string_view body = parsed.body;
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption("changelog record '" + std::string(1, prefix) + "' (key '" + Excerpt(*key) +
                              "'): " + why);
  };
  if (!epoch || epoch->empty()) return corrupt("no \"crm.epoch\" header");
  if (epoch->size() > kMaxChangelogEpochBytes) return corrupt("epoch header longer than allowed");
  record.epoch = *epoch;

  switch (record.kind) {
    case ChangelogRecord::Kind::kCustomer: {
      if (body.empty() || body.size() > kMaxChangelogIdBytes) return corrupt("bad customer id length");
      if (value) {
        Result<operators::CustomerState> state = DecodeState(*value);
        if (!state.ok()) return corrupt(state.status().message());
        record.next_check_ms = state->next_check.epoch_ms;
      }
      break;
    }
    case ChangelogRecord::Kind::kTimer: {
      if (body.size() <= kTimerPrefixBytes || body.size() - kTimerPrefixBytes > kMaxChangelogIdBytes) {
        return corrupt("bad timer key length");
      }
      if (partition < 0 || ReadPartitionPrefix(body) != static_cast<uint32_t>(partition)) {
        return corrupt("timer of partition " + std::to_string(ReadPartitionPrefix(body)) + " in changelog partition " +
                       std::to_string(partition));
      }
      if (value && !value->empty()) return corrupt("a timer's value must be empty");
      break;
    }
    case ChangelogRecord::Kind::kPartition: {
      if (!body.empty()) return corrupt("key longer than one byte");
      if (value) {
        Result<PartitionState> state = DecodePartitionState(*value);
        if (!state.ok()) return corrupt(state.status().message());
      }
      break;
    }
    case ChangelogRecord::Kind::kMarker: {
      if (!body.empty()) {
        // A run's marker: the epoch is the run and its sequence number.
        constexpr size_t kMaxSeqDigits = 18;
        if (body.size() > kMaxChangelogEpochBytes) return corrupt("run longer than allowed");
        if (body.back() >= '0' && body.back() <= '9') return corrupt("a run ends in a digit");
        if (!epoch->starts_with(body) || epoch->size() == body.size() ||
            epoch->size() - body.size() > kMaxSeqDigits || ChangelogEpochRun(*epoch).size() != body.size()) {
          return corrupt("epoch '" + Excerpt(*epoch) + "' is not of the marker's run");
        }
        record.epoch_seq = 0;
        for (char digit : epoch->substr(body.size())) record.epoch_seq = record.epoch_seq * 10 + (digit - '0');
      }
      if (!value) return corrupt("a marker cannot be null");
      Result<ChangelogMarker> marker = DecodeChangelogMarker(*value);
      if (!marker.ok()) return corrupt(marker.status().message());
      record.marker = std::move(*marker);
      record.key = body;
      return record;
    }
    case ChangelogRecord::Kind::kClaim: {
      if (body.empty() || body.size() > kMaxChangelogEpochBytes + 16) return corrupt("bad claim key length");
      if (!value || value->empty() || value->size() > kMaxChangelogEpochBytes) return corrupt("bad claim owner");
      break;
    }
    case ChangelogRecord::Kind::kForeign:
      break;
  }
  record.key = body;
  record.value = value;
  return record;
}

}  // namespace crm::pipeline

// libFuzzer target for the changelog record parser (pipeline/changelog/changelog_record.h:
// DecodeChangelogMarker, DecodeChangelogRecord; tests/fuzz/README.md), run
// for a bounded time by CTest (fuzz.changelog_record).
//
// A changelog record is untrusted (anyone who can write to the topic can
// append to it). For every input:
//  1. The whole input as a marker value (binary, or the previous JSON
//     format): never crashes; a failure is a Corruption with a short
//     message; an accepted marker has at most kMaxChangelogMarkerTopics
//     valid topic names mapped to offsets >= 0, and round-trips through
//     both encoders; an accepted binary marker is canonical (re-encodes to
//     the same bytes).
//  2. The input split into partition, key, value and epoch header (each may
//     be null): never crashes; a failure is a Corruption; an accepted record
//     is classified by its key's first byte, carries its epoch, and holds
//     exactly what the state decoders and the marker parser accept (a
//     customer record the pending check of its state).
//  3. Records as ChangelogWriter writes them (keys from the Changelog*Key
//     helpers, values from the encoders) always decode to what was written.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/changelog/changelog_record.h"
#include "pipeline/state/population_codec.h"
#include "pipeline/state/state_codec.h"

namespace {

using crm::StatusCode;
using crm::pipeline::ChangelogMarker;
using crm::pipeline::ChangelogRecord;
using crm::pipeline::DecodeChangelogMarker;
using crm::pipeline::DecodeChangelogRecord;
using crm::pipeline::EncodeChangelogMarker;
using crm::pipeline::IsValidTopicName;
using Kind = crm::pipeline::ChangelogRecord::Kind;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

void CheckFailure(const crm::Status& status) {
  Check(status.code() == StatusCode::kCorruption, "a rejected record is Corruption");
  Check(!status.message().empty() && status.message().size() < 1024, "a short reason");
}

void CheckMarker(const ChangelogMarker& m) {
  Check(m.next_offsets.size() <= crm::pipeline::kMaxChangelogMarkerTopics, "at most kMaxChangelogMarkerTopics topics");
  for (const auto& [topic, offset] : m.next_offsets) {
    Check(IsValidTopicName(topic), "marker topics are valid topic names");
    Check(offset >= 0, "marker offsets >= 0");
  }
  auto again = DecodeChangelogMarker(EncodeChangelogMarker(m));
  Check(again.ok() && *again == m, "decode(encode(marker)) == marker");
  auto json = DecodeChangelogMarker(crm::pipeline::EncodeChangelogMarkerJson(m));
  Check(json.ok() && *json == m, "decode(encode_json(marker)) == marker");
}

std::optional<std::string> MaybeString(FuzzedDataProvider& in, size_t max) {
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0) return std::nullopt;
  return in.ConsumeRandomLengthString(max);
}

std::optional<std::string_view> View(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

void CheckRecord(int32_t partition, const std::optional<std::string>& key, const std::optional<std::string>& value,
                 const std::optional<std::string>& epoch) {
  auto r = DecodeChangelogRecord(partition, View(key), View(value), View(epoch));
  if (!r.ok()) {
    CheckFailure(r.status());
    return;
  }
  const ChangelogRecord& rec = *r;
  const char first = key && !key->empty() ? (*key)[0] : '\0';
  switch (rec.kind) {
    case Kind::kForeign:
      Check(first != 'c' && first != 't' && first != 'p' && first != 'm' && first != 'o',
            "only unknown keys are foreign");
      return;
    case Kind::kCustomer:
      Check(first == 'c' && rec.key == key->substr(1), "a customer record's key is its id");
      Check(!rec.key.empty() && rec.key.size() <= crm::pipeline::kMaxChangelogIdBytes, "customer id 1..1024 bytes");
      Check(rec.value == value, "a customer record keeps its value");
      Check(!value || crm::pipeline::DecodeState(*value).ok(), "a customer value decodes");
      Check(rec.next_check_ms == (value ? crm::pipeline::DecodeState(*value)->next_check.epoch_ms : 0),
            "a customer record carries its state's pending check");
      break;
    case Kind::kTimer:
      Check(first == 't' && rec.key == key->substr(1), "a timer record's key is its timer key bytes");
      Check(!value || value->empty(), "a timer value is null or empty");
      break;
    case Kind::kPartition:
      Check(first == 'p' && key->size() == 1 && rec.key.empty(), "a partition record's key is 'p'");
      Check(rec.value == value, "a partition record keeps its value");
      Check(!value || crm::pipeline::DecodePartitionState(*value).ok(), "a partition value decodes");
      break;
    case Kind::kMarker: {
      Check(first == 'm' && rec.key == key->substr(1) && value, "a marker record's key is 'm' and its run, with a value");
      Check(rec.key.empty() ? rec.epoch_seq == -1
                            : rec.epoch_seq >= 0 && rec.epoch.starts_with(rec.key) &&
                                  crm::pipeline::ChangelogEpochRun(rec.epoch) == rec.key,
            "a run's marker is of an epoch of its run");
      auto marker = DecodeChangelogMarker(*value);
      Check(marker.ok() && *marker == rec.marker, "a marker record holds its parsed value");
      CheckMarker(rec.marker);
      break;
    }
    case Kind::kClaim:
      Check(first == 'o', "a claim record's key starts with 'o'");
      Check(value && !value->empty() && value->size() <= crm::pipeline::kMaxChangelogEpochBytes && rec.value == value,
            "a claim holds its owner, 1..1024 bytes");
      break;
  }
  Check(epoch && rec.epoch == *epoch, "our records carry their epoch header");
  Check(!rec.epoch.empty() && rec.epoch.size() <= crm::pipeline::kMaxChangelogEpochBytes, "epoch 1..1024 bytes");
}

std::string TopicName(FuzzedDataProvider& in) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
  std::string name;
  const size_t n = in.ConsumeIntegralInRange<size_t>(1, in.ConsumeBool() ? 12 : 249);
  for (size_t i = 0; i < n; ++i) name.push_back(kChars[in.ConsumeIntegralInRange<size_t>(0, sizeof kChars - 2)]);
  if (name == "." || name == "..") name += "x";  // Kafka refuses these two
  return name;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // 1. The input as a marker value.
  auto marker = DecodeChangelogMarker(bytes);
  if (marker.ok()) {
    Check(size <= crm::pipeline::kMaxChangelogMarkerBytes, "markers are bounded in size");
    CheckMarker(*marker);
    if (bytes.empty() || bytes.front() != '{') {
      Check(EncodeChangelogMarker(*marker) == bytes, "an accepted binary marker is canonical");
    }
  } else {
    CheckFailure(marker.status());
  }

  // 2. The input as a record.
  FuzzedDataProvider in(data, size);
  const int32_t partition = in.ConsumeBool() ? in.ConsumeIntegralInRange<int32_t>(0, 3) : in.ConsumeIntegral<int32_t>();
  const std::optional<std::string> epoch = MaybeString(in, 64);
  std::optional<std::string> key = MaybeString(in, 64);
  if (key && !key->empty() && in.ConsumeBool()) (*key)[0] = "ctpmo"[in.ConsumeIntegralInRange<int>(0, 4)];
  const std::optional<std::string> value = MaybeString(in, size);
  CheckRecord(partition, key, value, epoch);

  // 3. Records as the writer makes them, from what is left of the input.
  const std::string writer_epoch = "crmstream-1:" + std::to_string(in.ConsumeIntegral<uint32_t>());
  ChangelogMarker written;
  const size_t topics = in.ConsumeIntegralInRange<size_t>(0, 4);
  for (size_t i = 0; i < topics; ++i) {
    written.next_offsets[TopicName(in)] = in.ConsumeIntegralInRange<int64_t>(0, INT64_MAX);
  }
  const std::string marker_value = EncodeChangelogMarker(written);
  const std::string_view run = crm::pipeline::ChangelogEpochRun(writer_epoch);
  const std::string marker_key = crm::pipeline::ChangelogMarkerKey(run);  // the record's views point into it
  auto m = DecodeChangelogRecord(partition, marker_key, marker_value, writer_epoch);
  Check(m.ok() && m->kind == Kind::kMarker && m->marker == written && m->epoch == writer_epoch && m->key == run &&
            std::to_string(m->epoch_seq) == writer_epoch.substr(run.size()),
        "a marker as written decodes to itself, with its run and sequence number");

  crm::operators::CustomerState state;
  state.purchase_count = in.ConsumeIntegral<int64_t>();
  state.segment = in.ConsumeRandomLengthString(32);
  state.next_check = crm::operators::EventTime{in.ConsumeIntegral<int64_t>()};
  std::string id = in.ConsumeRandomLengthString(64);
  if (id.empty()) id = "c";
  std::string state_value;
  crm::pipeline::EncodeState(state, state_value);
  // A decoded record's views point into its inputs: they outlive it.
  const std::string customer_key = crm::pipeline::ChangelogCustomerKey(id);
  auto c = DecodeChangelogRecord(partition, customer_key, state_value, writer_epoch);
  Check(c.ok() && c->kind == Kind::kCustomer && c->key == id && c->value == state_value &&
            c->next_check_ms == state.next_check.epoch_ms,
        "a customer record as written decodes to itself, with its pending check");
  auto tombstone = DecodeChangelogRecord(partition, crm::pipeline::ChangelogCustomerKey(id), std::nullopt, writer_epoch);
  Check(tombstone.ok() && tombstone->kind == Kind::kCustomer && !tombstone->value,
        "a customer tombstone as written decodes");

  crm::pipeline::PartitionState ps;
  ps.max_event_ms = in.ConsumeIntegral<int64_t>();
  ps.watermark_ms = in.ConsumeIntegral<int64_t>();
  const std::string ps_value = crm::pipeline::EncodePartitionState(ps);
  auto p = DecodeChangelogRecord(partition, crm::pipeline::ChangelogPartitionKey(), ps_value, writer_epoch);
  Check(p.ok() && p->kind == Kind::kPartition && p->value == ps_value, "a partition record as written decodes");

  const std::string owner = writer_epoch.substr(0, writer_epoch.find(':'));
  for (int part = 1; part <= crm::pipeline::kChangelogClaimRecords; ++part) {
    auto claim = DecodeChangelogRecord(partition, crm::pipeline::ChangelogClaimKey(owner, part), owner, writer_epoch);
    Check(claim.ok() && claim->kind == Kind::kClaim && claim->value == owner, "a claim as written decodes");
  }
  return 0;
}

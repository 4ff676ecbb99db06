// pipeline/changelog/changelog_record.h
//
// The changelog record format (changelog.h says what the topic is for), in
// one place: how a record's key, value and epoch header are built, and a
// pure parser that turns one record read back from the topic into a typed
// ChangelogRecord or a Corruption status. Keys:
//   'c' customer_id       value: encoded CustomerState (state_codec.h); null: deleted.
//                         The state carries the customer's one pending overdue
//                         check (next_check): the timers column family is
//                         rebuilt from these records, so no timer is written
//                         on its own (docs/guarantees.md "The changelog").
//   't' timer key bytes   written only by versions before the lean changelog
//                         (value "" or null); still checked, never applied:
//                         the customer record says the same
//   'p'                   value: encoded PartitionState (population_codec.h); null: none
//   'm' run               value: marker: the epoch is complete and reached these
//                         input offsets, and so is every earlier epoch of its
//                         run. A run is the epochs one process writes between
//                         two resets of its state; an epoch id is its run id
//                         followed by a decimal sequence number (the run id
//                         ends in a non-digit), and the key names the run, so
//                         that a compacted topic keeps each run's newest
//                         marker: the one that vouches for all its epochs
//                         (docs/guarantees.md "The changelog"). A bare 'm' is a
//                         writer's before runs (one marker per epoch, the key
//                         shared by all), still read. Binary, versioned: one version byte
//                         (kChangelogMarkerVersion), a varint topic count, then
//                         per topic in name order a varint length, the name and
//                         a varint next offset. A value starting with '{' is the
//                         previous format, JSON {"offsets": {"<topic>": <next>}},
//                         still read.
//   'o' owner "/" 1 or 2  value: owner, the epoch-id prefix of the process that
//                         claims the partition (written when it is assigned,
//                         before the restore): from there on, only epochs whose
//                         id starts with the owner count. Two records (unique
//                         keys, so compaction keeps every claim), so that a
//                         writer counting the offsets between its own epochs
//                         never takes a claim for a transaction control marker.
// and every record carries its writer's epoch id in header "crm.epoch".
// Any other first key byte (or an empty key) is not ours and is ignored, so
// that a later version can add record kinds. The key bytes are known here
// only: everything else builds keys with Changelog*Key and reads them with
// ParseChangelogKey.
//
// The parser treats the record as untrusted (anyone who can write to the
// topic can append to it): every size is bounded, the state values are
// decoded as they will be stored, marker offsets must be non-negative
// integers of validly named topics. It never throws and never allocates more
// than a bounded multiple of its input. No librdkafka or JSON types in this
// header: plain bytes in, values out (a fuzz target calls it directly).
// Stateless functions: any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "operators/status.h"

namespace crm::pipeline {

inline constexpr const char* kEpochHeader = "crm.epoch";

inline constexpr int kChangelogClaimRecords = 2;

// Bounds of what the parser accepts. Generous against what the writer
// produces (customer ids of at most 64 characters, epoch ids of an instance
// id, a clock reading and a counter, markers of three topics), tight enough
// that hostile records cannot make a restore hold much memory.
inline constexpr size_t kMaxChangelogIdBytes = 1024;       // customer id in 'c' and 't' keys
inline constexpr size_t kMaxChangelogEpochBytes = 1024;    // "crm.epoch" header
inline constexpr size_t kMaxChangelogMarkerBytes = 64 << 10;
inline constexpr size_t kMaxChangelogMarkerTopics = 64;
inline constexpr size_t kMaxKafkaTopicNameBytes = 249;    // Kafka's own limit

// What a marker says: the next input offset of each input topic (of the
// marker's partition) that the epoch's state includes.
struct ChangelogMarker {
  std::map<std::string, int64_t> next_offsets;
  bool operator==(const ChangelogMarker&) const = default;
};

// The marker's binary encoding (version kChangelogMarkerVersion, see above).
inline constexpr uint8_t kChangelogMarkerVersion = 1;
std::string EncodeChangelogMarker(const ChangelogMarker& marker);
// The previous format, {"offsets":{"<topic>":<offset>,...}}: only tests and
// the upgrade path write it now.
std::string EncodeChangelogMarkerJson(const ChangelogMarker& marker);

// Parses a marker value of either format. Corruption unless it is at most
// kMaxChangelogMarkerBytes and holds at most kMaxChangelogMarkerTopics
// topics, each a valid Kafka topic name mapped to an integer in
// [0, INT64_MAX], no topic twice. Binary: an unknown version byte, a
// non-canonical varint, topics out of name order or trailing bytes are
// corruption. JSON: an object whose "offsets" member is such an object, with
// no key repeated at any level; other top-level members are ignored.
Result<ChangelogMarker> DecodeChangelogMarker(std::string_view value);

// Whether `name` is a valid Kafka topic name: 1..249 bytes of [a-zA-Z0-9._-],
// not "." or "..".
bool IsValidTopicName(std::string_view name);

// Changelog keys.
std::string ChangelogCustomerKey(std::string_view customer_id);
std::string ChangelogTimerKey(std::string_view timer_key_bytes);
std::string ChangelogPartitionKey();
// The marker key of `run` (ChangelogEpochRun); an empty run gives the bare
// 'm' of writers before runs.
std::string ChangelogMarkerKey(std::string_view run);
// The run of epoch id `epoch`: the id without its trailing decimal digits
// (empty when it has none).
std::string_view ChangelogEpochRun(std::string_view epoch);
// The key of claim record `part` (1..kChangelogClaimRecords) of `owner`.
std::string ChangelogClaimKey(std::string_view owner, int part);

enum class ChangelogKeyKind { kCustomer, kTimer, kPartition, kMarker, kClaim, kForeign };

// A changelog key split into its kind and what follows the kind byte (the
// customer id, the timer key bytes, the claim's owner and part; empty for
// the others). kForeign: an empty key or one of a kind this version does
// not know. No check of the body: DecodeChangelogRecord does that.
struct ChangelogKey {
  ChangelogKeyKind kind = ChangelogKeyKind::kForeign;
  std::string_view body;
};
ChangelogKey ParseChangelogKey(std::string_view key);

// One changelog record as read back. The views point into the bytes given
// to DecodeChangelogRecord (no copy): valid as long as those are.
struct ChangelogRecord {
  using Kind = ChangelogKeyKind;
  Kind kind = Kind::kForeign;
  std::string_view epoch;                 // the "crm.epoch" header (not for kForeign)
  std::string_view key;                   // customer id or timer key bytes; empty for the others
  std::optional<std::string_view> value;  // customer, timer, partition: the store's value bytes, nullopt: delete;
                                          // claim: the owner (epoch-id prefix)
  int64_t next_check_ms = 0;              // kCustomer: the state's pending check (0: none, or deleted)
  ChangelogMarker marker;                 // kMarker only
  // kMarker: the run (the key's body; empty for a bare 'm') and the epoch's
  // sequence number in it (-1 for a bare 'm').
  int64_t epoch_seq = -1;
};

// Classifies and checks one record of changelog partition `partition`: its
// key (nullopt: a null key), value (nullopt: a null value, i.e. a tombstone)
// and last "crm.epoch" header (nullopt: none). kForeign for records that are
// not ours (empty or null key, unknown first key byte); Corruption, with a
// reason, for records of ours that cannot have been written by
// ChangelogWriter:
//   - an epoch header that is missing, empty or over kMaxChangelogEpochBytes;
//   - 'c': an id that is empty or over kMaxChangelogIdBytes, or a value that
//     DecodeState rejects;
//   - 't': key bytes shorter than a timer key, of another partition, with an
//     empty or overlong customer id, or a value that is neither null nor empty;
//   - 'p': a key longer than one byte, or a value DecodePartitionState rejects;
//   - 'm': a run (key body) longer than kMaxChangelogEpochBytes or ending in
//     a digit, an epoch id that is not the run followed by 1..18 decimal
//     digits, a null value, or a value DecodeChangelogMarker rejects;
//   - 'o': an empty or overlong key, or a value that is null, empty or
//     longer than kMaxChangelogEpochBytes.
Result<ChangelogRecord> DecodeChangelogRecord(int32_t partition, std::optional<std::string_view> key,
                                              std::optional<std::string_view> value,
                                              std::optional<std::string_view> epoch);

}  // namespace crm::pipeline

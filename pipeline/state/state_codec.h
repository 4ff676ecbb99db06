// pipeline/state/state_codec.h
//
// Versioned binary encoding of operators::CustomerState for RocksDB and the
// changelog. Layout (state_codec.cc has the details): one version byte, a
// varint bitmap of the fields that differ from their defaults, then those
// fields in a fixed order: zigzag varints for integers, chained deltas for
// times, 8 little-endian bytes for doubles and dedup hashes, varint-prefixed
// strings (common segment/loyalty names as a one-byte index). A typical
// customer with a full dedup ring takes about 108 bytes. Encoding is deterministic (the same
// state gives the same bytes), so state dumps and replays can be compared
// byte for byte. Decoding checks every length, rejects unknown versions,
// trailing bytes and any non-canonical form as corruption, so a decoded
// state re-encodes to the same bytes. Stateless functions: any thread.
#pragma once

#include <string>
#include <string_view>

#include "operators/customer_state.h"
#include "operators/status.h"

namespace crm::pipeline {

// 3: first purchase spend and the pending overdue check (2: presence bitmap
// and varints; 1: fixed-width fields). Version 3 later gained presence bits
// after the existing ones (the reward card; segment_period and
// period_start_segment, the Markov view's memory; the journey block,
// journey_codec.h): states written before them decode unchanged (an empty
// card, no period, no journey), and a binary older than that rejects states
// carrying them (unknown presence bits).
inline constexpr uint8_t kStateEncodingVersion = 3;

// Appends the encoding of `state` to `out` (cleared first).
void EncodeState(const operators::CustomerState& state, std::string& out);

Result<operators::CustomerState> DecodeState(std::string_view bytes);

}  // namespace crm::pipeline

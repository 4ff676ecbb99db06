// pipeline/state_codec.h
//
// Versioned binary encoding of operators::CustomerState for RocksDB and the
// changelog. Layout: one version byte, then fields in a fixed order as
// little-endian fixed-width integers/doubles and length-prefixed (varint)
// strings. Encoding is deterministic (the same state gives the same bytes),
// so state dumps and replays can be compared byte for byte. Decoding checks
// every length and rejects unknown versions and trailing bytes as corruption.
#pragma once

#include <string>
#include <string_view>

#include "operators/customer_state.h"
#include "operators/status.h"

namespace crm::pipeline {

inline constexpr uint8_t kStateEncodingVersion = 1;

// Appends the encoding of `state` to `out` (cleared first).
void EncodeState(const operators::CustomerState& state, std::string& out);

Result<operators::CustomerState> DecodeState(std::string_view bytes);

}  // namespace crm::pipeline

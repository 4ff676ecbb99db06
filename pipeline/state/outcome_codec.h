// pipeline/state/outcome_codec.h
//
// The binary block of a customer's open alert (operators::OpenAlert,
// docs/outcomes.md) inside an encoded customer state: state_codec.cc writes
// it after the journey block, behind its own presence bit, so encodings
// without it still decode. Layout: alert id, recommended action and
// reported action as (varint length, bytes), the alert time as a zigzag
// varint of epoch ms, then one byte: priority (bits 0-1) and control (bit 2).
// Decoding accepts only what encoding produces (an empty alert id, an
// unknown priority or a flag bit beyond them is corrupt). Stateless: any
// thread.
#pragma once

#include "operators/outcome_state.h"
#include "pipeline/state/byte_codec.h"

namespace crm::pipeline {

// Appends the block of `open`.
void EncodeOpenAlert(const operators::OpenAlert& open, ByteWriter& w);

// Reads a block into `open`; false on malformed or non-canonical bytes.
bool DecodeOpenAlert(ByteReader& r, operators::OpenAlert& open);

}  // namespace crm::pipeline

// pipeline/state/journey_codec.h
//
// The binary block of operators::JourneyState inside an encoded customer
// state (state_codec.cc writes it last, behind its own presence bit, so
// encodings without it still decode). Layout: a varint bitmap of the fields
// that differ from their defaults, then those fields in a fixed order:
// times and counts as zigzag varints (times in epoch ms), the rung as one
// varint. Decoding accepts only what encoding produces (no empty block, no
// present-but-default field, no unknown bit or rung). Stateless: any thread.
#pragma once

#include "operators/journey_state.h"
#include "pipeline/state/byte_codec.h"

namespace crm::pipeline {

// True when `journey` equals its defaults: no block is written.
bool JourneyIsDefault(const operators::JourneyState& journey);

// Appends the block of a non-default `journey`.
void EncodeJourney(const operators::JourneyState& journey, ByteWriter& w);

// Reads a block into `journey`; false on malformed or non-canonical bytes.
bool DecodeJourney(ByteReader& r, operators::JourneyState& journey);

}  // namespace crm::pipeline

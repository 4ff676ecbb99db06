// pipeline/state/flows_codec.h
//
// Binary encoding of operators::SegmentFlows (the Markov view's counts of one
// input partition), part of the partition's stored data
// (population_codec.h): zigzag open period and first period, varint periods
// closed, a table of the segment names (varint count, then varint length and
// bytes each, ascending, index 0 being "" = outside and not written), then
// sizes, the open period's counts and spend, the totals and their spend, each
// as a varint count of entries that name segments by table index (counts as
// zigzag varints, money as IEEE doubles in 8 little-endian bytes).
// Deterministic. Decoding treats the bytes as untrusted (they come from disk
// and the changelog): lengths bounded by the input, indices within the
// table, names ascending and non-empty, no repeated entry, counts non-zero,
// sizes positive, money finite. Anything else is Corruption. Stateless
// functions: any thread.
#pragma once

#include <string>

#include "operators/segment_flows.h"
#include "pipeline/state/byte_codec.h"

namespace crm::pipeline {

void WriteFlows(ByteWriter& w, const operators::SegmentFlows& flows);
// Reads flows from `r` (over an input of `input_size` bytes); false when malformed.
bool ReadFlows(ByteReader& r, size_t input_size, operators::SegmentFlows& flows);

}  // namespace crm::pipeline

// pipeline/wire/segments_json.h
//
// The body of GET /segments (docs/contracts/segments.schema.json): the Markov
// view of the customer base (operators/segment_chain.h) over the input
// partitions it was read from, as one JSON object whose arrays are aligned
// with "states". Field order and number formatting are fixed, so equal
// inputs print identical text. Stateless; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "operators/markov_period.h"
#include "operators/segment_chain.h"
#include "operators/segment_flows.h"

namespace crm::pipeline {

// `flows` are the merged flows of `partitions`.
std::string SegmentsJson(const operators::SegmentChain& chain, const operators::SegmentFlows& flows,
                         const operators::MarkovConfig& config, const std::vector<int32_t>& partitions);

}  // namespace crm::pipeline

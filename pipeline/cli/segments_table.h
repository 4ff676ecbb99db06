// pipeline/cli/segments_table.h
//
// The Markov view (operators/segment_chain.h) as plain text for the demo's
// closing summary: the transition matrix of the closed periods (rows and
// columns numbered, shares in percent, with each row's customers), the
// steady state and each segment's discounted value. Pure formatting.
#pragma once

#include <string>

#include "operators/markov_period.h"
#include "operators/segment_chain.h"
#include "operators/segment_flows.h"

namespace crm::pipeline {

std::string SegmentsTable(const operators::SegmentChain& chain, const operators::SegmentFlows& flows,
                          const operators::MarkovConfig& config);

}  // namespace crm::pipeline

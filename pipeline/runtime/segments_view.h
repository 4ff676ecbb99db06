// pipeline/runtime/segments_view.h
//
// GET /segments and the demo's closing matrix: the committed segment flows
// (operators/segment_flows.h) of the given input partitions, read from the
// state store and merged, then turned into the Markov view
// (operators/segment_chain.h). Reads only committed data, so it is safe from
// any thread beside the processing one (RocksDB reads are).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "operators/segment_chain.h"
#include "operators/segment_flows.h"
#include "operators/status.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {

// The merged flows of `partitions` (a partition without stored data counts
// nothing). Corruption when a partition's stored data does not decode.
Result<operators::SegmentFlows> ReadSegmentFlows(const StateStore& store, const std::vector<int32_t>& partitions);

// The chain of merged flows, with the configured segments' order.
operators::SegmentChain SegmentChainOf(const operators::SegmentFlows& flows, const config::Config& config);

// The JSON body of GET /segments over `partitions`.
Result<std::string> SegmentsReportJson(const StateStore& store, const config::Config& config,
                                       const std::vector<int32_t>& partitions);

}  // namespace crm::pipeline

#include "pipeline/runtime/segments_view.h"

#include "pipeline/state/population_codec.h"
#include "pipeline/wire/segments_json.h"

namespace crm::pipeline {

Result<operators::SegmentFlows> ReadSegmentFlows(const StateStore& store, const std::vector<int32_t>& partitions) {
  operators::SegmentFlows merged;
  for (int32_t partition : partitions) {
    ASSIGN_OR_RETURN(std::optional<std::string> bytes, store.PartitionData(partition));
    if (!bytes) continue;
    ASSIGN_OR_RETURN(PartitionState state, DecodePartitionState(*bytes));
    operators::MergeFlows(merged, state.flows);
  }
  return merged;
}

operators::SegmentChain SegmentChainOf(const operators::SegmentFlows& flows, const config::Config& config) {
  std::vector<std::string> order;
  for (const operators::SegmentRule& rule : config.model.segments) order.push_back(rule.name);
  return operators::BuildSegmentChain(flows, config.markov, order);
}

Result<std::string> SegmentsReportJson(const StateStore& store, const config::Config& config,
                                       const std::vector<int32_t>& partitions) {
  ASSIGN_OR_RETURN(operators::SegmentFlows flows, ReadSegmentFlows(store, partitions));
  return SegmentsJson(SegmentChainOf(flows, config), flows, config.markov, partitions);
}

}  // namespace crm::pipeline

// operators/segment_chain.h
//
// The Markov view of the customer base as a report: from a partition's (or
// several partitions' merged) segment flows (segment_flows.h), the segment
// sizes, the transition counts and matrix of the closed periods, the
// distribution the chain settles in, and each segment's expected discounted
// value under the chain (markov_chain.h, Pfeifer & Carraway 2000). GET
// /segments and the demo show it (docs/segments.md). Pure; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "operators/markov_chain.h"
#include "operators/markov_period.h"
#include "operators/segment_flows.h"

namespace crm::operators {

struct SegmentChain {
  // The states: segments in `order` first, then any other name seen, sorted.
  std::vector<std::string> states;
  std::vector<int64_t> sizes;  // customers in each now
  // Closed periods: customers in row's segment when a period began and in
  // column's when it ended.
  CountMatrix counts;
  std::vector<int64_t> left;    // by segment at the start: state expired during the period
  std::vector<int64_t> joined;  // by segment at the end: first segmented during the period
  std::vector<int64_t> customer_periods;  // by segment at the start: row count + left
  // counts / row sums: row-stochastic over the customers who stayed in the
  // base; a row nobody started a period in is its unit row (observed false).
  Matrix transition;
  std::vector<bool> observed;
  // From the current sizes, where the chain settles (markov_chain.h).
  SteadyState steady;
  // Mean spend per customer and period by segment at the start, the reward
  // margin x that, and V = (I - Q/(1+d))^-1 R, where Q is the transition
  // matrix scaled by each row's share of customers who stayed (leaving ends a
  // customer's value).
  std::vector<double> spend_per_period;
  std::vector<double> reward;
  std::vector<double> value;
};

SegmentChain BuildSegmentChain(const SegmentFlows& flows, const MarkovConfig& config,
                               const std::vector<std::string>& order);

}  // namespace crm::operators

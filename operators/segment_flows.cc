#include "operators/segment_flows.h"

#include <algorithm>

namespace crm::operators {
namespace {

void Add(std::map<SegmentPair, int64_t>& counts, const std::string& from, const std::string& to, int64_t n) {
  if (n == 0) return;
  auto [it, inserted] = counts.try_emplace(SegmentPair{from, to}, 0);
  it->second += n;
  if (it->second == 0) counts.erase(it);
}

void AddSize(std::map<std::string, int64_t>& sizes, const std::string& segment, int64_t n) {
  if (segment.empty()) return;
  auto [it, inserted] = sizes.try_emplace(segment, 0);
  it->second += n;
  if (it->second == 0) sizes.erase(it);
}

// Where the customer stood when the open period began ("" = outside): their
// memory if they changed in it already; else, if they are counted at all,
// the segment they held before this change or purchase.
std::string StartSegment(const SegmentFlows& flows, const CustomerState& customer,
                         const std::string& segment_before) {
  if (customer.segment_period == kNoPeriod) return std::string();
  if (customer.segment_period == flows.period) return customer.period_start_segment;
  return segment_before;
}

}  // namespace

void AdvanceFlows(SegmentFlows& flows, int64_t period) {
  if (period == kNoPeriod || (flows.period != kNoPeriod && period <= flows.period)) return;
  if (flows.period == kNoPeriod) {
    flows.first_period = period;
  } else {
    for (const auto& [pair, n] : flows.open) {
      if (!pair.first.empty() || !pair.second.empty()) Add(flows.transitions, pair.first, pair.second, n);
    }
    for (const auto& [segment, amount] : flows.open_spend) flows.spend[segment] += amount;
    // Periods with no change in between: everyone stayed put.
    const int64_t skipped = period - flows.period - 1;
    for (const auto& [segment, n] : flows.sizes) Add(flows.transitions, segment, segment, n * skipped);
    flows.periods_closed += period - flows.period;
  }
  flows.period = period;
  flows.open.clear();
  flows.open_spend.clear();
  for (const auto& [segment, n] : flows.sizes) Add(flows.open, segment, segment, n);
}

void RecordMove(SegmentFlows& flows, CustomerState& customer, const std::string& from, const std::string& to) {
  // A customer without memory is not in the counts yet: they enter from outside.
  const std::string counted_from = customer.segment_period == kNoPeriod ? std::string() : from;
  std::string start = StartSegment(flows, customer, from);
  Add(flows.open, start, counted_from, -1);
  Add(flows.open, start, to, +1);
  AddSize(flows.sizes, counted_from, -1);
  AddSize(flows.sizes, to, +1);
  customer.segment_period = flows.period;
  customer.period_start_segment = std::move(start);
}

void RecordSpend(SegmentFlows& flows, const CustomerState& customer, const std::string& segment_before,
                 double amount) {
  if (amount == 0) return;
  flows.open_spend[StartSegment(flows, customer, segment_before)] += amount;
}

void MergeFlows(SegmentFlows& into, const SegmentFlows& other) {
  if (other.period != kNoPeriod) {
    into.period = into.period == kNoPeriod ? other.period : std::max(into.period, other.period);
    into.first_period = into.first_period == kNoPeriod ? other.first_period
                                                       : std::min(into.first_period, other.first_period);
  }
  into.periods_closed = std::max(into.periods_closed, other.periods_closed);
  for (const auto& [segment, n] : other.sizes) AddSize(into.sizes, segment, n);
  for (const auto& [pair, n] : other.open) Add(into.open, pair.first, pair.second, n);
  for (const auto& [segment, amount] : other.open_spend) into.open_spend[segment] += amount;
  for (const auto& [pair, n] : other.transitions) Add(into.transitions, pair.first, pair.second, n);
  for (const auto& [segment, amount] : other.spend) into.spend[segment] += amount;
}

}  // namespace crm::operators

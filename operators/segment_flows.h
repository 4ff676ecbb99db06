// operators/segment_flows.h
//
// Counts of customers moving between segments from one event-time period to
// the next, kept per input partition beside its RFM population and committed
// with it (pipeline/state/population_codec.h), so a restart or a takeover
// counts on from the same numbers (docs/segments.md "The customer base as a
// Markov chain").
//
// Definition. A partition's clock is the largest event time it has processed
// (or its watermark, when an idle advance took that further); a period
// boundary passes when that clock reaches it. A customer's transition in
// period k is the segment they hold when boundary k passes -> the segment
// they hold when boundary k+1 passes, so a customer who stays put is a
// self-transition and every row sums to the customers who began the period
// there. "" stands for outside the base: a customer first segmented during
// the period moves from "" (joined), one whose state expired moves to ""
// (left). Changes are counted in the period that is open when they are
// processed (a late event's change counts in the open period).
//
// Incremental: a period opens with every customer staying put (the current
// segment sizes on the diagonal); each change of a customer who started the
// period in s0 moves one count from (s0, from) to (s0, to). The customer
// remembers s0 (CustomerState::period_start_segment, for the period in
// CustomerState::segment_period) once they have changed in the period. A
// customer stored before that memory existed enters from "" at their next
// change. Purchase amounts are summed by the segment their customer started
// the period in, for the per-period spend of each segment. Plain value type;
// the functions are pure and deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "operators/customer_state.h"
#include "operators/markov_period.h"

namespace crm::operators {

using SegmentPair = std::pair<std::string, std::string>;  // (start segment, end segment)

struct SegmentFlows {
  int64_t period = kNoPeriod;        // the open period (PeriodIndex)
  int64_t first_period = kNoPeriod;  // the first period this partition opened
  int64_t periods_closed = 0;
  // Customers per segment now.
  std::map<std::string, int64_t> sizes;
  // The open period so far: (segment at its start, segment now) -> customers.
  std::map<SegmentPair, int64_t> open;
  std::map<std::string, double> open_spend;  // by segment at the start
  // Every closed period, summed.
  std::map<SegmentPair, int64_t> transitions;
  std::map<std::string, double> spend;  // by segment at the start of the period

  bool operator==(const SegmentFlows&) const = default;
};

// Moves the partition's clock into `period`: closes the open period (and any
// periods skipped without a change, everyone staying put) into the totals and
// opens `period` with every customer in place. An earlier or equal period
// changes nothing.
void AdvanceFlows(SegmentFlows& flows, int64_t period);

// The customer's segment changed from `from` to `to` ("" = outside) in the
// open period. Updates the customer's memory of where they started it.
void RecordMove(SegmentFlows& flows, CustomerState& customer, const std::string& from, const std::string& to);

// A purchase of `amount` by a customer whose segment before it was
// `segment_before`, in the open period.
void RecordSpend(SegmentFlows& flows, const CustomerState& customer, const std::string& segment_before,
                 double amount);

// Adds another partition's counts (for a report over several partitions):
// sizes, totals and spend add up; first_period is the earliest, period the
// latest, periods_closed the largest.
void MergeFlows(SegmentFlows& into, const SegmentFlows& other);

}  // namespace crm::operators

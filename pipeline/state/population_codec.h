// pipeline/state/population_codec.h
//
// Versioned binary encodings of what the state store keeps per input
// partition (PartitionState below) and of its operators::RfmPopulation:
// version byte, varint changes since the last refresh, then six histograms
// (live frequency, monetary, last purchase day; the same frozen), each as a
// varint bucket count and (zigzag bucket delta, zigzag count) pairs in
// bucket order. Deterministic.
//
// Decoding treats its input as untrusted (it comes from disk and from the
// changelog topic, which anyone with write access can append to): every
// length is checked, trailing bytes are rejected, a bucket count may not
// exceed what the remaining bytes can hold, bucket arithmetic is
// overflow-checked, every count is positive, no histogram's total overflows,
// and the three histograms of one set (live or frozen) hold the same number
// of customers, as they always do when written by EncodePopulation. Anything
// else is Corruption, never undefined behaviour. Stateless functions: any
// thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "operators/alert_budget.h"
#include "operators/rfm_population.h"
#include "operators/segment_flows.h"
#include "operators/status.h"

namespace crm::pipeline {

inline constexpr uint8_t kPopulationEncodingVersion = 1;

std::string EncodePopulation(const operators::RfmPopulation& population);
Result<operators::RfmPopulation> DecodePopulation(std::string_view bytes);

// What the store keeps per input partition: its event-time clock, its
// trusted wall clock, its alert budget and its RFM population. Encoded as a
// version byte, the three times as zigzag varints, the alert budget (zigzag
// day, varint sent, the bar and a varint count of ascending candidate
// values as IEEE doubles in 8 little-endian bytes), the segment flows
// (flows_codec.h), then the population's own encoding. Version 1 (no
// clock_ms), 2 (no budget) and 3 (no flows) still decode, with clock_ms =
// INT64_MIN, an empty budget and empty flows. A budget decodes only with
// finite, non-negative values in ascending order and at most
// operators::kMaxAlertsPerDay candidates.
struct PartitionState {
  int64_t max_event_ms = INT64_MIN;  // largest event time processed
  int64_t watermark_ms = INT64_MIN;  // max_event - lateness, or a recorded wall-clock advance
  int64_t clock_ms = INT64_MIN;  // wall clock recorded at the partition's last commit: the trusted 'now' for the future-event bound
  operators::AlertBudget alert_budget;  // call-center capacity (operators/alert_budget.h)
  operators::SegmentFlows flows;  // the Markov view's counts (operators/segment_flows.h)
  operators::RfmPopulation population;
};
inline constexpr uint8_t kPartitionStateEncodingVersion = 4;

std::string EncodePartitionState(const PartitionState& state);
Result<PartitionState> DecodePartitionState(std::string_view bytes);

}  // namespace crm::pipeline

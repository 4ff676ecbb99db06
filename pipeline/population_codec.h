// pipeline/population_codec.h
//
// Versioned binary encodings of what the state store keeps per input
// partition (PartitionState below) and of its operators::RfmPopulation: version byte, varint changes since the last refresh, then
// six histograms (live frequency, monetary, last purchase day; the same
// frozen), each as a varint bucket count and (zigzag bucket delta, zigzag
// count) pairs in bucket order. Deterministic; decoding checks every length
// and rejects trailing bytes. Stateless functions: any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "operators/rfm_population.h"
#include "operators/status.h"

namespace crm::pipeline {

inline constexpr uint8_t kPopulationEncodingVersion = 1;

std::string EncodePopulation(const operators::RfmPopulation& population);
Result<operators::RfmPopulation> DecodePopulation(std::string_view bytes);

// What the store keeps per input partition: its event-time clock and its RFM
// population. Encoded as a version byte, the two times as zigzag varints,
// then the population's own encoding.
struct PartitionState {
  int64_t max_event_ms = INT64_MIN;  // largest event time processed
  int64_t watermark_ms = INT64_MIN;  // max_event - lateness, or a recorded wall-clock advance
  operators::RfmPopulation population;
};
inline constexpr uint8_t kPartitionStateEncodingVersion = 1;

std::string EncodePartitionState(const PartitionState& state);
Result<PartitionState> DecodePartitionState(std::string_view bytes);

}  // namespace crm::pipeline

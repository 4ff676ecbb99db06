// pipeline/population_codec.h
//
// Versioned binary encoding of one partition's operators::RfmPopulation for
// the state store: version byte, varint changes since the last refresh, then
// six histograms (live frequency, monetary, last purchase day; the same
// frozen), each as a varint bucket count and (zigzag bucket delta, zigzag
// count) pairs in bucket order. Deterministic; decoding checks every length
// and rejects trailing bytes. Stateless functions: any thread.
#pragma once

#include <string>
#include <string_view>

#include "operators/rfm_population.h"
#include "operators/status.h"

namespace crm::pipeline {

inline constexpr uint8_t kPopulationEncodingVersion = 1;

std::string EncodePopulation(const operators::RfmPopulation& population);
Result<operators::RfmPopulation> DecodePopulation(std::string_view bytes);

}  // namespace crm::pipeline

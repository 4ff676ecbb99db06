#include "pipeline/population_codec.h"

#include <array>

#include "pipeline/byte_codec.h"

namespace crm::pipeline {
namespace {

using operators::Histogram;
using operators::RfmPopulation;

void WriteHistogram(ByteWriter& w, const Histogram& h) {
  w.Varint(h.buckets().size());
  int64_t previous = 0;
  for (const auto& [bucket, count] : h.buckets()) {
    w.Signed(bucket - previous);
    w.Signed(count);
    previous = bucket;
  }
}

bool ReadHistogram(ByteReader& r, Histogram& h) {
  uint64_t n;
  // Every bucket takes at least two bytes, which bounds n by the input.
  if (!r.Varint(n)) return false;
  std::map<int32_t, int64_t> buckets;
  int64_t previous = 0;
  for (uint64_t i = 0; i < n; ++i) {
    int64_t delta, count;
    if (!r.Signed(delta) || !r.Signed(count)) return false;
    const int64_t bucket = previous + delta;
    if ((i > 0 && delta <= 0) || bucket < INT32_MIN || bucket > INT32_MAX || count == 0) return false;
    buckets.emplace(static_cast<int32_t>(bucket), count);
    previous = bucket;
  }
  h.Assign(std::move(buckets));
  return true;
}

}  // namespace

std::string EncodePopulation(const RfmPopulation& population) {
  std::string out;
  ByteWriter w(out);
  w.Byte(kPopulationEncodingVersion);
  w.Varint(static_cast<uint64_t>(population.changes_since_refresh()));
  for (const RfmPopulation::Parts* parts : {&population.live(), &population.frozen()}) {
    WriteHistogram(w, parts->frequency);
    WriteHistogram(w, parts->monetary);
    WriteHistogram(w, parts->last_purchase_day);
  }
  return out;
}

Result<RfmPopulation> DecodePopulation(std::string_view bytes) {
  ByteReader r(bytes);
  auto corrupt = [&r](const char* what) {
    return Status::Corruption("rfm population: bad or truncated " + std::string(what) + " at byte " +
                              std::to_string(r.pos()));
  };
  uint8_t version;
  if (!r.Byte(version)) return corrupt("version");
  if (version != kPopulationEncodingVersion) {
    return Status::Corruption("rfm population: unknown encoding version " + std::to_string(version));
  }
  uint64_t changes;
  if (!r.Varint(changes) || changes > INT64_MAX) return corrupt("change count");
  std::array<RfmPopulation::Parts, 2> parts;
  for (RfmPopulation::Parts& p : parts) {
    if (!ReadHistogram(r, p.frequency) || !ReadHistogram(r, p.monetary) || !ReadHistogram(r, p.last_purchase_day)) {
      return corrupt("histogram");
    }
  }
  if (!r.Done()) return corrupt("length (trailing bytes)");
  RfmPopulation population;
  population.Restore(std::move(parts[0]), std::move(parts[1]), static_cast<int64_t>(changes));
  return population;
}

std::string EncodePartitionState(const PartitionState& state) {
  std::string out;
  ByteWriter w(out);
  w.Byte(kPartitionStateEncodingVersion);
  w.Signed(state.max_event_ms);
  w.Signed(state.watermark_ms);
  out += EncodePopulation(state.population);
  return out;
}

Result<PartitionState> DecodePartitionState(std::string_view bytes) {
  ByteReader r(bytes);
  uint8_t version;
  PartitionState state;
  if (!r.Byte(version) || version != kPartitionStateEncodingVersion) {
    return Status::Corruption("partition state: unknown or missing encoding version");
  }
  if (!r.Signed(state.max_event_ms) || !r.Signed(state.watermark_ms)) {
    return Status::Corruption("partition state: bad or truncated clock at byte " + std::to_string(r.pos()));
  }
  ASSIGN_OR_RETURN(state.population, DecodePopulation(bytes.substr(r.pos())));
  return state;
}

}  // namespace crm::pipeline

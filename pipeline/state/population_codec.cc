#include "pipeline/state/population_codec.h"

#include <array>
#include <bit>
#include <cmath>

#include "pipeline/state/byte_codec.h"
#include "pipeline/state/flows_codec.h"

namespace crm::pipeline {
namespace {

using operators::Histogram;
using operators::RfmPopulation;

// A bucket is at least a one-byte delta and a one-byte count.
constexpr uint64_t kMinBytesPerBucket = 2;
constexpr uint8_t kPartitionStateVersionWithoutClock = 1;
constexpr uint8_t kPartitionStateVersionWithoutBudget = 2;
constexpr uint8_t kPartitionStateVersionWithoutFlows = 3;

void WriteBudget(ByteWriter& w, const operators::AlertBudget& b) {
  w.Signed(b.day);
  w.Varint(static_cast<uint64_t>(b.sent));
  w.Fixed64(std::bit_cast<uint64_t>(b.bar));
  w.Varint(b.top.size());
  for (double v : b.top) w.Fixed64(std::bit_cast<uint64_t>(v));
}

bool ReadMoney(ByteReader& r, double& v) {
  uint64_t bits;
  if (!r.Fixed64(bits)) return false;
  v = std::bit_cast<double>(bits);
  return std::isfinite(v) && v >= 0;
}

// Reads an alert budget from untrusted bytes.
bool ReadBudget(ByteReader& r, size_t input_size, operators::AlertBudget& b) {
  uint64_t sent, n;
  if (!r.Signed(b.day) || !r.Varint(sent) || !ReadMoney(r, b.bar) || !r.Varint(n)) return false;
  if (sent > static_cast<uint64_t>(operators::kMaxAlertsPerDay)) return false;
  b.sent = static_cast<int64_t>(sent);
  // Bounds n by the input before anything is allocated or looped over.
  if (n > static_cast<uint64_t>(operators::kMaxAlertsPerDay) || n > (input_size - r.pos()) / 8) return false;
  b.top.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    if (!ReadMoney(r, b.top[i]) || (i > 0 && b.top[i] < b.top[i - 1])) return false;
  }
  return true;
}

void WriteHistogram(ByteWriter& w, const Histogram& h) {
  w.Varint(h.buckets().size());
  int64_t previous = 0;
  for (const auto& [bucket, count] : h.buckets()) {
    w.Signed(bucket - previous);
    w.Signed(count);
    previous = bucket;
  }
}

// Reads one histogram from untrusted bytes; `total` is the sum of its counts.
bool ReadHistogram(ByteReader& r, size_t input_size, Histogram& h, int64_t& total) {
  uint64_t n;
  if (!r.Varint(n)) return false;
  // Bounds n by the input before anything is allocated or looped over.
  if (n > (input_size - r.pos()) / kMinBytesPerBucket) return false;
  std::map<int32_t, int64_t> buckets;
  int64_t previous = 0;
  total = 0;
  for (uint64_t i = 0; i < n; ++i) {
    int64_t delta, count;
    if (!r.Signed(delta) || !r.Signed(count)) return false;
    int64_t bucket;
    if (__builtin_add_overflow(previous, delta, &bucket)) return false;
    if ((i > 0 && delta <= 0) || bucket < INT32_MIN || bucket > INT32_MAX) return false;
    if (count <= 0 || __builtin_add_overflow(total, count, &total)) return false;
    buckets.emplace_hint(buckets.end(), static_cast<int32_t>(bucket), count);
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
    int64_t frequency_total, monetary_total, recency_total;
    if (!ReadHistogram(r, bytes.size(), p.frequency, frequency_total) ||
        !ReadHistogram(r, bytes.size(), p.monetary, monetary_total) ||
        !ReadHistogram(r, bytes.size(), p.last_purchase_day, recency_total)) {
      return corrupt("histogram");
    }
    // Every customer is counted once in each of the three.
    if (frequency_total != monetary_total || frequency_total != recency_total) {
      return Status::Corruption("rfm population: histogram totals disagree (" + std::to_string(frequency_total) +
                                ", " + std::to_string(monetary_total) + ", " + std::to_string(recency_total) + ")");
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
  w.Signed(state.clock_ms);
  WriteBudget(w, state.alert_budget);
  WriteFlows(w, state.flows);
  out += EncodePopulation(state.population);
  return out;
}

Result<PartitionState> DecodePartitionState(std::string_view bytes) {
  ByteReader r(bytes);
  uint8_t version;
  PartitionState state;
  if (!r.Byte(version) || version < kPartitionStateVersionWithoutClock || version > kPartitionStateEncodingVersion) {
    return Status::Corruption("partition state: unknown or missing encoding version");
  }
  if (!r.Signed(state.max_event_ms) || !r.Signed(state.watermark_ms) ||
      (version >= kPartitionStateVersionWithoutBudget && !r.Signed(state.clock_ms))) {
    return Status::Corruption("partition state: bad or truncated clock at byte " + std::to_string(r.pos()));
  }
  if (version >= kPartitionStateVersionWithoutFlows && !ReadBudget(r, bytes.size(), state.alert_budget)) {
    return Status::Corruption("partition state: bad or truncated alert budget at byte " + std::to_string(r.pos()));
  }
  if (version >= kPartitionStateEncodingVersion && !ReadFlows(r, bytes.size(), state.flows)) {
    return Status::Corruption("partition state: bad or truncated segment flows at byte " + std::to_string(r.pos()));
  }
  ASSIGN_OR_RETURN(state.population, DecodePopulation(bytes.substr(r.pos())));
  return state;
}

}  // namespace crm::pipeline

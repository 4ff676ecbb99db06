// pipeline/embedded/traffic_generator.h
//
// Realistic synthetic customer traffic for the demo, tests and benchmarks:
// loyal customers who buy regularly, occasional buyers, customers who
// drift away (growing gaps, poor service ratings, a complaint, then silence)
// and, when asked for, households doing a big weekly shop (who join the
// reward programme and pass its threshold within a year), prospects
// (inquiries, visits, quotes; some convert) and loyal customers who review
// and refer.
// Deterministic for a seed: events come out in event-time order with ids
// "<seed>-<n>". A small share of deliberately malformed messages exercises
// the dead-letter path. Pure computation; the caller produces the records.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "pipeline/wire/event_decoder.h"

namespace crm::pipeline {

struct GeneratorOptions {
  int64_t customers = 1000;
  uint64_t seed = 1;
  int64_t start_epoch_ms = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
  double loyal_share = 0.5;
  double drifting_share = 0.25;
  double household_share = 0;    // weekly shop of about 160; the rest buy occasionally
  double malformed_share = 0.002;
  // Engagement (crm.interactions), off by default so that other traffic
  // stays the same for a seed. Prospects make one to three inquiries,
  // visits or quotes; prospect_conversion of them then buy and stay loyal.
  double prospect_share = 0;      // of joining customers
  double prospect_conversion = 0.6;
  // Share of a loyal customer's events that are a good review or a referral.
  double loyal_advocacy_share = 0;
};

struct GeneratedEvent {
  InputKind kind;
  std::string customer_id;  // also the message key
  std::string json;
  int64_t event_time_ms;
  bool malformed = false;
};

class TrafficGenerator {
 public:
  explicit TrafficGenerator(const GeneratorOptions& options);
  ~TrafficGenerator();

  // The next event in event-time order (never ends: customers who left
  // are replaced by new ones joining).
  GeneratedEvent Next();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Customer id used by the generator for index i ("c0000042"-style).
std::string GeneratedCustomerId(int64_t index);

}  // namespace crm::pipeline

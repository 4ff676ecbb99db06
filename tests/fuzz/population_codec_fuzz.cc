// libFuzzer target for the per-partition encodings (pipeline/state/population_codec.h:
// DecodePopulation, DecodePartitionState; tests/fuzz/README.md), run for a
// bounded time by CTest (fuzz.population_codec).
//
// Stored data is untrusted (a corrupt RocksDB value or changelog record), so
// for every input, read both as a population and as a partition state:
//  - decoding never crashes, and a failure is a Corruption with a short message;
//  - an accepted value round-trips: encode, decode gives an equal value, and
//    encoding that gives the same bytes again;
//  - an accepted population holds only positive bucket counts (a histogram
//    counts customers) whose totals fit and agree between the three
//    histograms of a set, and scoring any customer against it gives 1..5.
// Then, the input as a recipe: any population EncodePopulation can be given
// (each customer in all three histograms) encodes and decodes to itself.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <string_view>

#include "operators/model_config.h"
#include "pipeline/state/population_codec.h"

namespace {

using crm::StatusCode;
using crm::operators::CustomerState;
using crm::operators::EventTime;
using crm::operators::Histogram;
using crm::operators::RfmPopulation;
using crm::operators::RfmScoring;
using crm::pipeline::DecodePartitionState;
using crm::pipeline::DecodePopulation;
using crm::pipeline::EncodePartitionState;
using crm::pipeline::EncodePopulation;
using crm::pipeline::PartitionState;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

template <typename T>
void CheckFailure(const crm::Result<T>& r) {
  Check(r.status().code() == StatusCode::kCorruption, "a decode failure is Corruption");
  Check(!r.status().message().empty() && r.status().message().size() < 300, "short message");
}

void CheckHistogram(const Histogram& h) {
  int64_t total = 0;
  for (const auto& [bucket, count] : h.buckets()) {
    Check(count > 0, "bucket counts are positive");
    Check(!__builtin_add_overflow(total, count, &total), "a histogram's total fits in int64");
  }
  Check(h.count() == total, "count() is the sum of the buckets");
}

void CheckPopulation(const RfmPopulation& p) {
  Check(p.changes_since_refresh() >= 0, "changes since refresh >= 0");
  for (const RfmPopulation::Parts* parts : {&p.live(), &p.frozen()}) {
    CheckHistogram(parts->frequency);
    CheckHistogram(parts->monetary);
    CheckHistogram(parts->last_purchase_day);
    Check(parts->frequency.count() == parts->monetary.count() &&
              parts->frequency.count() == parts->last_purchase_day.count(),
          "the three histograms of a set count the same customers");
  }
  crm::operators::RfmConfig config;
  config.recency = RfmScoring::kQuantiles;
  config.min_population = 0;
  for (double spend : {0.0, 1.0, 99.5, 1e9}) {
    for (int64_t day : {0LL, 10'000LL, 20'000LL, -5LL}) {
      CustomerState s;
      s.purchase_count = static_cast<int64_t>(spend) % 7 + 1;
      s.total_spend = spend;
      s.last_purchase = EventTime{day * 86'400'000};
      const auto ranks = p.Score(config, s);
      for (const auto& score : {ranks.r, ranks.f, ranks.m}) {
        Check(!score || (*score >= 1 && *score <= 5), "scores 1..5");
      }
    }
  }
}

// A population as EncodePopulation sees it: every customer counted once in
// each of the three histograms, so their totals agree.
RfmPopulation::Parts RecipeParts(FuzzedDataProvider& in) {
  std::map<int32_t, int64_t> frequency, monetary, days;
  const size_t customers = in.ConsumeIntegralInRange<size_t>(0, 8);
  for (size_t i = 0; i < customers; ++i) {
    const int64_t n = in.ConsumeIntegralInRange<int64_t>(1, std::numeric_limits<int64_t>::max() / 8);
    frequency[in.ConsumeIntegral<int32_t>()] += n;
    monetary[in.ConsumeIntegral<int32_t>()] += n;
    days[in.ConsumeIntegral<int32_t>()] += n;
  }
  RfmPopulation::Parts p;
  p.frequency.Assign(std::move(frequency));
  p.monetary.Assign(std::move(monetary));
  p.last_purchase_day.Assign(std::move(days));
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto population = DecodePopulation(bytes);
  if (!population.ok()) {
    CheckFailure(population);
  } else {
    CheckPopulation(*population);
    const std::string encoded = EncodePopulation(*population);
    auto again = DecodePopulation(encoded);
    Check(again.ok() && *again == *population, "population: decode(encode(p)) == p");
    Check(EncodePopulation(*again) == encoded, "population: encoding is deterministic");
  }

  auto partition = DecodePartitionState(bytes);
  if (!partition.ok()) {
    CheckFailure(partition);
  } else {
    CheckPopulation(partition->population);
    const std::string encoded = EncodePartitionState(*partition);
    auto again = DecodePartitionState(encoded);
    Check(again.ok() && again->max_event_ms == partition->max_event_ms &&
              again->watermark_ms == partition->watermark_ms && again->clock_ms == partition->clock_ms &&
              again->population == partition->population,
          "partition state: decode(encode(s)) == s");
    Check(EncodePartitionState(*again) == encoded, "partition state: encoding is deterministic");
  }

  FuzzedDataProvider in(data, size);
  PartitionState state;
  state.max_event_ms = in.ConsumeIntegral<int64_t>();
  state.watermark_ms = in.ConsumeIntegral<int64_t>();
  state.clock_ms = in.ConsumeIntegral<int64_t>();
  RfmPopulation::Parts live = RecipeParts(in);
  RfmPopulation::Parts frozen = RecipeParts(in);
  state.population.Restore(std::move(live), std::move(frozen), in.ConsumeIntegralInRange<int64_t>(0, INT64_MAX));
  auto back = DecodePartitionState(EncodePartitionState(state));
  if (!back.ok()) {
    std::fprintf(stderr, "%s\n", back.status().message().c_str());
    Check(false, "every partition state's encoding decodes");
  }
  Check(back->max_event_ms == state.max_event_ms && back->watermark_ms == state.watermark_ms &&
            back->clock_ms == state.clock_ms && back->population == state.population,
        "partition state from a recipe round-trips");
  return 0;
}

#include "pipeline/state/population_codec.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "pipeline/state/byte_codec.h"

namespace crm::pipeline {
namespace {

operators::RfmPopulation SomePopulation() {
  operators::RfmConfig config;
  config.refresh_every = 7;
  operators::RfmPopulation population;
  for (int i = 1; i <= 30; ++i) {
    operators::CustomerState s;
    s.purchase_count = i % 4 + 1;
    s.total_spend = i * 13.7;
    s.last_purchase = operators::EventTime{i * 86'400'000LL * 3};
    population.Update(config, operators::CustomerState{}, s);
  }
  return population;
}

TEST(PopulationCodec, RoundTripsExactly) {
  const operators::RfmPopulation population = SomePopulation();
  ASSERT_NE(population.changes_since_refresh(), 0);
  const std::string bytes = EncodePopulation(population);
  auto decoded = DecodePopulation(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, population);
  EXPECT_EQ(EncodePopulation(*decoded), bytes);
  EXPECT_EQ(EncodePopulation(operators::RfmPopulation{}).size(), 8u) << "version, count, six empty histograms";
}

TEST(PopulationCodec, RejectsEveryTruncationAndTrailingBytes) {
  const std::string bytes = EncodePopulation(SomePopulation());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodePopulation(bytes.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(DecodePopulation(bytes + "x").ok());
  std::string other_version = bytes;
  other_version[0] = 9;
  auto decoded = DecodePopulation(other_version);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("unknown encoding version 9"), std::string::npos);
}

// Crafted population bytes: version, change count, then six histograms given
// as (bucket delta, count) pairs; `n_override` replaces the first one's
// bucket count.
using Pairs = std::vector<std::pair<int64_t, int64_t>>;
std::string Crafted(const std::vector<Pairs>& histograms, std::optional<uint64_t> n_override = std::nullopt) {
  std::string out;
  ByteWriter w(out);
  w.Byte(kPopulationEncodingVersion);
  w.Varint(0);
  for (size_t i = 0; i < 6; ++i) {
    const Pairs& pairs = i < histograms.size() ? histograms[i] : Pairs{};
    w.Varint(i == 0 && n_override ? *n_override : pairs.size());
    for (const auto& [delta, count] : pairs) {
      w.Signed(delta);
      w.Signed(count);
    }
  }
  return out;
}

TEST(PopulationCodec, CraftedValidBytesDecode) {
  // One customer in each live histogram, none frozen.
  auto decoded = DecodePopulation(Crafted({{{3, 1}}, {{40, 1}}, {{19000, 1}}}));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->live().frequency.count(), 1);
}

TEST(PopulationCodec, RejectsABucketDeltaThatOverflows) {
  // INT32_MAX + INT64_MAX overflows int64 (undefined behaviour if computed
  // unchecked; UBSan reports it on the old decoder).
  const int64_t big = std::numeric_limits<int64_t>::max();
  const Pairs overflowing = {{INT32_MAX, 1}, {big, 1}};
  EXPECT_FALSE(DecodePopulation(Crafted({overflowing, overflowing, overflowing})).ok());
  const Pairs out_of_range = {{INT32_MIN, 1}, {big, 1}};
  EXPECT_FALSE(DecodePopulation(Crafted({out_of_range, out_of_range, out_of_range})).ok());
  const Pairs first_too_low = {{std::numeric_limits<int64_t>::min(), 1}};
  EXPECT_FALSE(DecodePopulation(Crafted({first_too_low, first_too_low, first_too_low})).ok());
}

TEST(PopulationCodec, RejectsNegativeAndZeroCounts) {
  const Pairs negative = {{5, -3}};
  auto decoded = DecodePopulation(Crafted({negative, negative, negative}));
  EXPECT_FALSE(decoded.ok()) << "a histogram cannot hold -3 customers";
  const Pairs mixed = {{5, 4}, {1, -1}};  // total 3, but one bucket is negative
  const Pairs three = {{7, 3}};
  EXPECT_FALSE(DecodePopulation(Crafted({mixed, three, three})).ok());
  const Pairs zero = {{5, 0}};
  EXPECT_FALSE(DecodePopulation(Crafted({zero, zero, zero})).ok());
}

TEST(PopulationCodec, RejectsCountsWhoseTotalOverflows) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  const Pairs huge = {{1, big}, {1, big}};
  EXPECT_FALSE(DecodePopulation(Crafted({huge, huge, huge})).ok());
}

TEST(PopulationCodec, RejectsHistogramsWhoseTotalsDisagree) {
  // Frequency counts 2 customers, monetary and recency 1: not a population.
  auto decoded = DecodePopulation(Crafted({{{1, 2}}, {{1, 1}}, {{1, 1}}}));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("totals disagree"), std::string::npos) << decoded.status().message();
  // The frozen set is checked too.
  EXPECT_FALSE(DecodePopulation(Crafted({{}, {}, {}, {{1, 1}}, {}, {{1, 1}}})).ok());
}

TEST(PopulationCodec, RejectsAHugeBucketCountQuickly) {
  const auto started = std::chrono::steady_clock::now();
  for (uint64_t n : {uint64_t{1} << 62, ~uint64_t{0}, uint64_t{1000}}) {
    EXPECT_FALSE(DecodePopulation(Crafted({{{1, 1}}}, n)).ok()) << n;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(100));
}

TEST(PartitionStateCodec, RoundTripsWithTheRecordedClock) {
  PartitionState state;
  state.max_event_ms = 1'769'904'000'000;
  state.watermark_ms = 1'769'900'000'000;
  state.clock_ms = 1'770'000'000'123;
  state.population = SomePopulation();
  const std::string bytes = EncodePartitionState(state);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), kPartitionStateEncodingVersion);
  auto decoded = DecodePartitionState(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->max_event_ms, state.max_event_ms);
  EXPECT_EQ(decoded->watermark_ms, state.watermark_ms);
  EXPECT_EQ(decoded->clock_ms, state.clock_ms);
  EXPECT_EQ(decoded->population, state.population);
  EXPECT_EQ(EncodePartitionState(*decoded), bytes);
  // The default (no clock recorded) round-trips too.
  auto fresh = DecodePartitionState(EncodePartitionState(PartitionState{}));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->clock_ms, INT64_MIN);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodePartitionState(bytes.substr(0, n)).ok()) << n;
}

TEST(PartitionStateCodec, DecodesVersionOneWithoutAClock) {
  // What version 1 wrote: version, max event, watermark, population.
  std::string v1;
  ByteWriter w(v1);
  w.Byte(1);
  w.Signed(1'769'904'000'000);
  w.Signed(1'769'900'000'000);
  const operators::RfmPopulation population = SomePopulation();
  v1 += EncodePopulation(population);
  auto decoded = DecodePartitionState(v1);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->max_event_ms, 1'769'904'000'000);
  EXPECT_EQ(decoded->watermark_ms, 1'769'900'000'000);
  EXPECT_EQ(decoded->clock_ms, INT64_MIN);
  EXPECT_EQ(decoded->population, population);
  std::string v4 = v1;
  v4[0] = 4;
  EXPECT_FALSE(DecodePartitionState(v4).ok()) << "an unknown version";
}

operators::AlertBudget SomeBudget() {
  operators::AlertBudget b;
  b.day = 20'480;
  b.sent = 2;
  b.bar = 123.5;
  b.top = {10, 250.25, 900};
  return b;
}

TEST(PartitionStateCodec, RoundTripsTheAlertBudget) {
  PartitionState state;
  state.max_event_ms = 1'769'904'000'000;
  state.watermark_ms = 1'769'900'000'000;
  state.clock_ms = 1'770'000'000'123;
  state.alert_budget = SomeBudget();
  state.population = SomePopulation();
  const std::string bytes = EncodePartitionState(state);
  auto decoded = DecodePartitionState(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->alert_budget, state.alert_budget);
  EXPECT_EQ(decoded->population, state.population);
  EXPECT_EQ(EncodePartitionState(*decoded), bytes);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodePartitionState(bytes.substr(0, n)).ok()) << n;
}

TEST(PartitionStateCodec, DecodesVersionTwoWithAnEmptyBudget) {
  // What version 2 wrote: version, max event, watermark, clock, population.
  std::string v2;
  ByteWriter w(v2);
  w.Byte(2);
  w.Signed(1'769'904'000'000);
  w.Signed(1'769'900'000'000);
  w.Signed(1'770'000'000'123);
  v2 += EncodePopulation(SomePopulation());
  auto decoded = DecodePartitionState(v2);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->clock_ms, 1'770'000'000'123);
  EXPECT_EQ(decoded->alert_budget, operators::AlertBudget{});
  EXPECT_EQ(decoded->population, SomePopulation());
}

TEST(PartitionStateCodec, RejectsABudgetItCouldNotHaveWritten) {
  auto encoded_with = [](const operators::AlertBudget& b) {
    PartitionState state;
    state.alert_budget = b;
    return EncodePartitionState(state);
  };
  operators::AlertBudget descending = SomeBudget();
  descending.top = {900, 10};
  EXPECT_FALSE(DecodePartitionState(encoded_with(descending)).ok());
  operators::AlertBudget nan_bar = SomeBudget();
  nan_bar.bar = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(DecodePartitionState(encoded_with(nan_bar)).ok());
  operators::AlertBudget negative = SomeBudget();
  negative.top = {-1, 10};
  EXPECT_FALSE(DecodePartitionState(encoded_with(negative)).ok());
  operators::AlertBudget too_many = SomeBudget();
  too_many.top.assign(operators::kMaxAlertsPerDay + 1, 1.0);
  auto decoded = DecodePartitionState(encoded_with(too_many));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("alert budget"), std::string::npos) << decoded.status().message();
  EXPECT_TRUE(DecodePartitionState(encoded_with(SomeBudget())).ok());
}

}  // namespace
}  // namespace crm::pipeline

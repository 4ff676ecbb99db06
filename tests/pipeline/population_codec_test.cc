#include "pipeline/population_codec.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace crm::pipeline

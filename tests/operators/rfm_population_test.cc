#include "operators/rfm_population.h"

#include <gtest/gtest.h>

#include <cmath>

#include "operators/rfm.h"

namespace crm::operators {
namespace {

CustomerState Buyer(int64_t purchases, double spend, int last_day) {
  CustomerState s;
  s.purchase_count = purchases;
  s.total_spend = spend;
  s.first_purchase = EventTime{0};
  s.last_purchase = EventTime{Days(last_day).ms};
  return s;
}

TEST(Histogram, LogBucketsHoldValuesWithinOnePercent) {
  Histogram h;
  for (double v : {1.0, 2.0, 10.0, 99.5, 12345.0}) {
    const int32_t b = h.BucketOf(v);
    const double lower = std::pow(1.02, b - 1), upper = std::pow(1.02, b);
    EXPECT_LE(lower, v * (1 + 1e-12)) << v;
    EXPECT_GT(upper, v) << v;
  }
  // Small integers (counts) keep buckets of their own.
  for (int n = 1; n < 50; ++n) EXPECT_LT(h.BucketOf(n), h.BucketOf(n + 1)) << n;
  EXPECT_EQ(h.BucketOf(0), h.BucketOf(0.5));
}

TEST(Histogram, AddRemoveAndMergeAreExact) {
  Histogram a, b, both;
  for (int i = 1; i <= 100; ++i) {
    a.Add(i);
    both.Add(i);
  }
  for (int i = 50; i <= 300; ++i) {
    b.Add(i * 1.5);
    both.Add(i * 1.5);
  }
  Histogram merged = a;
  merged.Merge(b);
  EXPECT_EQ(merged, both);
  EXPECT_EQ(merged.count(), 100 + 251);
  for (int i = 50; i <= 300; ++i) merged.Add(i * 1.5, -1);
  EXPECT_EQ(merged, a) << "removing what was added leaves no empty buckets behind";
}

TEST(QuintileScore, MapsFractionBeatenToOneToFive) {
  EXPECT_EQ(QuintileScore(0), 1);
  EXPECT_EQ(QuintileScore(0.19), 1);
  EXPECT_EQ(QuintileScore(0.2), 2);
  EXPECT_EQ(QuintileScore(0.79), 4);
  EXPECT_EQ(QuintileScore(0.8), 5);
  EXPECT_EQ(QuintileScore(1), 5);
}

// 1000 customers spending 1..1000: monetary scores are the quintiles.
RfmPopulation SpreadPopulation(const RfmConfig& config) {
  RfmPopulation population;
  for (int i = 1; i <= 1000; ++i) population.Update(config, CustomerState{}, Buyer(1 + i % 10, i, i % 100));
  return population;
}

TEST(RfmPopulation, ScoresAreQuintilesOfThePopulation) {
  RfmConfig config;
  config.refresh_every = 1000;
  RfmPopulation population = SpreadPopulation(config);
  ASSERT_EQ(population.live().monetary.count(), 1000);
  EXPECT_EQ(population.changes_since_refresh(), 0) << "the 1000th change refreshed the ranks";
  // Log buckets are 2% wide, so only values well inside a quintile are exact.
  EXPECT_EQ(population.Score(config, Buyer(1, 50, 0)).m, 1);
  EXPECT_EQ(population.Score(config, Buyer(1, 300, 0)).m, 2);
  EXPECT_EQ(population.Score(config, Buyer(1, 500, 0)).m, 3);
  EXPECT_EQ(population.Score(config, Buyer(1, 700, 0)).m, 4);
  EXPECT_EQ(population.Score(config, Buyer(1, 950, 0)).m, 5);
  // Frequency 1..10 uniformly: one purchase beats nobody, ten beat 90%.
  EXPECT_EQ(population.Score(config, Buyer(1, 1, 0)).f, 1);
  EXPECT_EQ(population.Score(config, Buyer(10, 1, 0)).f, 5);
  EXPECT_EQ(population.Score(config, Buyer(5, 1, 0)).f, 3);
  // Recency uses day breakpoints by default.
  EXPECT_FALSE(population.Score(config, Buyer(1, 1, 0)).r.has_value());
  config.recency = RfmScoring::kQuantiles;
  EXPECT_EQ(population.Score(config, Buyer(1, 1, 99)).r, 5) << "the latest purchase day beats 99%";
  EXPECT_EQ(population.Score(config, Buyer(1, 1, 0)).r, 1);
}

TEST(RfmPopulation, SmallPopulationOrBreakpointModeFallsBackToBreakpoints) {
  RfmConfig config;
  config.refresh_every = 1;
  RfmPopulation population;
  for (int i = 1; i < config.min_population; ++i) population.Update(config, CustomerState{}, Buyer(1, i, 0));
  EXPECT_FALSE(population.Score(config, Buyer(1, 50, 0)).m.has_value());
  population.Update(config, CustomerState{}, Buyer(1, 1, 0));
  EXPECT_TRUE(population.Score(config, Buyer(1, 50, 0)).m.has_value());
  config.frequency_monetary = RfmScoring::kBreakpoints;
  EXPECT_FALSE(population.Score(config, Buyer(1, 50, 0)).m.has_value());
}

TEST(RfmPopulation, RanksMoveOnlyAtRefreshSoScoresChangeLazily) {
  RfmConfig config;
  config.refresh_every = 1000;
  RfmPopulation population = SpreadPopulation(config);
  const CustomerState probe = Buyer(1, 500, 0);
  ASSERT_EQ(population.Score(config, probe).m, 3);
  // 999 big spenders join: the live histogram moves, the frozen ranks don't.
  for (int i = 0; i < 999; ++i) population.Update(config, CustomerState{}, Buyer(1, 5000, 0));
  EXPECT_EQ(population.Score(config, probe).m, 3);
  EXPECT_EQ(population.live().monetary.count(), 1999);
  population.Update(config, CustomerState{}, Buyer(1, 5000, 0));
  EXPECT_EQ(population.Score(config, probe).m, 2) << "after the refresh 500 beats only a quarter";
}

TEST(RfmPopulation, ACustomerMovingIsCountedOnce) {
  RfmConfig config;
  RfmPopulation population;
  CustomerState before = Buyer(1, 10, 3);
  population.Update(config, CustomerState{}, before);
  CustomerState after = Buyer(2, 30, 9);
  population.Update(config, before, after);
  EXPECT_EQ(population.live().frequency.count(), 1);
  EXPECT_EQ(population.live().monetary.buckets().begin()->first, population.live().monetary.BucketOf(30));
  // A change that leaves F, M and the last purchase alone is not a move.
  population.Update(config, after, after);
  EXPECT_EQ(population.changes_since_refresh(), 2);
}

TEST(RfmPopulation, RestoreGivesTheSameScores) {
  RfmConfig config;
  config.refresh_every = 300;
  RfmPopulation population = SpreadPopulation(config);
  RfmPopulation restored;
  restored.Restore(population.live(), population.frozen(), population.changes_since_refresh());
  EXPECT_EQ(restored, population);
  for (double spend : {10.0, 400.0, 990.0}) {
    EXPECT_EQ(restored.Score(config, Buyer(3, spend, 5)).m, population.Score(config, Buyer(3, spend, 5)).m);
  }
}

TEST(ScoreRfm, UsesThePopulationWhereItRanks) {
  RfmConfig config;
  RfmPopulation population = SpreadPopulation(config);
  const CustomerState s = Buyer(2, 950, 0);
  const RfmScores with = ScoreRfm(config, s, EventTime{Days(10).ms}, &population);
  const RfmScores without = ScoreRfm(config, s, EventTime{Days(10).ms});
  EXPECT_EQ(with.r, without.r) << "recency stays on day breakpoints";
  EXPECT_EQ(with.m, 5);
  EXPECT_EQ(without.m, 4) << "950 passes the 50, 150 and 400 breakpoints";
  EXPECT_EQ(with.f, 1) << "two purchases beat only the tenth with one";
}

}  // namespace
}  // namespace crm::operators

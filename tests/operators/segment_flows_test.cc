// Counting segment transitions per event-time period (segment_flows.h) and
// the chain built from the counts (segment_chain.h).
#include "operators/segment_flows.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "operators/segment_chain.h"

namespace crm::operators {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

int64_t Count(const SegmentFlows& f, const std::string& from, const std::string& to) {
  auto it = f.transitions.find({from, to});
  return it == f.transitions.end() ? 0 : it->second;
}

TEST(MarkovPeriodTest, PeriodsAreUtcCalendarMonthsIsoWeeksAndDays) {
  const EventTime last_of_january{1'769'903'999'999};  // 2026-01-31T23:59:59.999Z
  const EventTime first_of_february{1'769'904'000'000};
  EXPECT_EQ(PeriodIndex(PeriodUnit::kMonth, last_of_january), (2026 - 1970) * 12);
  EXPECT_EQ(PeriodIndex(PeriodUnit::kMonth, first_of_february), (2026 - 1970) * 12 + 1);
  EXPECT_EQ(PeriodStart(PeriodUnit::kMonth, (2026 - 1970) * 12 + 1), first_of_february);
  EXPECT_EQ(PeriodStart(PeriodUnit::kMonth, -1), EventTime{-31 * kMsPerDay});  // 1969-12-01
  // 1970-01-01 was a Thursday: its ISO week began on Monday 1969-12-29.
  EXPECT_EQ(PeriodIndex(PeriodUnit::kWeek, EventTime{0}), 0);
  EXPECT_EQ(PeriodIndex(PeriodUnit::kWeek, EventTime{-3 * kMsPerDay}), 0);
  EXPECT_EQ(PeriodIndex(PeriodUnit::kWeek, EventTime{-3 * kMsPerDay - 1}), -1);
  EXPECT_EQ(PeriodIndex(PeriodUnit::kWeek, EventTime{4 * kMsPerDay}), 1);  // Monday 1970-01-05
  EXPECT_EQ(PeriodStart(PeriodUnit::kWeek, 1), EventTime{4 * kMsPerDay});
  // Every month from 1900 to 2200 starts where its index says, and the
  // instant before it lies in the previous month.
  int64_t previous_start = PeriodStart(PeriodUnit::kMonth, (1900 - 1970) * 12 - 1).epoch_ms;
  for (int64_t m = (1900 - 1970) * 12; m < (2200 - 1970) * 12; ++m) {
    const int64_t start = PeriodStart(PeriodUnit::kMonth, m).epoch_ms;
    ASSERT_EQ(PeriodIndex(PeriodUnit::kMonth, EventTime{start}), m);
    ASSERT_EQ(PeriodIndex(PeriodUnit::kMonth, EventTime{start - 1}), m - 1);
    const int64_t days = (start - previous_start) / kMsPerDay;
    ASSERT_TRUE(days >= 28 && days <= 31) << m;
    previous_start = start;
  }
  EXPECT_EQ(PeriodStart(PeriodUnit::kMonth, (2000 - 1970) * 12 + 2).epoch_ms, 951'868'800'000);  // 2000-03-01
  EXPECT_EQ(PeriodIndex(PeriodUnit::kDay, EventTime{-1}), -1);
  EXPECT_EQ(PeriodStart(PeriodUnit::kDay, 3), EventTime{3 * kMsPerDay});
}

// A script worked by hand: joins in period 0; in period 1 A moves twice
// (X -> Y -> Z), B moves and comes back (X -> Y -> X), C buys; period 2 passes
// without a change; C's state expires in period 3.
TEST(SegmentFlowsTest, CountsEachCustomersSegmentAtEachBoundary) {
  SegmentFlows f;
  CustomerState a, b, c;
  AdvanceFlows(f, 0);
  RecordMove(f, a, "", "X");
  RecordSpend(f, a, "", 100);
  RecordMove(f, b, "", "X");
  RecordMove(f, c, "", "Y");
  AdvanceFlows(f, 1);
  EXPECT_EQ(f.periods_closed, 1);
  EXPECT_EQ(Count(f, "", "X"), 2);
  EXPECT_EQ(Count(f, "", "Y"), 1);
  RecordMove(f, a, "X", "Y");
  RecordMove(f, a, "Y", "Z");
  RecordMove(f, b, "X", "Y");
  RecordMove(f, b, "Y", "X");
  RecordSpend(f, c, "Y", 50);
  AdvanceFlows(f, 3);
  EXPECT_EQ(f.periods_closed, 3);
  EXPECT_EQ(Count(f, "X", "Z"), 1);  // A, period 1
  EXPECT_EQ(Count(f, "X", "Y"), 0);  // A's and B's passing moves leave no trace
  EXPECT_EQ(Count(f, "X", "X"), 2);  // B in periods 1 and 2
  EXPECT_EQ(Count(f, "Y", "Y"), 2);  // C in periods 1 and 2
  EXPECT_EQ(Count(f, "Z", "Z"), 1);  // A in period 2
  EXPECT_EQ(f.spend.at(""), 100);    // A's first purchase: before A had a segment
  EXPECT_EQ(f.spend.at("Y"), 50);
  EXPECT_EQ(f.sizes, (std::map<std::string, int64_t>{{"X", 1}, {"Y", 1}, {"Z", 1}}));
  RecordMove(f, c, "Y", "");
  AdvanceFlows(f, 4);
  EXPECT_EQ(Count(f, "Y", ""), 1);  // left
  EXPECT_EQ(f.sizes.count("Y"), 0u);
  AdvanceFlows(f, 2);  // the clock never goes back
  EXPECT_EQ(f.period, 4);
}

TEST(SegmentFlowsTest, ACustomerStoredBeforeTheCountsEntersFromOutside) {
  SegmentFlows f;
  AdvanceFlows(f, 10);
  CustomerState old;
  old.segment = "X";  // no memory: stored by a version without the Markov view
  RecordMove(f, old, "X", "Y");
  AdvanceFlows(f, 11);
  EXPECT_EQ(Count(f, "", "Y"), 1);
  EXPECT_EQ(Count(f, "X", "Y"), 0);
  EXPECT_EQ(f.sizes, (std::map<std::string, int64_t>{{"Y", 1}}));
}

// Random moves of many customers over periods, some of them quiet (the
// clock skips them), against a brute-force record of where each customer
// stood at every boundary. An expired customer's state is deleted: if the
// same id comes back, it is a new customer (joined), as in the service.
TEST(SegmentFlowsTest, MatchesBruteForceOverRandomHistories) {
  std::mt19937 random(7);
  const std::vector<std::string> names = {"A", "B", "C", "D"};
  constexpr int kSlots = 200;
  constexpr int kPeriods = 12;
  std::vector<CustomerState> customers(kSlots);
  std::vector<int> identity(kSlots);
  for (int c = 0; c < kSlots; ++c) identity[c] = c;
  int next_identity = kSlots;
  std::map<int, std::string> segment;                // identity -> segment now
  std::vector<std::map<int, std::string>> boundary;  // [k]: segments when period k began
  SegmentFlows f;
  for (int period = 0; period < kPeriods; ++period) {
    boundary.push_back(segment);
    if (period > 0 && random() % 3 == 0) continue;  // quiet
    AdvanceFlows(f, period);
    for (int step = 0; step < 300; ++step) {
      const int c = static_cast<int>(random() % kSlots);
      const std::string to = random() % 20 == 0 ? "" : names[random() % names.size()];
      const std::string from = segment[identity[c]];
      if (to == from) continue;
      RecordMove(f, customers[c], from, to);
      segment[identity[c]] = to;
      if (to.empty()) {  // expired: the state is deleted
        customers[c] = CustomerState{};
        identity[c] = next_identity++;
      }
    }
  }
  boundary.push_back(segment);
  AdvanceFlows(f, kPeriods);
  std::map<SegmentPair, int64_t> expected;
  for (int k = 0; k < kPeriods; ++k) {
    for (int id = 0; id < next_identity; ++id) {
      auto at = [id](const std::map<int, std::string>& m) { return m.count(id) ? m.at(id) : std::string(); };
      const std::string a = at(boundary[k]), b = at(boundary[k + 1]);
      if (!a.empty() || !b.empty()) ++expected[{a, b}];
    }
  }
  EXPECT_EQ(f.periods_closed, kPeriods);
  EXPECT_EQ(f.transitions, expected);
  std::map<std::string, int64_t> sizes;
  for (const auto& [id, s] : segment) {
    if (!s.empty()) ++sizes[s];
  }
  EXPECT_EQ(f.sizes, sizes);
}

// The chain over merged flows: rows are stochastic over those who stayed,
// values follow the rewards, leavers lower a segment's value.
TEST(SegmentChainTest, BuildsTheChainFromTheCounts) {
  SegmentFlows f;
  f.periods_closed = 4;
  f.sizes = {{"Gold", 30}, {"Silver", 70}};
  f.transitions = {{{"Gold", "Gold"}, 90},   {{"Gold", "Silver"}, 10}, {{"Silver", "Gold"}, 20},
                   {{"Silver", "Silver"}, 180}, {{"", "Silver"}, 5}, {{"Silver", ""}, 0}};
  f.spend = {{"Gold", 10000}, {"Silver", 4000}, {"", 123}};
  MarkovConfig config;
  config.margin = 0.5;
  config.discount_rate = 0.01;
  const SegmentChain chain = BuildSegmentChain(f, config, {"Silver", "Gold", "Bronze"});
  ASSERT_EQ(chain.states, (std::vector<std::string>{"Silver", "Gold"}));
  EXPECT_DOUBLE_EQ(chain.transition[0][0], 0.9);
  EXPECT_DOUBLE_EQ(chain.transition[1][0], 0.1);
  EXPECT_EQ(chain.joined[0], 5);
  EXPECT_EQ(chain.customer_periods[1], 100);
  EXPECT_DOUBLE_EQ(chain.spend_per_period[1], 100);  // 10000 / 100 customer-periods
  EXPECT_DOUBLE_EQ(chain.reward[0], 0.5 * 20);       // 4000 / 200
  // P = [[0.9, 0.1], [0.1, 0.9]] is doubly stochastic: the base settles half and half.
  EXPECT_NEAR(chain.steady.distribution[0], 0.5, 1e-9);
  ASSERT_EQ(chain.value.size(), 2u);
  EXPECT_GT(chain.value[1], chain.value[0]);
  auto direct = DiscountedValue(chain.transition, chain.reward, 0.01);
  ASSERT_TRUE(direct.ok());
  EXPECT_NEAR(chain.value[0], (*direct)[0], 1e-9);  // nobody left: the same chain

  f.transitions[{"Gold", ""}] = 100;  // half of Gold's customer-periods end in expiry
  const SegmentChain leaving = BuildSegmentChain(f, config, {"Silver", "Gold"});
  EXPECT_DOUBLE_EQ(leaving.transition[1][1], 0.9);  // still over the stayers
  EXPECT_EQ(leaving.left[1], 100);
  EXPECT_LT(leaving.value[1], chain.value[1]);
}

}  // namespace
}  // namespace crm::operators

// The loyalty reward programme: entry, accumulation, the threshold, the
// January reset, and the voucher at the year's close, through events and
// through the one pending check of a silent customer.
#include "operators/reward_programme.h"

#include <gtest/gtest.h>

#include "operators/civil_date.h"
#include "operators/customer_processor.h"

namespace crm::operators {
namespace {

constexpr int64_t kDayMs = 86'400'000;

EventTime Date(int y, int m, int d) { return EventTime{DaysFromCivil(y, m, d) * kDayMs}; }

Event Buy(const std::string& id, EventTime at, double amount) {
  return Event{id, "cust", at, Purchase{amount, 1, "EUR", "store", ""}, {}};
}

std::vector<RewardEvent> Rewards(const Effects& e) {
  std::vector<RewardEvent> out;
  for (const auto& o : e.outputs) {
    if (const auto* r = std::get_if<RewardEvent>(&o.payload)) out.push_back(*r);
  }
  return out;
}

// The one reward `e` published, which must be of `kind` for programme year `year`.
RewardEvent OnlyReward(const Effects& e, RewardKind kind, int32_t year) {
  const auto r = Rewards(e);
  EXPECT_EQ(r.size(), 1u);
  const RewardEvent out = r.empty() ? RewardEvent{} : r[0];
  EXPECT_EQ(out.kind, kind);
  EXPECT_EQ(out.programme_year, year);
  return out;
}

// Buys `amount` every `every_days` days from `from`, `n` times; the rewards
// published on the way.
std::vector<RewardEvent> BuyRepeatedly(const ModelConfig& config, CustomerState& s, EventTime from, int n,
                                       int every_days, double amount, const std::string& prefix = "p") {
  std::vector<RewardEvent> out;
  for (int i = 0; i < n; ++i) {
    auto r = Rewards(ProcessEvent(config, Buy(prefix + std::to_string(i), from + Days(int64_t{i} * every_days), amount), s));
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

// A member who bought 450 a week from 1 June 2026, ten times: 4,500 by
// 3 August, past the threshold, then nothing.
CustomerState SummerMember(const ModelConfig& config) {
  CustomerState s;
  BuyRepeatedly(config, s, Date(2026, 6, 1), 10, 7, 450);
  return s;
}

TEST(ProgrammeYear, DefaultsToTheCalendarYearWithTheLastWeekAsClaimWindow) {
  const RewardsConfig config;
  const ProgrammeYear y = ProgrammeYearAt(config, Date(2026, 7, 14) + Hours(5));
  EXPECT_EQ(y.year, 2026);
  EXPECT_EQ(y.start, Date(2026, 1, 1));
  EXPECT_EQ(y.close, Date(2026, 12, 25));
  EXPECT_EQ(y.end, Date(2027, 1, 1));
  EXPECT_EQ(ProgrammeYearAt(config, Date(2027, 1, 1)).year, 2027);
  EXPECT_EQ(ProgrammeYearAt(config, Date(2027, 1, 1) - Duration{1}).year, 2026);
}

TEST(ProgrammeYear, AConfiguredStartNamesTheYearItStartsIn) {
  RewardsConfig config;
  config.year_start_month = 4;
  config.year_start_day = 6;
  config.claim_window_days = 14;
  const ProgrammeYear y = ProgrammeYearAt(config, Date(2027, 3, 1));
  EXPECT_EQ(y.year, 2026);
  EXPECT_EQ(y.start, Date(2026, 4, 6));
  EXPECT_EQ(y.end, Date(2027, 4, 6));
  EXPECT_EQ(y.close, Date(2027, 3, 23));
}

TEST(Rewards, OnePurchaseOfAtLeastTheEntryAmountEnrols) {
  ModelConfig config;
  CustomerState s;
  EXPECT_TRUE(Rewards(ProcessEvent(config, Buy("small", Date(2026, 2, 1), 99.99), s)).empty());
  EXPECT_FALSE(s.rewards.enrolled);
  EXPECT_EQ(s.rewards, RewardCard{}) << "a non-member's purchases leave no trace on the card";

  Effects e = ProcessEvent(config, Buy("entry", Date(2026, 2, 3), 100), s);
  const RewardEvent joined = OnlyReward(e, RewardKind::kEnrolled, 2026);
  EXPECT_EQ(joined.purchase, 100);
  EXPECT_EQ(joined.accumulated, 100) << "the entry purchase counts; the one before joining does not";
  EXPECT_EQ(joined.cause, "entry");
  EXPECT_EQ(e.outputs.back().rule, "reward-enrolled");
  EXPECT_EQ(e.outputs.back().time, Date(2026, 2, 3));
  EXPECT_EQ(e.outputs.front().rule, "segment-change") << "rewards follow the segment change";
  EXPECT_TRUE(s.rewards.enrolled);
  EXPECT_EQ(s.rewards.programme_year, 2026);
  // Members stay members: a small purchase later counts, and enrols nobody again.
  EXPECT_TRUE(Rewards(ProcessEvent(config, Buy("later", Date(2026, 2, 10), 20), s)).empty());
  EXPECT_EQ(s.rewards.accumulated, 120);
}

TEST(Rewards, CrossingTheThresholdIsPublishedOnceAndArmsTheYearsClose) {
  ModelConfig config;
  CustomerState s;
  // 300 a fortnight from 5 January: the 14th purchase (4,200, on 6 July) crosses 4,000.
  auto r = BuyRepeatedly(config, s, Date(2026, 1, 5), 20, 14, 300);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].kind, RewardKind::kEnrolled);
  EXPECT_EQ(r[1].kind, RewardKind::kThresholdReached);
  EXPECT_EQ(r[1].accumulated, 4200);
  EXPECT_EQ(r[1].threshold, 4000);
  EXPECT_EQ(r[1].cause, "p13");
  EXPECT_TRUE(s.rewards.threshold_reached);
  EXPECT_EQ(s.rewards.accumulated, 6000);
  // The last purchase was on 14 September; the voucher falls due on
  // 25 December, before the later overdue checks.
  EXPECT_EQ(VoucherDue(config.rewards, s.rewards), Date(2026, 12, 25));
  EXPECT_LE(s.next_check, Date(2026, 12, 25));
}

TEST(Rewards, ASilentCustomerGetsTheVoucherWhenTheWatermarkPassesTheClose) {
  ModelConfig config;
  CustomerState s = SummerMember(config);  // 4,500 by 3 August, then silence
  ASSERT_TRUE(s.rewards.threshold_reached);
  // The runtime fires the pending check each time the watermark passes it.
  std::vector<RewardEvent> vouchers;
  EventTime watermark = s.next_check;
  for (int fired = 0; fired < 30 && s.next_check.epoch_ms != 0 && s.next_check <= Date(2027, 1, 1); ++fired) {
    watermark = s.next_check;
    Effects e = FireTimer(config, ModelContext{}, "cust", s.next_check, watermark, s);
    for (const auto& r : Rewards(e)) vouchers.push_back(r);
  }
  ASSERT_EQ(vouchers.size(), 1u);
  const RewardEvent& v = vouchers[0];
  EXPECT_EQ(v.kind, RewardKind::kVoucherIssued);
  EXPECT_EQ(v.cause, kTimerCause);
  EXPECT_EQ(v.programme_year, 2026);
  EXPECT_EQ(v.accumulated, 4500);
  ASSERT_TRUE(v.voucher.has_value());
  EXPECT_EQ(v.voucher->voucher_id, "2026/cust");
  EXPECT_EQ(v.voucher->amount, 45);
  EXPECT_EQ(v.voucher->claim_from, Date(2026, 12, 25));
  EXPECT_EQ(v.voucher->claim_until, Date(2027, 1, 1));
  EXPECT_EQ(s.rewards.voucher_year, 2026);
  EXPECT_EQ(VoucherDue(config.rewards, s.rewards), EventTime{});
}

TEST(Rewards, TheVoucherAmountIsTheRateOfTheAccumulatedAmountInCents) {
  ModelConfig config;
  config.rewards.rate = 0.015;
  CustomerState s;
  BuyRepeatedly(config, s, Date(2026, 3, 2), 9, 10, 456.789);  // 4,111.101
  std::vector<Output> outputs;
  const std::string cause = "x";
  SettleRewards(config.rewards, {"cust", Date(2026, 12, 25), cause}, s.rewards, outputs);
  ASSERT_EQ(outputs.size(), 1u);
  const auto& v = std::get<RewardEvent>(outputs[0].payload);
  EXPECT_EQ(outputs[0].time, Date(2026, 12, 25)) << "a voucher's time is the year's close";
  EXPECT_DOUBLE_EQ(v.voucher->amount, 61.67);  // 0.015 x 4,111.101 = 61.666...
}

TEST(Rewards, NoSecondVoucherForAYearAndNothingCountsInTheClaimWindow) {
  ModelConfig config;
  CustomerState s = SummerMember(config);
  // An event in the claim window settles the year itself.
  const RewardEvent voucher =
      OnlyReward(ProcessEvent(config, Buy("claim-week", Date(2026, 12, 27), 500), s), RewardKind::kVoucherIssued, 2026);
  EXPECT_EQ(voucher.cause, "claim-week");
  EXPECT_EQ(voucher.accumulated, 4500) << "the purchase in the claim window does not count";
  EXPECT_EQ(s.rewards.accumulated, 4500);
  // A late purchase of the year after its voucher neither counts nor issues another.
  EXPECT_TRUE(Rewards(ProcessEvent(config, Buy("late", Date(2026, 11, 30), 800), s)).empty());
  EXPECT_EQ(s.rewards.accumulated, 4500);
  // The old check, if it still fires, is stale and issues nothing.
  EXPECT_TRUE(Rewards(FireTimer(config, ModelContext{}, "cust", Date(2026, 12, 25), Date(2027, 1, 2), s)).empty());
  std::vector<Output> again;
  const std::string cause = "again";
  SettleRewards(config.rewards, {"cust", Date(2027, 6, 1), cause}, s.rewards, again);
  EXPECT_TRUE(again.empty());
}

TEST(Rewards, APurchaseInANewYearSettlesTheOldYearAndStartsTheCardAgain) {
  ModelConfig config;
  CustomerState s = SummerMember(config);
  // No check has fired yet (the watermark lags): January's purchase settles 2026 first.
  const Effects january = ProcessEvent(config, Buy("january", Date(2027, 1, 4), 130), s);
  const RewardEvent voucher = OnlyReward(january, RewardKind::kVoucherIssued, 2026);
  EXPECT_EQ(voucher.accumulated, 4500);
  EXPECT_EQ(voucher.cause, "january");
  EXPECT_EQ(s.rewards.programme_year, 2027);
  EXPECT_EQ(s.rewards.accumulated, 130);
  EXPECT_FALSE(s.rewards.threshold_reached);
  EXPECT_EQ(s.rewards.voucher_year, 2026);
  EXPECT_TRUE(s.rewards.enrolled) << "membership outlives the year";
  // A late purchase of 2026 arriving now counts for neither year.
  EXPECT_TRUE(Rewards(ProcessEvent(config, Buy("late-2026", Date(2026, 10, 1), 900), s)).empty());
  EXPECT_EQ(s.rewards.accumulated, 130);
  EXPECT_EQ(s.rewards.programme_year, 2027);
}

TEST(Rewards, BelowTheThresholdTheYearClosesWithoutAVoucher) {
  ModelConfig config;
  CustomerState s;
  BuyRepeatedly(config, s, Date(2026, 1, 10), 10, 30, 350);  // 3,500
  EXPECT_EQ(VoucherDue(config.rewards, s.rewards), EventTime{});
  auto r = Rewards(ProcessEvent(config, Buy("next-year", Date(2027, 1, 10), 50), s));
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(s.rewards.programme_year, 2027);
  EXPECT_EQ(s.rewards.accumulated, 50);
}

TEST(Rewards, ACustomerWhoExpiresAtTheCloseStillGetsTheVoucher) {
  ModelConfig config;
  config.inactivity.retention = Days(60);
  CustomerState s;
  BuyRepeatedly(config, s, Date(2026, 9, 1), 10, 7, 450);  // last purchase 3 November
  ASSERT_EQ(VoucherDue(config.rewards, s.rewards), Date(2026, 12, 25));
  // An idle partition's watermark jumps past both the close and the retention.
  Effects e = FireTimer(config, ModelContext{}, "cust", s.next_check, Date(2027, 3, 1), s);
  EXPECT_TRUE(e.expired);
  const RewardEvent voucher = OnlyReward(e, RewardKind::kVoucherIssued, 2026);
  ASSERT_TRUE(voucher.voucher.has_value());
  EXPECT_EQ(voucher.voucher->amount, 45);
}

TEST(Rewards, DisabledTheProgrammeLeavesNoTrace) {
  ModelConfig config;
  config.rewards.enabled = false;
  CustomerState s;
  EXPECT_TRUE(BuyRepeatedly(config, s, Date(2026, 6, 1), 10, 7, 450).empty());
  EXPECT_EQ(s.rewards, RewardCard{});
}

TEST(Rewards, TheSameEventsGiveTheSameRewards) {
  ModelConfig config;
  CustomerState a, b;
  auto ra = BuyRepeatedly(config, a, Date(2026, 6, 1), 40, 7, 150);
  auto rb = BuyRepeatedly(config, b, Date(2026, 6, 1), 40, 7, 150);
  EXPECT_EQ(ra, rb);
  EXPECT_EQ(a, b);
  ASSERT_FALSE(ra.empty());
  EXPECT_EQ(ra.back().voucher->voucher_id, VoucherId("cust", 2026));
  EXPECT_EQ(VoucherId("cust", 2026), "2026/cust");
}

}  // namespace
}  // namespace crm::operators

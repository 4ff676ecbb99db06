#include "operators/churn_risk.h"

#include <gtest/gtest.h>

namespace crm::operators {
namespace {

// Where a customer without any satisfaction signal sits.
const double kPrior = SatisfactionConfig{}.prior;

CustomerState WeeklyBuyer(int purchases) {
  CustomerState s;
  s.purchase_count = purchases;
  s.first_purchase = EventTime{0};
  s.last_purchase = EventTime{Days(7 * (purchases - 1)).ms};
  s.total_spend = 50.0 * purchases;
  return s;
}

TEST(UsualGap, MeanGapShrunkTowardsTheDefault) {
  ChurnConfig config;  // default 30 days worth one observed gap
  EXPECT_EQ(UsualGap(config, WeeklyBuyer(5)), DaysF((28.0 + 30.0) / 5.0));
  EXPECT_EQ(UsualGap(config, WeeklyBuyer(1)), config.default_gap);
  EXPECT_EQ(UsualGap(config, CustomerState{}), config.default_gap);
  config.gap_prior_weight = 0;
  EXPECT_EQ(UsualGap(config, WeeklyBuyer(5)), Days(7));
}

TEST(UsualGap, TwoQuickPurchasesDoNotMakeAOneDayRhythm) {
  CustomerState s;
  s.purchase_count = 2;
  s.first_purchase = EventTime{0};
  s.last_purchase = EventTime{Days(1).ms};
  EXPECT_EQ(UsualGap(ChurnConfig{}, s), DaysF(15.5));
}

TEST(UsualGap, PurchasesAtOneInstantWithoutPriorUseTheDefault) {
  ChurnConfig config;
  config.gap_prior_weight = 0;
  CustomerState s;
  s.purchase_count = 2;
  s.first_purchase = EventTime{Days(5).ms};
  s.last_purchase = EventTime{Days(5).ms};
  EXPECT_EQ(UsualGap(config, s), config.default_gap);
  auto a = AssessChurn(config, 70, kPrior, s, s.last_purchase + Days(365));
  EXPECT_NEAR(a.overdue_ratio, 365.0 / 30.0, 1e-9) << "a year of silence is overdue";
  EXPECT_GT(a.risk, 0.99);
}

TEST(AssessChurn, RiskRisesWithSilence) {
  ChurnConfig config;
  CustomerState s = WeeklyBuyer(5);
  double previous = -1;
  for (int days = 0; days <= 70; days += 7) {
    auto a = AssessChurn(config, 70, kPrior, s, s.last_purchase + Days(days));
    EXPECT_GT(a.risk, previous) << days;
    EXPECT_GE(a.risk, 0.0);
    EXPECT_LE(a.risk, 1.0);
    previous = a.risk;
  }
}

TEST(AssessChurn, OnTimeHappyCustomerIsLowRiskAndHasNoReasons) {
  auto a = AssessChurn(ChurnConfig{}, 80, kPrior, WeeklyBuyer(5), WeeklyBuyer(5).last_purchase + Days(3));
  EXPECT_LT(a.risk, 0.1);
  EXPECT_TRUE(a.reasons.empty());
}

TEST(AssessChurn, AttitudeRaisesRiskAtTheSameBehaviour) {
  ChurnConfig config;
  CustomerState s = WeeklyBuyer(5);
  EventTime now = s.last_purchase + Days(7);
  double happy = AssessChurn(config, 90, kPrior, s, now).risk;
  double unhappy = AssessChurn(config, 20, kPrior, s, now).risk;
  s.open_complaints = {{"k", 5}};
  double complaining = AssessChurn(config, 20, kPrior, s, now).risk;
  EXPECT_LT(happy, unhappy);
  EXPECT_LT(unhappy, complaining);
}

TEST(AssessChurn, ReasonsInPlainWordsLargestFirst) {
  ChurnConfig config;
  config.gap_prior_weight = 0;
  CustomerState s = WeeklyBuyer(4);  // usual gap 7 days
  s.open_complaints = {{"k1", 2}, {"k2", 4}};
  auto a = AssessChurn(config, 45, kPrior, s, s.last_purchase + Days(94));
  ASSERT_EQ(a.reasons.size(), 3u);
  EXPECT_EQ(a.reasons[0], (Reason{"overdue", "no purchase for 94 days; usual gap 7 days"}));
  EXPECT_EQ(a.reasons[1].code, "open_complaints");
  EXPECT_EQ(a.reasons[1].detail, "2 open complaints, highest severity 4");
  EXPECT_EQ(a.reasons[2], (Reason{"low_satisfaction", "satisfaction 45/100"}));
  EXPECT_NEAR(a.overdue_ratio, 94.0 / 7.0, 1e-9);
  EXPECT_GT(a.risk, 0.99);
  EXPECT_GT(a.behavioural_risk, 0.99);
}

PurchaseOutlook Outlook(double p_alive, double p_no_purchase) { return {p_alive, p_no_purchase}; }

TEST(AssessChurn, FittedModelMakesBehaviourTheProbabilityOfNoPurchase) {
  ChurnConfig config;  // weight_no_purchase 1
  CustomerState s = WeeklyBuyer(4);
  const EventTime now = s.last_purchase + Days(3);
  for (double p_none : {0.9, 0.5, 0.1}) {
    // No satisfaction signal (the prior) and no complaint: risk is exactly
    // P(no purchase within the horizon), whatever P(alive) says.
    auto a = AssessChurn(config, kPrior, kPrior, s, now, Outlook(0.8, p_none));
    EXPECT_NEAR(a.risk, p_none, 1e-12) << p_none;
    EXPECT_DOUBLE_EQ(a.p_alive, 0.8) << "P(alive) stays as information";
    EXPECT_DOUBLE_EQ(a.p_no_purchase, p_none);
    EXPECT_TRUE(a.fitted);
  }
  // Attitude still adds on top of the model.
  EXPECT_GT(AssessChurn(config, 20, kPrior, s, now, Outlook(0.8, 0.5)).risk, 0.5);
  // Certain verdicts stay finite.
  EXPECT_GT(AssessChurn(config, 50, kPrior, s, now, Outlook(0, 1)).risk, 0.999);
  EXPECT_LT(AssessChurn(config, 50, kPrior, s, now, Outlook(1, 0)).risk, 0.001);
  // Without a fitted model p_alive reports 1 - behavioural risk.
  auto fallback = AssessChurn(config, 50, kPrior, s, now);
  EXPECT_FALSE(fallback.fitted);
  EXPECT_DOUBLE_EQ(fallback.p_alive, 1 - fallback.behavioural_risk);
}

TEST(AssessChurn, AOneTimeBuyerWhoStaysAliveByConstructionIsStillAtRisk) {
  // BG/NBD holds a customer with no repeat purchase alive (P(alive) = 1);
  // the old 1 - P(alive) called them safe. A customer of a slow population
  // (CDNOW, weeks) silent for 30 weeks is unlikely to buy in 90 days.
  const BgNbdParams cdnow{0.243, 4.414, 0.793, 2.426};
  const PurchaseSummary one_timer{0, 0, 30};
  ASSERT_DOUBLE_EQ(PAlive(cdnow, one_timer), 1.0);
  const double p_none = BgNbdProbNoPurchase(cdnow, one_timer, 90.0 / 7);
  EXPECT_GT(p_none, 0.9);
  EXPECT_GT(AssessChurn(ChurnConfig{}, 50, kPrior, WeeklyBuyer(1), EventTime{Days(210).ms}, Outlook(1.0, p_none)).risk, 0.9);
}

TEST(AssessChurn, LowPAliveIsAReasonAheadOfSilence) {
  ChurnConfig config;
  CustomerState s = WeeklyBuyer(4);
  auto a = AssessChurn(config, 80, kPrior, s, s.last_purchase + Days(60), Outlook(0.23, 0.8));
  ASSERT_EQ(a.reasons.size(), 2u);
  EXPECT_EQ(a.reasons[0], (Reason{"low_p_alive", "only 23% likely to still be an active customer"}));
  EXPECT_EQ(a.reasons[1].code, "overdue");
  EXPECT_EQ(a.reasons[1].detail, "no purchase for 60 days; usual gap 13 days; 20% likely to buy in the next 90 days");
  // A likely-active customer gets no P(alive) reason.
  EXPECT_TRUE(AssessChurn(config, 80, kPrior, s, s.last_purchase + Days(3), Outlook(0.8, 0.2)).reasons.empty());
}

TEST(AssessChurn, NoSatisfactionSignalMeansNoAdjustmentWhateverThePrior) {
  // The satisfaction term is centred on the prior: a customer nobody has
  // heard from is judged on purchases alone, with a fitted model and without.
  ChurnConfig config;
  CustomerState s = WeeklyBuyer(4);
  const EventTime now = s.last_purchase + Days(30);
  const double behaviour_only = AssessChurn(config, 0, 0, s, now).behavioural_risk;
  for (double prior : {30.0, 50.0, 70.0, 90.0}) {
    EXPECT_NEAR(AssessChurn(config, prior, prior, s, now, Outlook(0.6, 0.35)).risk, 0.35, 1e-12) << prior;
    const ChurnAssessment fallback = AssessChurn(config, prior, prior, s, now);
    EXPECT_NEAR(fallback.risk, behaviour_only, 1e-12) << prior;
    EXPECT_TRUE(fallback.reasons.size() == 1 && fallback.reasons[0].code == "overdue") << prior;
    // Below the prior raises the risk, above it lowers it.
    EXPECT_GT(AssessChurn(config, prior - 20, prior, s, now, Outlook(0.6, 0.35)).risk, 0.35) << prior;
    EXPECT_LT(AssessChurn(config, prior + 10, prior, s, now, Outlook(0.6, 0.35)).risk, 0.35) << prior;
  }
}

}  // namespace
}  // namespace crm::operators

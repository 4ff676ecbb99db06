// Engagement events and prospects: kept without a segment, outside the RFM
// population and without alerts, converted by their first purchase.
#include "operators/engagement.h"

#include <gtest/gtest.h>

#include "operators/customer_processor.h"
#include "tests/operators/outputs_of.h"
#include "operators/ladder.h"

namespace crm::operators {
namespace {

EventTime Day(double d) { return EventTime{DaysF(d).ms}; }

Event Interact(const std::string& id, double day, InteractionKind kind, std::optional<int32_t> rating = {}) {
  return Event{id, "p1", Day(day), Interaction{kind, rating, "web"}, {}};
}
Event Buy(const std::string& id, double day, double amount) {
  return Event{id, "p1", Day(day), Purchase{amount, 1, "EUR", "web", ""}, {}};
}
Event Complain(const std::string& id, double day) {
  return Event{id, "p1", Day(day), Complaint{"K" + id, ComplaintStatus::kOpened, 5, ""}, {}};
}

TEST(Engagement, KindNamesRoundTripAndOthersAreRejected) {
  for (auto kind : {InteractionKind::kInquiry, InteractionKind::kVisit, InteractionKind::kQuote,
                    InteractionKind::kReferral, InteractionKind::kReview}) {
    EXPECT_EQ(InteractionKindFromName(InteractionKindName(kind)), kind);
  }
  EXPECT_EQ(InteractionKindFromName("Review"), std::nullopt);
  EXPECT_EQ(InteractionKindFromName(""), std::nullopt);
}

TEST(Engagement, AnInteractionMakesAProspectWhoseStateIsKeptWithoutASegment) {
  ModelConfig config;
  CustomerState s;
  Effects e = ProcessEvent(config, Interact("i1", 10, InteractionKind::kInquiry), s);
  EXPECT_TRUE(IsProspect(s));
  EXPECT_EQ(s.journey.interactions, 1);
  EXPECT_EQ(s.journey.first_interaction, Day(10));
  EXPECT_EQ(s.segment, "");
  EXPECT_TRUE(OutputsOf<SegmentChange>(e).empty());
  auto ladder = OutputsOf<LadderChange>(e);
  ASSERT_EQ(ladder.size(), 1u);
  EXPECT_EQ(ladder[0].from, "");
  EXPECT_EQ(ladder[0].to, "prospect");
  EXPECT_EQ(ladder[0].reason.code, "engaged");
  EXPECT_EQ(ladder[0].cause, "i1");
  EXPECT_EQ(e.outputs[0].rule, "ladder-change");
  // A later, earlier-stamped interaction moves the first interaction back.
  ProcessEvent(config, Interact("i2", 4, InteractionKind::kVisit), s);
  EXPECT_EQ(s.journey.first_interaction, Day(4));
  EXPECT_EQ(s.journey.interactions, 2);
  EXPECT_FALSE(e.conversion);
}

TEST(Engagement, AProspectGetsNoChurnAlertEvenWhenUnhappyAndSilent) {
  ModelConfig config;
  // Thresholds any unhappy person passes: only the prospect rule stops the alert.
  config.alert.min_value = 0;
  config.alert.alert_threshold = 0.05;
  config.alert.rearm_threshold = 0.01;
  CustomerState s;
  std::vector<Effects> effects;
  effects.push_back(ProcessEvent(config, Interact("i1", 0, InteractionKind::kReview, 1), s));
  effects.push_back(ProcessEvent(config, Complain("k1", 1), s));
  effects.push_back(ProcessEvent(config, Complain("k2", 2), s));
  EXPECT_GE(s.churn_risk, config.alert.alert_threshold);
  for (const Effects& e : effects) EXPECT_TRUE(OutputsOf<ChurnAlert>(e).empty());
  EXPECT_EQ(s.alerts_sent, 0);
  EXPECT_TRUE(IsProspect(s));
  // The same unhappy person after a purchase is alerted.
  Effects bought = ProcessEvent(config, Buy("b1", 3, 50), s);
  EXPECT_EQ(OutputsOf<ChurnAlert>(bought).size(), 1u);
}

TEST(Engagement, AProspectIsNotInTheRfmPopulationUntilTheyBuy) {
  ModelConfig config;
  RfmPopulation population;
  CustomerState s;
  ProcessEvent(config, {nullptr, &population, nullptr}, Interact("i1", 0, InteractionKind::kQuote), s);
  EXPECT_EQ(population.live(), RfmPopulation().live());
  ProcessEvent(config, {nullptr, &population, nullptr}, Buy("b1", 3, 40), s);
  EXPECT_NE(population.live(), RfmPopulation().live());
}

TEST(Engagement, TheFirstPurchaseConvertsAProspectOnce) {
  ModelConfig config;
  CustomerState s;
  ProcessEvent(config, Interact("i1", 10, InteractionKind::kInquiry), s);
  ProcessEvent(config, Interact("i2", 12.5, InteractionKind::kQuote), s);
  Effects e = ProcessEvent(config, Buy("b1", 20, 50), s);
  ASSERT_TRUE(e.conversion);
  EXPECT_EQ(e.conversion->first_interaction, Day(10));
  EXPECT_EQ(e.conversion->time_to_convert, Days(10));
  auto segments = OutputsOf<SegmentChange>(e);
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].from, "");
  EXPECT_EQ(segments[0].cause, "b1");
  auto ladder = OutputsOf<LadderChange>(e);
  ASSERT_EQ(ladder.size(), 1u);
  EXPECT_EQ(ladder[0].from, "prospect");
  EXPECT_EQ(ladder[0].to, "customer");
  EXPECT_EQ(ladder[0].cause, "b1");
  EXPECT_TRUE(ladder[0].up);
  EXPECT_EQ(ladder[0].conversion, e.conversion);
  EXPECT_FALSE(IsProspect(s));

  Effects second = ProcessEvent(config, Buy("b2", 30, 50), s);
  EXPECT_FALSE(second.conversion);
  for (const auto& c : OutputsOf<LadderChange>(second)) EXPECT_FALSE(c.conversion);
}

TEST(Engagement, ABuyerWithoutInteractionsIsNoConversion) {
  ModelConfig config;
  CustomerState s;
  Effects e = ProcessEvent(config, Buy("b1", 1, 50), s);
  EXPECT_FALSE(e.conversion);
  auto ladder = OutputsOf<LadderChange>(e);
  ASSERT_EQ(ladder.size(), 1u);
  EXPECT_EQ(ladder[0].from, "");
  EXPECT_EQ(ladder[0].to, "customer");
  EXPECT_FALSE(ladder[0].conversion);
}

TEST(Engagement, ReviewsFeedSatisfactionLikeAServiceRating) {
  ModelConfig config;
  CustomerState reviewed, rated;
  ProcessEvent(config, Interact("r1", 1, InteractionKind::kReview, 2), reviewed);
  ProcessEvent(config, Event{"r1", "p1", Day(1), ServiceInteraction{"call", 2, true, 0}, {}}, rated);
  EXPECT_DOUBLE_EQ(reviewed.satisfaction, rated.satisfaction);
  EXPECT_DOUBLE_EQ(reviewed.satisfaction_weight, rated.satisfaction_weight);
  EXPECT_LT(reviewed.satisfaction, config.satisfaction.prior);
}

TEST(Engagement, ReferralsAndGoodReviewsAreAdvocacyPoorReviewsAreNot) {
  ModelConfig config;
  CustomerState s;
  ProcessEvent(config, Interact("r1", 5, InteractionKind::kReview, 3), s);
  EXPECT_EQ(s.journey.good_reviews, 0);
  EXPECT_EQ(s.journey.last_advocacy, EventTime{});
  ProcessEvent(config, Interact("r2", 6, InteractionKind::kReview, 4), s);
  EXPECT_EQ(s.journey.good_reviews, 1);
  EXPECT_EQ(s.journey.last_advocacy, Day(6));
  ProcessEvent(config, Interact("f1", 8, InteractionKind::kReferral), s);
  EXPECT_EQ(s.journey.referrals, 1);
  EXPECT_EQ(s.journey.last_advocacy, Day(8));
  // A late referral never moves the latest advocacy back.
  ProcessEvent(config, Interact("f0", 2, InteractionKind::kReferral), s);
  EXPECT_EQ(s.journey.referrals, 2);
  EXPECT_EQ(s.journey.last_advocacy, Day(8));
}

TEST(Engagement, ReplayingTheSameScriptGivesTheSameStateAndEffects) {
  ModelConfig config;
  const std::vector<Event> script = {
      Interact("i1", 0, InteractionKind::kVisit),     Interact("i2", 2, InteractionKind::kReview, 5),
      Buy("b1", 5, 300),                             Buy("b2", 20, 400),
      Interact("i3", 25, InteractionKind::kReferral), Buy("b3", 40, 500),
  };
  auto run = [&] {
    CustomerState s;
    std::vector<Effects> effects;
    for (const Event& e : script) effects.push_back(ProcessEvent(config, e, s));
    return std::pair{s, effects};
  };
  const auto [state_a, effects_a] = run();
  const auto [state_b, effects_b] = run();
  EXPECT_EQ(state_a, state_b);
  ASSERT_EQ(effects_a.size(), effects_b.size());
  for (size_t i = 0; i < effects_a.size(); ++i) {
    ASSERT_EQ(effects_a[i].outputs.size(), effects_b[i].outputs.size());
    for (size_t j = 0; j < effects_a[i].outputs.size(); ++j) {
      EXPECT_EQ(effects_a[i].outputs[j].rule, effects_b[i].outputs[j].rule);
      EXPECT_EQ(effects_a[i].outputs[j].payload, effects_b[i].outputs[j].payload);
    }
  }
  EXPECT_EQ(state_a.journey.rung, Rung::kAdvocate);
}

}  // namespace
}  // namespace crm::operators

// The relationship ladder's rules, each rung up and down, and the checks
// that let time alone move a rung.
#include "operators/ladder.h"

#include <gtest/gtest.h>

#include "operators/customer_processor.h"

namespace crm::operators {
namespace {

EventTime Day(double d) { return EventTime{DaysF(d).ms}; }

// A customer meeting every rule up to partner at day 400 with the defaults.
CustomerState Partner() {
  CustomerState s;
  s.purchase_count = 10;
  s.total_spend = 1500;
  s.first_purchase = Day(0);
  s.last_purchase = Day(395);
  s.journey.interactions = 1;
  s.journey.referrals = 1;
  s.journey.first_interaction = Day(300);
  s.journey.last_advocacy = Day(300);
  return s;
}
LadderView Happy(double day) { return {90, 0.1, Day(day)}; }

TEST(Ladder, RungNames) {
  EXPECT_STREQ(RungName(Rung::kNone), "");
  EXPECT_STREQ(RungName(Rung::kProspect), "prospect");
  EXPECT_STREQ(RungName(Rung::kPartner), "partner");
}

struct RuleCase {
  const char* name;
  void (*edit)(CustomerState&, LadderView&);
  Rung expected;
  const char* blocked_by;
};

class LadderRules : public ::testing::TestWithParam<RuleCase> {};

TEST_P(LadderRules, EachRuleHoldsTheCustomerOnItsRung) {
  const LadderConfig config;
  CustomerState s = Partner();
  LadderView view = Happy(400);
  GetParam().edit(s, view);
  const RungAssessment a = AssessRung(config, s, view);
  EXPECT_EQ(a.rung, GetParam().expected);
  EXPECT_STREQ(a.blocked_by, GetParam().blocked_by);
}

INSTANTIATE_TEST_SUITE_P(
    Defaults, LadderRules,
    ::testing::Values(
        RuleCase{"partner", [](CustomerState&, LadderView&) {}, Rung::kPartner, ""},
        RuleCase{"short_tenure", [](CustomerState&, LadderView& v) { v.now = Day(364); }, Rung::kAdvocate,
                 "value_or_tenure"},
        RuleCase{"low_spend", [](CustomerState& s, LadderView&) { s.total_spend = 999; }, Rung::kAdvocate,
                 "value_or_tenure"},
        RuleCase{"advocacy_lapsed", [](CustomerState&, LadderView& v) { v.now = Day(300 + 180.5); },
                 Rung::kSupporter, "no_recent_advocacy"},
        RuleCase{"no_advocacy", [](CustomerState& s, LadderView&) { s.journey.last_advocacy = {}; },
                 Rung::kSupporter, "no_recent_advocacy"},
        RuleCase{"dissatisfied", [](CustomerState&, LadderView& v) { v.satisfaction = 74.9; }, Rung::kClient,
                 "dissatisfied"},
        RuleCase{"lapsed", [](CustomerState&, LadderView& v) { v.churn_risk = 0.8; }, Rung::kCustomer, "lapsed"},
        RuleCase{"one_purchase", [](CustomerState& s, LadderView&) { s.purchase_count = 1; }, Rung::kCustomer,
                 "too_few_purchases"},
        RuleCase{"prospect", [](CustomerState& s, LadderView&) { s = CustomerState{}; s.journey.interactions = 2; },
                 Rung::kProspect, "no_purchase"},
        RuleCase{"nobody", [](CustomerState& s, LadderView&) { s = CustomerState{}; }, Rung::kNone, "no_purchase"}),
    [](const ::testing::TestParamInfo<RuleCase>& info) { return std::string(info.param.name); });

TEST(Ladder, UpdateRungNamesTheRuleMetGoingUpAndTheRuleFailedGoingDown) {
  const LadderConfig config;
  CustomerState s = Partner();
  s.journey.rung = Rung::kCustomer;
  auto up = UpdateRung(config, "c1", Happy(400), "e7", s);
  ASSERT_TRUE(up);
  EXPECT_EQ(up->from, "customer");
  EXPECT_EQ(up->to, "partner");
  EXPECT_TRUE(up->up);
  EXPECT_EQ(up->reason.code, "value_and_tenure");
  EXPECT_EQ(up->cause, "e7");
  EXPECT_EQ(s.journey.rung, Rung::kPartner);
  EXPECT_FALSE(UpdateRung(config, "c1", Happy(401), "e8", s)) << "the rung holds: nothing to publish";

  auto down = UpdateRung(config, "c1", {60, 0.1, Day(402)}, "e9", s);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->from, "partner");
  EXPECT_EQ(down->to, "client");
  EXPECT_FALSE(down->up);
  EXPECT_EQ(down->reason.code, "dissatisfied");
  EXPECT_EQ(down->reason.detail, "satisfaction 60 below 75");
}

TEST(Ladder, RulesAreConfigurable) {
  LadderConfig config;
  config.client_min_purchases = 5;
  config.supporter_min_satisfaction = 95;
  CustomerState s = Partner();
  s.purchase_count = 4;
  EXPECT_EQ(AssessRung(config, s, Happy(400)).rung, Rung::kCustomer);
  s.purchase_count = 5;
  EXPECT_EQ(AssessRung(config, s, Happy(400)).rung, Rung::kClient);
  config.supporter_min_satisfaction = 90;
  EXPECT_EQ(AssessRung(config, s, Happy(400)).rung, Rung::kPartner);
}

TEST(Ladder, AdvocatesGetChecksWhenTheirWindowEndsAndTenureArrives) {
  const LadderConfig config;
  CustomerState s = Partner();
  s.journey.rung = Rung::kSupporter;
  EXPECT_FALSE(NextLadderCheck(config, s, Day(100))) << "below advocate, time alone moves nothing";
  s.journey.rung = Rung::kAdvocate;
  EXPECT_EQ(NextLadderCheck(config, s, Day(100)), Day(365)) << "tenure first";
  EXPECT_EQ(NextLadderCheck(config, s, Day(370)), Day(300) + Days(180) + Milliseconds(1));
  s.journey.last_advocacy = Day(200);
  EXPECT_EQ(NextLadderCheck(config, s, Day(370)), Day(200) + Days(180) + Milliseconds(1));
  EXPECT_FALSE(NextLadderCheck(config, s, Day(500)));
}

// Through the processor: a customer climbs with events, an advocacy
// window's end (a timer) takes them down, a referral brings them back, and
// a falling satisfaction takes them down again.
TEST(Ladder, ACustomerClimbsAndFallsThroughEventsAndTimers) {
  ModelConfig config;
  config.ladder.partner_min_tenure = Days(60);
  CustomerState s;
  std::vector<std::string> path;
  auto run = [&](const Effects& e) {
    for (const auto& o : e.outputs) {
      if (auto* c = std::get_if<LadderChange>(&o.payload)) path.push_back(c->from + ">" + c->to + ":" + c->reason.code);
    }
  };
  auto event = [&](const std::string& id, double day, decltype(Event::body) body) {
    run(ProcessEvent(config, Event{id, "c1", Day(day), std::move(body), {}}, s));
  };
  event("b1", 0, Purchase{400, 1, "EUR", "web", ""});
  event("b2", 10, Purchase{400, 1, "EUR", "web", ""});
  event("s1", 12, ServiceInteraction{"call", 5, true, 0});
  event("r1", 15, Interaction{InteractionKind::kReview, 5, ""});
  event("b3", 20, Purchase{400, 1, "EUR", "web", ""});
  event("b4", 61, Purchase{400, 1, "EUR", "web", ""});
  // Keep buying so that only the advocacy window decides; then let it pass.
  for (int i = 0; i < 13; ++i) event("x" + std::to_string(i), 70 + i * 9.0, Purchase{50, 1, "EUR", "web", ""});
  ASSERT_EQ(path.back(), "advocate>partner:value_and_tenure");
  // Fire checks as the watermark passes them until the window has ended.
  for (int i = 0; i < 10 && s.journey.rung == Rung::kPartner; ++i) {
    const EventTime due = s.next_check;
    ASSERT_NE(due, EventTime{});
    run(FireTimer(config, {}, "c1", due, due, s));
  }
  EXPECT_EQ(path.back(), "partner>supporter:no_recent_advocacy");
  event("f1", 200, Interaction{InteractionKind::kReferral, std::nullopt, ""});
  EXPECT_EQ(path.back(), "supporter>partner:value_and_tenure");
  event("s2", 202, ServiceInteraction{"call", 1, false, 0});
  event("s3", 203, ServiceInteraction{"call", 1, false, 0});
  EXPECT_EQ(path.back(), "partner>client:dissatisfied");
  const std::vector<std::string> start = {">customer:first_purchase", "customer>client:repeat_purchases",
                                          "client>supporter:satisfied", "supporter>advocate:advocacy",
                                          "advocate>partner:value_and_tenure"};
  ASSERT_GE(path.size(), start.size());
  EXPECT_EQ(std::vector<std::string>(path.begin(), path.begin() + 5), start);
}

TEST(Ladder, ASilentClientLapsesBackToCustomerOnATimer) {
  ModelConfig config;
  CustomerState s;
  ProcessEvent(config, Event{"b1", "c1", Day(0), Purchase{50, 1, "EUR", "web", ""}, {}}, s);
  ProcessEvent(config, Event{"b2", "c1", Day(10), Purchase{50, 1, "EUR", "web", ""}, {}}, s);
  ASSERT_EQ(s.journey.rung, Rung::kClient);
  std::optional<LadderChange> lapse;
  for (int i = 0; i < 20 && !lapse; ++i) {
    const EventTime due = s.next_check;
    Effects e = FireTimer(config, {}, "c1", due, due, s);
    for (const auto& o : e.outputs) {
      if (auto* c = std::get_if<LadderChange>(&o.payload)) lapse = *c;
    }
  }
  ASSERT_TRUE(lapse);
  EXPECT_EQ(lapse->from, "client");
  EXPECT_EQ(lapse->to, "customer");
  EXPECT_EQ(lapse->reason.code, "lapsed");
  EXPECT_EQ(lapse->cause, kTimerCause);
  EXPECT_GE(s.churn_risk, config.ladder.lapsed_risk);
}

}  // namespace
}  // namespace crm::operators

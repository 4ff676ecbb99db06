// What crm.interactions adds to the outputs: the ladder change as its own
// CloudEvents type on the segment-changes topic, with the conversion of a
// prospect, and the journey in the customer state JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "operators/customer_processor.h"
#include "pipeline/wire/output_encoder.h"
#include "pipeline/wire/state_json.h"

namespace crm::pipeline {
namespace {

using operators::EventTime;

TEST(JourneyOutput, LadderChangeIsItsOwnTypeOnTheSegmentChangesTopic) {
  OutputEncoder encoder(config::TopicsConfig{}, "unit");
  operators::LadderChange change{"c1", "supporter", "advocate", true,
                                 {"advocacy", "a referral or a good review within 180 days"}, "r-7", std::nullopt};
  operators::Output output{"ladder-change", EventTime{1'709'294'400'000}, change};
  OutputRecord r = encoder.Encode(output, {"crm.interactions", 2, 17});
  EXPECT_EQ(r.topic, "crm.segment-changes");
  EXPECT_EQ(r.key, "c1");
  auto j = nlohmann::json::parse(r.value);
  EXPECT_EQ(j["id"], "crm.interactions/2/17/ladder-change");
  EXPECT_EQ(j["type"], "com.crmstream.ladder-change.v1");
  EXPECT_EQ(j["subject"], "c1");
  EXPECT_EQ(j["data"], (nlohmann::json{{"customer_id", "c1"},
                                       {"from", "supporter"},
                                       {"to", "advocate"},
                                       {"direction", "up"},
                                       {"reason", {{"code", "advocacy"},
                                                   {"detail", "a referral or a good review within 180 days"}}},
                                       {"cause", "r-7"}}));
  EXPECT_EQ(encoder.Encode(output, {"crm.interactions", 2, 17}).value, r.value);

  operators::LadderChange first{"c1", "", "prospect", true, {"engaged", "x"}, "i-1", std::nullopt};
  auto k = nlohmann::json::parse(encoder.Encode({"ladder-change", EventTime{0}, first}, {"timer", 0, 99}).value);
  EXPECT_TRUE(k["data"]["from"].is_null());
  EXPECT_EQ(k["id"], "timer/0/99/c1/ladder-change");
}

TEST(JourneyOutput, AConvertingLadderChangeSaysWhenTheProspectFirstEngaged) {
  OutputEncoder encoder(config::TopicsConfig{}, "unit");
  operators::LadderChange change{"c1", "prospect", "customer", true, {"first_purchase", "bought"}, "b-1", std::nullopt};
  const auto plain = nlohmann::json::parse(
      encoder.Encode({"ladder-change", EventTime{0}, change}, {"crm.purchases", 0, 1}).value);
  EXPECT_FALSE(plain["data"].contains("conversion"));
  change.conversion = operators::Conversion{EventTime{1'709'294'400'000}, operators::Hours(36)};
  const auto converted = nlohmann::json::parse(
      encoder.Encode({"ladder-change", EventTime{0}, change}, {"crm.purchases", 0, 1}).value);
  EXPECT_EQ(converted["data"]["conversion"],
            (nlohmann::json{{"first_interaction", "2024-03-01T12:00:00.000Z"}, {"days_to_convert", 1.5}}));
}

TEST(JourneyOutput, TheStateJsonShowsTheRungAndProspectStatus) {
  operators::CustomerState s;
  s.last_event = EventTime{1'709'294'400'000};
  auto none = nlohmann::json::parse(CustomerStateJson("p1", s));
  EXPECT_TRUE(none["journey"]["rung"].is_null());
  EXPECT_EQ(none["journey"]["prospect"], false);
  EXPECT_TRUE(none["journey"]["first_interaction"].is_null());

  s.journey.interactions = 2;
  s.journey.first_interaction = EventTime{1'709'294'400'000};
  s.journey.rung = operators::Rung::kProspect;
  auto prospect = nlohmann::json::parse(CustomerStateJson("p1", s));
  EXPECT_EQ(prospect["journey"]["rung"], "prospect");
  EXPECT_EQ(prospect["journey"]["prospect"], true);
  EXPECT_EQ(prospect["journey"]["interactions"], 2);
  EXPECT_EQ(prospect["journey"]["first_interaction"], "2024-03-01T12:00:00.000Z");

  s.purchase_count = 1;
  s.journey.rung = operators::Rung::kCustomer;
  auto customer = nlohmann::json::parse(CustomerProfileJson("p1", s, operators::ModelConfig{}, nullptr, EventTime{0}));
  EXPECT_EQ(customer["journey"]["rung"], "customer");
  EXPECT_EQ(customer["journey"]["prospect"], false);
}

}  // namespace
}  // namespace crm::pipeline

// CloudEvents envelopes, deterministic ids, dead-letter headers, timestamps.
#include "pipeline/output_encoder.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace crm::pipeline {
namespace {

TEST(FormatRfc3339, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1'709'294'400'123), "2024-03-01T12:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(951'782'400'000), "2000-02-29T00:00:00.000Z");  // leap day
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
}

TEST(OutputEncoder, SegmentChangeIsACloudEventKeyedByCustomer) {
  OutputEncoder encoder(config::TopicsConfig{}, "unit");
  operators::SegmentChange change{"c1", "", "New", {5, 1, 2}, "none", "defector", "e-9"};
  operators::Output output{"segment-change", operators::EventTime{1'709'294'400'000}, change};
  OutputRecord r = encoder.Encode(output, {"crm.purchases", 3, 41});
  EXPECT_EQ(r.topic, "crm.segment-changes");
  EXPECT_EQ(r.key, "c1");
  auto j = nlohmann::json::parse(r.value);
  EXPECT_EQ(j["specversion"], "1.0");
  EXPECT_EQ(j["id"], "crm.purchases/3/41/segment-change");
  EXPECT_EQ(j["source"], "crmstream/unit");
  EXPECT_EQ(j["type"], "com.crmstream.segment-change.v1");
  EXPECT_EQ(j["subject"], "c1");
  EXPECT_EQ(j["time"], "2024-03-01T12:00:00.000Z");
  EXPECT_TRUE(j["data"]["from"].is_null());
  EXPECT_EQ(j["data"]["to"], "New");
  EXPECT_EQ(j["data"]["rfm"], (nlohmann::json{{"r", 5}, {"f", 1}, {"m", 2}}));
  EXPECT_EQ(j["data"]["loyalty"], "none");
  EXPECT_EQ(j["data"]["relationship"], "defector");
  EXPECT_EQ(j["data"]["cause"], "e-9");
  // Deterministic: the same output twice gives the same bytes.
  EXPECT_EQ(encoder.Encode(output, {"crm.purchases", 3, 41}).value, r.value);
}

TEST(OutputEncoder, ChurnAlertCarriesReasonsAndPriority) {
  OutputEncoder encoder(config::TopicsConfig{}, "unit");
  operators::ChurnAlert alert;
  alert.customer_id = "c2";
  alert.risk = 0.9;
  alert.clv = 200;
  alert.value_at_risk = 180;
  alert.priority = operators::Priority::kMedium;
  alert.reasons = {{"overdue", "no purchase for 94 days; usual gap 21 days"}};
  alert.recommended_action = "call this week";
  OutputRecord r = encoder.Encode({"churn-alert", operators::EventTime{0}, alert},
                                  {"crm.complaints", 0, 7});
  EXPECT_EQ(r.topic, "crm.churn-alerts");
  auto j = nlohmann::json::parse(r.value);
  EXPECT_EQ(j["id"], "crm.complaints/0/7/churn-alert");
  EXPECT_EQ(j["data"]["priority"], "medium");
  EXPECT_EQ(j["data"]["reasons"][0]["detail"], "no purchase for 94 days; usual gap 21 days");
}

TEST(OutputEncoder, DeadLetterKeepsBytesAndNamesTheSource) {
  OutputEncoder encoder(config::TopicsConfig{}, "unit");
  OutputRecord r = encoder.DeadLetter({"crm.service", 2, 99}, "k", std::string("\x00\xff{", 3),
                                      "invalid_json", "not JSON");
  EXPECT_EQ(r.topic, "crm.deadletter");
  EXPECT_EQ(r.value, std::string("\x00\xff{", 3));
  std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
  EXPECT_EQ(h["crm.source.topic"], "crm.service");
  EXPECT_EQ(h["crm.source.partition"], "2");
  EXPECT_EQ(h["crm.source.offset"], "99");
  EXPECT_EQ(h["crm.error.code"], "invalid_json");
  EXPECT_EQ(h["crm.error.reason"], "not JSON");
}

}  // namespace
}  // namespace crm::pipeline

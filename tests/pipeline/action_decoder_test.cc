// Decoding crm.actions under the input contract: the alert id and one of
// the documented actions, with a stable code and reason for every bad one.
#include "tests/pipeline/event_decoder_cases.h"

#include <gtest/gtest.h>

#include <string>

#include "operators/events.h"

namespace crm::pipeline {
namespace {

using namespace decoder_cases;
using operators::AlertAction;

constexpr auto A = InputKind::kAction;

TEST(ActionDecoder, EveryDocumentedActionDecodes) {
  for (const char* name : operators::kAlertActionNames) {
    Event e = MustDecode(A, WithBase(R"("alert_id":"crm.purchases/0/12/churn-alert","action":")" +
                                     std::string(name) + R"(")"));
    const auto& a = std::get<AlertAction>(e.body);
    EXPECT_EQ(a.alert_id, "crm.purchases/0/12/churn-alert") << name;
    EXPECT_EQ(a.action, name);
  }
}

TEST(ActionDecoder, CommonFieldsAndUnknownFieldsAreHandledLikeOtherInputs) {
  Event e = MustDecode(A, R"({"event_id":"act-1","customer_id":"c9","ts":"2024-03-01T12:00:00Z",)"
                          R"("alert_id":"timer/2/1709294400000/c9/churn-alert","action":"offer","agent":"ann"})");
  EXPECT_EQ(e.event_id, "act-1");
  EXPECT_EQ(e.customer_id, "c9");
  EXPECT_EQ(e.ts.epoch_ms, k20240301Noon);
  EXPECT_EQ(std::get<AlertAction>(e.body).action, "offer");
}

class ActionDecoderRejects : public ::testing::TestWithParam<BadMessage> {};

TEST_P(ActionDecoderRejects, WithCodeAndReason) { ExpectRejected(A, GetParam()); }

const std::string kActions = R"(must be "call", "email", "sms", "offer", "visit" or "none", got )";

INSTANTIATE_TEST_SUITE_P(
    Contract, ActionDecoderRejects,
    ::testing::Values(
        BadMessage{WithBase(R"("action":"call")"), kMissing, "field 'alert_id': required but missing"},
        BadMessage{WithBase(R"("alert_id":"","action":"call")"), kRange,
                  "field 'alert_id': must be 1 to 256 characters, got 0"},
        BadMessage{WithBase(R"("alert_id":7,"action":"call")"), kType, "field 'alert_id': must be a string, got number"},
        BadMessage{WithBase(R"("alert_id":"a")"), kMissing, "field 'action': required but missing"},
        BadMessage{WithBase(R"("alert_id":"a","action":null)"), kType, "field 'action': must be a string, got null"},
        BadMessage{WithBase(R"("alert_id":"a","action":"Call")"), kRange, "field 'action': " + kActions + "\"Call\""},
        BadMessage{WithBase(R"("alert_id":"a","action":"phoned")"), kRange,
                  "field 'action': " + kActions + "\"phoned\""},
        BadMessage{WithBase(R"("alert_id":"a","action":"call","action":"email")"), kJson, "duplicate field 'action'"}));

TEST(ActionDecoder, ActionFieldsAreUnknownToTheOtherTopics) {
  Event e = MustDecode(P, WithBase(R"("amount":5,"alert_id":"a","action":"call")"));
  EXPECT_TRUE(std::holds_alternative<Purchase>(e.body));
}

}  // namespace
}  // namespace crm::pipeline

// Decoding crm.interactions under the input contract: the five kinds, the
// rating a review requires, and a stable code and reason for every bad one.
#include "tests/pipeline/event_decoder_cases.h"

#include <gtest/gtest.h>

#include <string>

#include "operators/engagement.h"

namespace crm::pipeline {
namespace {

using namespace decoder_cases;
using operators::Interaction;
using operators::InteractionKind;

constexpr auto I = InputKind::kInteraction;

TEST(InteractionDecoder, EveryKindDecodes) {
  for (auto kind : {InteractionKind::kInquiry, InteractionKind::kVisit, InteractionKind::kQuote,
                    InteractionKind::kReferral}) {
    const std::string name = operators::InteractionKindName(kind);
    Event e = MustDecode(I, WithBase(R"("kind":")" + name + R"(")"));
    const auto& i = std::get<Interaction>(e.body);
    EXPECT_EQ(i.kind, kind) << name;
    EXPECT_FALSE(i.rating) << name;
    EXPECT_TRUE(i.channel.empty()) << name;
  }
}

TEST(InteractionDecoder, AReviewCarriesItsRatingAndChannel) {
  Event e = MustDecode(I, R"({"event_id":"r1","customer_id":"p7","ts":"2024-03-01T12:00:00Z",)"
                          R"("kind":"review","rating":4,"channel":"app","text":"great"})");
  EXPECT_EQ(e.event_id, "r1");
  EXPECT_EQ(e.customer_id, "p7");
  EXPECT_EQ(e.ts.epoch_ms, k20240301Noon);
  const auto& i = std::get<Interaction>(e.body);
  EXPECT_EQ(i.kind, InteractionKind::kReview);
  EXPECT_EQ(i.rating, 4);
  EXPECT_EQ(i.channel, "app");
}

TEST(InteractionDecoder, ARatingOnAnotherKindIsCheckedAndKept) {
  Event e = MustDecode(I, WithBase(R"("kind":"visit","rating":2)"));
  EXPECT_EQ(std::get<Interaction>(e.body).rating, 2);
  Event n = MustDecode(I, WithBase(R"("kind":"visit","rating":null)"));
  EXPECT_FALSE(std::get<Interaction>(n.body).rating);
}

class InteractionDecoderRejects : public ::testing::TestWithParam<BadMessage> {};

TEST_P(InteractionDecoderRejects, WithCodeAndReason) { ExpectRejected(I, GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Contract, InteractionDecoderRejects,
    ::testing::Values(
        BadMessage{WithBase(""), kMissing, "field 'kind': required but missing"},
        BadMessage{WithBase(R"("kind":null)"), kType, "field 'kind': must be a string, got null"},
        BadMessage{WithBase(R"("kind":3)"), kType, "field 'kind': must be a string, got number"},
        BadMessage{WithBase(R"("kind":"Review","rating":5)"), kRange,
                       R"(field 'kind': must be "inquiry", "visit", "quote", "referral" or "review", got "Review")"},
        BadMessage{WithBase(R"("kind":"purchase")"), kRange,
                       R"(field 'kind': must be "inquiry", "visit", "quote", "referral" or "review", got "purchase")"},
        BadMessage{WithBase(R"("kind":"review")"), kMissing, "field 'rating': required for a review but missing"},
        BadMessage{WithBase(R"("kind":"review","rating":null)"), kMissing,
                       "field 'rating': required for a review but missing"},
        BadMessage{WithBase(R"("kind":"review","rating":6)"), kRange,
                       "field 'rating': must be an integer from 1 to 5, got 6"},
        BadMessage{WithBase(R"("kind":"review","rating":4.5)"), kRange,
                       "field 'rating': must be an integer from 1 to 5, got 4.5"},
        BadMessage{WithBase(R"("kind":"quote","rating":"5")"), kType,
                       "field 'rating': must be an integer, got string"},
        BadMessage{WithBase(R"("kind":"visit","channel":7)"), kType,
                       "field 'channel': must be a string, got number"},
        BadMessage{R"({"customer_id":"c","ts":0,"kind":"visit"})", kMissing,
                       "field 'event_id': required but missing"},
        BadMessage{WithBase(R"("kind":"visit","kind":"quote")"), kJson, "duplicate field 'kind'"}));

TEST(InteractionDecoder, KindIsUnknownToTheOtherTopics) {
  // On crm.purchases "kind" is an unknown field: validated as JSON, ignored.
  Event e = MustDecode(P, WithBase(R"("amount":5,"kind":"review")"));
  EXPECT_TRUE(std::holds_alternative<Purchase>(e.body));
}

}  // namespace
}  // namespace crm::pipeline

// Decoding and validating input events exactly as the input contract says;
// every bad message gives a stable code and a reason naming the field.
#include "pipeline/event_decoder.h"

#include <gtest/gtest.h>

namespace crm::pipeline {
namespace {

using operators::Event;

Event MustDecode(InputKind kind, const std::string& json) {
  EventDecoder decoder(65536);
  DecodeResult r = decoder.Decode(kind, json);
  if (auto* e = std::get_if<DecodeError>(&r)) {
    ADD_FAILURE() << "unexpected error: " << e->reason << " for " << json;
    return Event{};
  }
  return std::get<Event>(r);
}

TEST(EventDecoder, PurchaseWithRfc3339Time) {
  Event e = MustDecode(InputKind::kPurchase,
                       R"({"event_id":"e1","customer_id":"c1","ts":"2024-03-01T12:00:00Z","amount":19.99,)"
                       R"("currency":"EUR","quantity":2,"channel":"web","order_id":"o1","unknown":{"x":[1,2]}})");
  EXPECT_EQ(e.event_id, "e1");
  EXPECT_EQ(e.customer_id, "c1");
  EXPECT_EQ(e.ts.epoch_ms, 1'709'294'400'000);
  const auto& p = std::get<operators::Purchase>(e.body);
  EXPECT_DOUBLE_EQ(p.amount, 19.99);
  EXPECT_EQ(p.quantity, 2);
  EXPECT_EQ(p.currency, "EUR");
  EXPECT_EQ(p.order_id, "o1");
}

TEST(EventDecoder, ComplaintWithEpochMillisAndDefaults) {
  Event e = MustDecode(InputKind::kComplaint,
                       R"({"event_id":"e2","customer_id":"c2","ts":1709294400123,"complaint_id":"k9"})");
  EXPECT_EQ(e.ts.epoch_ms, 1'709'294'400'123);
  const auto& c = std::get<operators::Complaint>(e.body);
  EXPECT_EQ(c.complaint_id, "k9");
  EXPECT_EQ(c.status, operators::ComplaintStatus::kOpened);
  EXPECT_EQ(c.severity, 3);
  Event r = MustDecode(InputKind::kComplaint,
                       R"({"event_id":"e3","customer_id":"c2","ts":0,"complaint_id":"k9","status":"resolved","severity":5})");
  EXPECT_EQ(std::get<operators::Complaint>(r.body).status, operators::ComplaintStatus::kResolved);
}

TEST(EventDecoder, ServiceInteraction) {
  Event e = MustDecode(InputKind::kService,
                       R"({"event_id":"e4","customer_id":"ü-😀","ts":"2024-03-01T13:00:00+01:00",)"
                       R"("channel":"chat","rating":4,"resolved":true,"wait_seconds":12.5})");
  EXPECT_EQ(e.ts.epoch_ms, 1'709'294'400'000);
  const auto& s = std::get<operators::ServiceInteraction>(e.body);
  EXPECT_EQ(s.channel, "chat");
  EXPECT_EQ(s.rating, 4);
  EXPECT_TRUE(s.resolved);
  EXPECT_DOUBLE_EQ(s.wait_seconds, 12.5);
  Event n = MustDecode(InputKind::kService, R"({"event_id":"e5","customer_id":"c","ts":0,"rating":null})");
  EXPECT_FALSE(std::get<operators::ServiceInteraction>(n.body).rating.has_value());
}

TEST(ParseRfc3339, FormsAndRejections) {
  int64_t ms = 0;
  EXPECT_TRUE(ParseRfc3339("1970-01-01T00:00:00Z", ms));
  EXPECT_EQ(ms, 0);
  EXPECT_TRUE(ParseRfc3339("2000-02-29T23:59:59.5Z", ms));
  EXPECT_EQ(ms, 951'868'799'500);
  EXPECT_TRUE(ParseRfc3339("2024-03-01T12:00:00.123456789-02:30", ms));
  EXPECT_EQ(ms, 1'709'294'400'123 + 9'000'000);
  for (const char* bad : {"", "2024-03-01", "2024-03-01T12:00:00", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
                          "2024-03-01T24:00:00Z", "2024-03-01T12:00:00.Z", "2024-03-01T12:00:00Zjunk",
                          "2024-03-01T12:00:00+2:00", "yyyy-03-01T12:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad, ms)) << bad;
  }
}

struct BadCase {
  const char* name;
  InputKind kind;
  std::string json;
  DecodeErrorCode code;
  const char* reason_mentions;
};

class EventDecoderRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(EventDecoderRejects, WithCodeAndReason) {
  EventDecoder decoder(1024);
  DecodeResult r = decoder.Decode(GetParam().kind, GetParam().json);
  ASSERT_TRUE(std::holds_alternative<DecodeError>(r)) << "accepted: " << GetParam().json;
  const auto& e = std::get<DecodeError>(r);
  EXPECT_EQ(DecodeErrorCodeName(e.code), std::string(DecodeErrorCodeName(GetParam().code))) << e.reason;
  EXPECT_NE(e.reason.find(GetParam().reason_mentions), std::string::npos) << e.reason;
}

const std::string kBase = R"("event_id":"e","customer_id":"c","ts":0)";

INSTANTIATE_TEST_SUITE_P(
    Cases, EventDecoderRejects,
    ::testing::Values(
        BadCase{"NotJson", InputKind::kPurchase, "hello", DecodeErrorCode::kInvalidJson, "not valid JSON"},
        BadCase{"Empty", InputKind::kPurchase, "", DecodeErrorCode::kInvalidJson, "JSON"},
        BadCase{"Truncated", InputKind::kPurchase, R"({"event_id":"e","customer_id":"c","ts":0,"amou)", DecodeErrorCode::kInvalidJson, "not valid JSON"},
        BadCase{"TrailingGarbage", InputKind::kPurchase, "{" + kBase + R"(,"amount":1} x)", DecodeErrorCode::kInvalidJson, "not valid JSON"},
        BadCase{"NotAnObject", InputKind::kPurchase, "[1,2,3]", DecodeErrorCode::kInvalidJson, "must be a JSON object"},
        BadCase{"InvalidUtf8", InputKind::kPurchase, "{" + kBase + ",\"amount\":1,\"channel\":\"\xff\xfe\"}", DecodeErrorCode::kInvalidJson, "not valid JSON"},
        BadCase{"Oversized", InputKind::kService, "{" + kBase + ",\"channel\":\"" + std::string(2000, 'x') + "\"}", DecodeErrorCode::kTooLarge, "exceeds the limit of 1024"},
        BadCase{"MissingEventId", InputKind::kPurchase, R"({"customer_id":"c","ts":0,"amount":1})", DecodeErrorCode::kMissingField, "'event_id'"},
        BadCase{"MissingCustomer", InputKind::kPurchase, R"({"event_id":"e","ts":0,"amount":1})", DecodeErrorCode::kMissingField, "'customer_id'"},
        BadCase{"MissingTs", InputKind::kPurchase, R"({"event_id":"e","customer_id":"c","amount":1})", DecodeErrorCode::kMissingField, "'ts'"},
        BadCase{"MissingAmount", InputKind::kPurchase, "{" + kBase + "}", DecodeErrorCode::kMissingField, "'amount'"},
        BadCase{"MissingComplaintId", InputKind::kComplaint, "{" + kBase + "}", DecodeErrorCode::kMissingField, "'complaint_id'"},
        BadCase{"AmountAsString", InputKind::kPurchase, "{" + kBase + R"(,"amount":"12"})", DecodeErrorCode::kWrongType, "'amount': must be a number, got string"},
        BadCase{"CustomerIdAsNumber", InputKind::kPurchase, R"({"event_id":"e","customer_id":7,"ts":0,"amount":1})", DecodeErrorCode::kWrongType, "'customer_id'"},
        BadCase{"TsAsBool", InputKind::kPurchase, R"({"event_id":"e","customer_id":"c","ts":true,"amount":1})", DecodeErrorCode::kWrongType, "'ts'"},
        BadCase{"QuantityAsString", InputKind::kPurchase, "{" + kBase + R"(,"amount":1,"quantity":"2"})", DecodeErrorCode::kWrongType, "'quantity'"},
        BadCase{"ResolvedAsString", InputKind::kService, "{" + kBase + R"(,"resolved":"yes"})", DecodeErrorCode::kWrongType, "'resolved'"},
        BadCase{"RatingAsArray", InputKind::kService, "{" + kBase + R"(,"rating":[5]})", DecodeErrorCode::kWrongType, "'rating'"},
        BadCase{"NegativeAmount", InputKind::kPurchase, "{" + kBase + R"(,"amount":-3})", DecodeErrorCode::kOutOfRange, "'amount': must be a number >= 0"},
        BadCase{"HugeExponent", InputKind::kPurchase, "{" + kBase + R"(,"amount":1e999})", DecodeErrorCode::kInvalidJson, "JSON"},
        BadCase{"ZeroQuantity", InputKind::kPurchase, "{" + kBase + R"(,"amount":1,"quantity":0})", DecodeErrorCode::kOutOfRange, "'quantity'"},
        BadCase{"FractionalQuantity", InputKind::kPurchase, "{" + kBase + R"(,"amount":1,"quantity":1.5})", DecodeErrorCode::kOutOfRange, "'quantity'"},
        BadCase{"Severity9", InputKind::kComplaint, "{" + kBase + R"(,"complaint_id":"k","severity":9})", DecodeErrorCode::kOutOfRange, "'severity': must be from 1 to 5, got 9"},
        BadCase{"BadStatus", InputKind::kComplaint, "{" + kBase + R"(,"complaint_id":"k","status":"closed"})", DecodeErrorCode::kOutOfRange, "'status'"},
        BadCase{"Rating0", InputKind::kService, "{" + kBase + R"(,"rating":0})", DecodeErrorCode::kOutOfRange, "'rating'"},
        BadCase{"NegativeWait", InputKind::kService, "{" + kBase + R"(,"wait_seconds":-1})", DecodeErrorCode::kOutOfRange, "'wait_seconds'"},
        BadCase{"EmptyCustomerId", InputKind::kPurchase, R"({"event_id":"e","customer_id":"","ts":0,"amount":1})", DecodeErrorCode::kOutOfRange, "1 to 64 characters, got 0"},
        BadCase{"LongCustomerId", InputKind::kPurchase, R"({"event_id":"e","customer_id":")" + std::string(65, 'c') + R"(","ts":0,"amount":1})", DecodeErrorCode::kOutOfRange, "got 65"},
        BadCase{"EmptyEventId", InputKind::kPurchase, R"({"event_id":"","customer_id":"c","ts":0,"amount":1})", DecodeErrorCode::kOutOfRange, "'event_id'"},
        BadCase{"NegativeTs", InputKind::kPurchase, R"({"event_id":"e","customer_id":"c","ts":-5,"amount":1})", DecodeErrorCode::kOutOfRange, "'ts'"},
        BadCase{"TsBeyond9999", InputKind::kPurchase, R"({"event_id":"e","customer_id":"c","ts":253402300800000,"amount":1})", DecodeErrorCode::kOutOfRange, "'ts'"},
        BadCase{"TsNotRfc3339", InputKind::kPurchase, R"({"event_id":"e","customer_id":"c","ts":"yesterday","amount":1})", DecodeErrorCode::kOutOfRange, "'ts': not an RFC 3339 time"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(EventDecoder, DeepJunkInUnknownFieldsIsHandled) {
  EventDecoder decoder(65536);
  std::string deep(5000, '[');
  DecodeResult r = decoder.Decode(InputKind::kPurchase, "{" + kBase + ",\"amount\":1,\"x\":" + deep + "}");
  ASSERT_TRUE(std::holds_alternative<DecodeError>(r));
  EXPECT_EQ(std::get<DecodeError>(r).code, DecodeErrorCode::kInvalidJson);
}

TEST(EventDecoder, DuplicateKeysUseTheFirst) {
  Event e = MustDecode(InputKind::kPurchase, "{" + kBase + R"(,"amount":1,"amount":-5})");
  EXPECT_DOUBLE_EQ(std::get<operators::Purchase>(e.body).amount, 1);
}

TEST(EventDecoder, ReusesItsBufferAcrossMessagesOfAnySize) {
  EventDecoder decoder(65536);
  for (int size : {10, 5000, 3, 60000, 100}) {
    std::string pad(static_cast<size_t>(size), 'x');
    DecodeResult r = decoder.Decode(InputKind::kService, "{" + kBase + R"(,"channel":")" + pad + R"("})");
    if (size <= 1024) {
      EXPECT_TRUE(std::holds_alternative<Event>(r)) << size;
    } else {
      EXPECT_EQ(std::get<DecodeError>(r).code, DecodeErrorCode::kOutOfRange) << "text fields are bounded";
    }
  }
}

}  // namespace
}  // namespace crm::pipeline

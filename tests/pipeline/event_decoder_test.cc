// Decoding and validating input events exactly as the input contract says;
// every bad message gives a stable code and a reason naming the field.
#include "tests/pipeline/event_decoder_cases.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace crm::pipeline {
namespace {

using namespace decoder_cases;

// ---------------------------------------------------------------------------
// Valid events.

TEST(EventDecoder, PurchaseWithRfc3339TimeAndAllFields) {
  Event e = MustDecode(InputKind::kPurchase,
                       R"({"event_id":"e1","customer_id":"c1","ts":"2024-03-01T12:00:00Z","amount":19.99,)"
                       R"("currency":"EUR","quantity":2,"channel":"web","order_id":"o1"})");
  EXPECT_EQ(e.event_id, "e1");
  EXPECT_EQ(e.customer_id, "c1");
  EXPECT_EQ(e.ts.epoch_ms, k20240301Noon);
  EXPECT_TRUE(e.origin.topic.empty());
  const auto& p = std::get<Purchase>(e.body);
  EXPECT_DOUBLE_EQ(p.amount, 19.99);
  EXPECT_EQ(p.quantity, 2);
  EXPECT_EQ(p.currency, "EUR");
  EXPECT_EQ(p.channel, "web");
  EXPECT_EQ(p.order_id, "o1");
}

TEST(EventDecoder, PurchaseWithEpochMillisAndDefaults) {
  Event e = MustDecode(InputKind::kPurchase, R"({"amount":7,"ts":1709294400123,"customer_id":"c","event_id":"e"})");
  EXPECT_EQ(e.ts.epoch_ms, k20240301Noon + 123);
  const auto& p = std::get<Purchase>(e.body);
  EXPECT_EQ(p.amount, 7);
  EXPECT_EQ(p.quantity, 1);
  EXPECT_TRUE(p.currency.empty());
  EXPECT_TRUE(p.channel.empty());
  EXPECT_TRUE(p.order_id.empty());
}

TEST(EventDecoder, ZeroAndNegativeZeroAmountsAreZero) {
  for (const char* amount : {"0", "0.0", "-0", "-0.0", "0e5"}) {
    Event e = MustDecode(InputKind::kPurchase, WithBase(std::string("\"amount\":") + amount));
    const double a = std::get<Purchase>(e.body).amount;
    EXPECT_EQ(a, 0) << amount;
    EXPECT_FALSE(std::signbit(a)) << amount << ": -0 would make equal events give different state bytes";
  }
}

TEST(EventDecoder, ComplaintWithEpochMillisAndDefaults) {
  Event e = MustDecode(InputKind::kComplaint,
                       R"({"event_id":"e2","customer_id":"c2","ts":1709294400123,"complaint_id":"k9"})");
  EXPECT_EQ(e.ts.epoch_ms, k20240301Noon + 123);
  const auto& c = std::get<Complaint>(e.body);
  EXPECT_EQ(c.complaint_id, "k9");
  EXPECT_EQ(c.status, ComplaintStatus::kOpened);
  EXPECT_EQ(c.severity, 3);
  EXPECT_TRUE(c.category.empty());
}

TEST(EventDecoder, ComplaintWithRfc3339TimeAndAllFields) {
  Event e = MustDecode(InputKind::kComplaint,
                       R"({"event_id":"e3","customer_id":"c2","ts":"2024-03-01T12:00:00.250Z","complaint_id":"k9",)"
                       R"("status":"resolved","severity":5,"category":"billing"})");
  EXPECT_EQ(e.ts.epoch_ms, k20240301Noon + 250);
  const auto& c = std::get<Complaint>(e.body);
  EXPECT_EQ(c.status, ComplaintStatus::kResolved);
  EXPECT_EQ(c.severity, 5);
  EXPECT_EQ(c.category, "billing");
}

TEST(EventDecoder, ServiceInteractionWithOffsetTimeAndUnicode) {
  Event e = MustDecode(InputKind::kService,
                       R"({"event_id":"e4","customer_id":"ü-😀","ts":"2024-03-01T13:00:00+01:00",)"
                       R"("channel":"chat","rating":4,"resolved":true,"wait_seconds":12.5})");
  EXPECT_EQ(e.customer_id, "ü-😀");
  EXPECT_EQ(e.ts.epoch_ms, k20240301Noon);
  const auto& s = std::get<ServiceInteraction>(e.body);
  EXPECT_EQ(s.channel, "chat");
  EXPECT_EQ(s.rating, 4);
  EXPECT_TRUE(s.resolved);
  EXPECT_DOUBLE_EQ(s.wait_seconds, 12.5);
}

TEST(EventDecoder, ServiceDefaultsAndNullRating) {
  for (const std::string& json : {WithBase(""), WithBase(R"("rating":null)")}) {
    Event e = MustDecode(InputKind::kService, json);
    const auto& s = std::get<ServiceInteraction>(e.body);
    EXPECT_FALSE(s.rating.has_value()) << json;
    EXPECT_FALSE(s.resolved);
    EXPECT_EQ(s.wait_seconds, 0);
    EXPECT_TRUE(s.channel.empty());
  }
}

TEST(EventDecoder, EscapesInKeysAndValues) {
  Event e = MustDecode(InputKind::kPurchase,
                       R"({"event_\u0069d":"e\"1","customer_id":"\u00fc\ud83d\ude00","ts":0,"amount":1,)"
                       R"("channel":"a\\b\n"})");
  EXPECT_EQ(e.event_id, "e\"1");
  EXPECT_EQ(e.customer_id, "ü😀");
  EXPECT_EQ(std::get<Purchase>(e.body).channel, "a\\b\n");
}

TEST(EventDecoder, CustomerIdLengthCountsCharactersNotBytes) {
  // 64 four-byte characters: 256 bytes, 64 characters.
  Event e = MustDecode(InputKind::kPurchase, R"({"event_id":"e","customer_id":")" + Repeat("😀", 64) +
                                                 R"(","ts":0,"amount":1})");
  EXPECT_EQ(e.customer_id.size(), 256u);
  Event max = MustDecode(InputKind::kPurchase,
                         R"({"event_id":")" + std::string(256, 'e') + R"(","customer_id":")" +
                             std::string(64, 'c') + R"(","ts":0,"amount":1})");
  EXPECT_EQ(max.customer_id.size(), 64u);
}

TEST(EventDecoder, UnknownFieldsAndOtherKindsFieldsAreIgnored) {
  // "rating" and "complaint_id" belong to other kinds; for a purchase they
  // are unknown, whatever their type.
  Event e = MustDecode(InputKind::kPurchase,
                       WithBase(R"("amount":1,"rating":"bad","complaint_id":7,"x":{"y":[1,2.5,"z",null,true,)"
                                R"({"deep":[[[[]]]]}]},"":"empty key")"));
  EXPECT_EQ(std::get<Purchase>(e.body).amount, 1);
  const std::string nested = Repeat("[", 127) + Repeat("]", 127);  // the deepest accepted
  MustDecode(InputKind::kService, WithBase(R"("junk":)" + nested));
}

TEST(EventDecoder, SameKeyInDifferentObjectsIsNoDuplicate) {
  Event e = MustDecode(InputKind::kPurchase,
                       WithBase(R"("amount":1,"x":{"amount":2,"a":{"a":1}},"y":[{"a":1},{"a":2}],"z":{"x":1})"));
  EXPECT_EQ(std::get<Purchase>(e.body).amount, 1);
  // Many distinct unknown keys: the sorted check finds no repeat.
  std::string many;
  for (int i = 0; i < 200; ++i) many += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  MustDecode(InputKind::kPurchase, WithBase(R"("amount":1)" + many));
}

TEST(EventDecoder, WhitespaceAroundTheObjectIsFine) {
  MustDecode(InputKind::kPurchase, " \n\t" + WithBase(R"("amount" : 1)") + " \r\n");
}

TEST(EventDecoder, MessageAtTheLimitIsDecoded) {
  std::string json = WithBase(R"("amount":1,"pad":"")");
  json.insert(json.size() - 2, std::string(kLimit - json.size(), 'x'));
  ASSERT_EQ(json.size(), kLimit);
  MustDecode(InputKind::kPurchase, json);
}

TEST(EventDecoder, ReusesItsBufferAndParserAcrossMessages) {
  EventDecoder decoder(DecoderLimits{65536, 1e9});
  for (size_t size : {10u, 5000u, 3u, 60000u, 100u, 0u}) {
    const std::string good = WithBase(R"("amount":1,"pad":")" + std::string(size, 'x') + "\"");
    EXPECT_TRUE(std::holds_alternative<Event>(decoder.Decode(InputKind::kPurchase, good))) << size;
    // A failure leaves nothing behind for the next message.
    const std::string truncated = good.substr(0, good.size() / 2);
    EXPECT_TRUE(std::holds_alternative<DecodeError>(decoder.Decode(InputKind::kPurchase, truncated))) << size;
  }
}

TEST(EventDecoder, ErrorCodeNamesAreStable) {
  EXPECT_STREQ(DecodeErrorCodeName(DecodeErrorCode::kTooLarge), "too_large");
  EXPECT_STREQ(DecodeErrorCodeName(DecodeErrorCode::kInvalidJson), "invalid_json");
  EXPECT_STREQ(DecodeErrorCodeName(DecodeErrorCode::kMissingField), "missing_field");
  EXPECT_STREQ(DecodeErrorCodeName(DecodeErrorCode::kWrongType), "wrong_type");
  EXPECT_STREQ(DecodeErrorCodeName(DecodeErrorCode::kOutOfRange), "out_of_range");
}

// ---------------------------------------------------------------------------
// RFC 3339.

struct TimeCase {
  const char* text;
  int64_t epoch_ms;
};

TEST(ParseRfc3339, AcceptsTheGrammar) {
  for (const TimeCase& c : {
           TimeCase{"1970-01-01T00:00:00Z", 0},
           TimeCase{"1970-01-01t00:00:00z", 0},
           TimeCase{"2000-02-29T23:59:59.5Z", 951'868'799'500},
           TimeCase{"2024-03-01T12:00:00Z", k20240301Noon},
           TimeCase{"2024-03-01T12:00:00.1Z", k20240301Noon + 100},
           TimeCase{"2024-03-01T12:00:00.123456789Z", k20240301Noon + 123},
           TimeCase{"2024-03-01T12:00:00.999999999Z", k20240301Noon + 999},
           TimeCase{"2024-03-01T14:30:00+02:30", k20240301Noon},
           TimeCase{"2024-03-01T09:30:00.123-02:30", k20240301Noon + 123},
           TimeCase{"2024-03-01T12:00:00+00:00", k20240301Noon},
           TimeCase{"2024-03-01T12:00:00-00:00", k20240301Noon},
           TimeCase{"2016-12-31T23:59:60Z", 1'483'228'799'999},  // leap second
           TimeCase{"1969-12-31T23:59:59Z", -1000},
           TimeCase{"9999-12-31T23:59:59.999Z", 253'402'300'799'999},
           TimeCase{"0000-01-01T00:00:00Z", -62'167'219'200'000},
       }) {
    int64_t ms = -42;
    EXPECT_TRUE(ParseRfc3339(c.text, ms)) << c.text;
    EXPECT_EQ(ms, c.epoch_ms) << c.text;
  }
}

TEST(ParseRfc3339, RejectsMalformedText) {
  for (const char* bad : {
           "", "2024", "2024-03-01", "2024-03-01T12:00:00", "2024-03-01T12:00Z", "2024-03-01 12:00:00Z",
           "2024-03-01T12:00:00.Z", "2024-03-01T12:00:00.1234567890Z", "2024-03-01T12:00:00Zjunk",
           "2024-03-01T12:00:00+2:00", "2024-03-01T12:00:00+02", "2024-03-01T12:00:00+0200",
           "2024-03-01T12:00:00+24:00", "2024-03-01T12:00:00+02:60", "2023-02-29T00:00:00Z",
           "1900-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z",
           "2024-03-00T00:00:00Z", "2024-03-01T24:00:00Z", "2024-03-01T12:60:00Z", "2024-03-01T12:00:61Z",
           "yyyy-03-01T12:00:00Z", "+2024-03-01T12:00:00Z", "-2024-03-01T12:00:00Z", "10000-01-01T00:00:00Z",
           "2024-3-1T12:00:00Z", " 2024-03-01T12:00:00Z", "2024-03-01T12:00:00Z ", "2024-03-01T12:00:00\xff",
           "2024-03-01T12:00:00.-1Z", "2024-03-01T12:00:00,5Z"}) {
    int64_t ms = 0;
    EXPECT_FALSE(ParseRfc3339(bad, ms)) << bad;
  }
}

// ---------------------------------------------------------------------------
// Rejections: every one with its code and a reason naming the field.

struct BadCase {
  const char* name;
  InputKind kind;
  std::string json;
  DecodeErrorCode code;
  std::string reason_mentions;
};

std::ostream& operator<<(std::ostream& os, const BadCase& c) { return os << c.name << ": " << c.json.substr(0, 200); }

class EventDecoderRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(EventDecoderRejects, WithCodeAndReason) {
  const BadCase& c = GetParam();
  EventDecoder decoder(kLimits);
  DecodeResult r = decoder.Decode(c.kind, c.json);
  ASSERT_TRUE(std::holds_alternative<DecodeError>(r)) << "accepted: " << c.json.substr(0, 200);
  const auto& e = std::get<DecodeError>(r);
  EXPECT_STREQ(DecodeErrorCodeName(e.code), DecodeErrorCodeName(c.code)) << e.reason;
  EXPECT_NE(e.reason.find(c.reason_mentions), std::string::npos)
      << "reason \"" << e.reason << "\" does not mention \"" << c.reason_mentions << "\"";
  EXPECT_LT(e.reason.size(), 300u) << "reasons stay short whatever the input";
}


INSTANTIATE_TEST_SUITE_P(
    InvalidJson, EventDecoderRejects,
    ::testing::Values(
        BadCase{"NotJson", P, "hello", kJson, "not valid JSON"},
        BadCase{"Empty", P, "", kJson, "not valid JSON"},
        BadCase{"OnlyWhitespace", P, " \n ", kJson, "not valid JSON"},
        BadCase{"TruncatedInKey", P, R"({"event_id":"e","customer_id":"c","ts":0,"amou)", kJson, "not valid JSON"},
        BadCase{"TruncatedAfterColon", P, R"({"event_id":"e","customer_id":"c","ts":)", kJson, "not valid JSON"},
        BadCase{"TruncatedBeforeBrace", P, kPurchase.substr(0, kPurchase.size() - 1), kJson, "not valid JSON"},
        BadCase{"TruncatedInNested", P, WithBase(R"("amount":1,"x":[1,{"a":)"), kJson, "not valid JSON"},
        BadCase{"OpenBraceOnly", P, "{", kJson, "not valid JSON"},
        BadCase{"TrailingGarbage", P, kPurchase + " x", kJson, "not valid JSON"},
        BadCase{"TrailingBrace", P, kPurchase + "}", kJson, "not valid JSON"},
        BadCase{"TwoObjects", P, kPurchase + kPurchase, kJson, "not valid JSON"},
        BadCase{"TopLevelArray", P, "[1,2,3]", kJson, "must be a JSON object, got array"},
        BadCase{"TopLevelString", P, R"("event")", kJson, "must be a JSON object, got string"},
        BadCase{"TopLevelNumber", P, "42", kJson, "must be a JSON object, got number"},
        BadCase{"TopLevelTrue", P, "true", kJson, "must be a JSON object, got boolean"},
        BadCase{"TopLevelNull", P, "null", kJson, "must be a JSON object, got null"},
        BadCase{"InvalidUtf8", P, WithBase("\"amount\":1,\"channel\":\"\xff\xfe\""), kJson, "not valid JSON"},
        BadCase{"InvalidUtf8InUnknownKey", P, WithBase("\"amount\":1,\"\xc3\":1"), kJson, "not valid JSON"},
        BadCase{"LoneSurrogateEscape", P, WithBase(R"("amount":1,"channel":"\ud800")"), kJson, "not valid JSON"},
        BadCase{"BadEscapeInUnknown", P, WithBase(R"("amount":1,"x":"\q")"), kJson, "not valid JSON"},
        BadCase{"ControlCharInString", P, WithBase("\"amount\":1,\"channel\":\"a\x01\""), kJson, "not valid JSON"},
        BadCase{"NaNLiteral", P, WithBase(R"("amount":NaN)"), kJson, "not valid JSON"},
        BadCase{"InfinityLiteral", P, WithBase(R"("amount":Infinity)"), kJson, "not valid JSON"},
        BadCase{"MinusInfinityLiteral", S, WithBase(R"("wait_seconds":-Infinity)"), kJson, "not valid JSON"},
        BadCase{"HugeExponent", P, WithBase(R"("amount":1e999)"), kJson, "not valid JSON"},
        BadCase{"LeadingZero", P, WithBase(R"("amount":01)"), kJson, "not valid JSON"},
        BadCase{"BadLiteralInUnknown", P, WithBase(R"("amount":1,"x":tru)"), kJson, "not valid JSON"},
        BadCase{"BadNullInUnknown", P, WithBase(R"("amount":1,"x":nul)"), kJson, "not valid JSON"},
        BadCase{"EmptyElementInUnknown", P, WithBase(R"("amount":1,"x":[1,,2])"), kJson, "not valid JSON"},
        BadCase{"MissingColon", P, WithBase(R"("amount" 1)"), kJson, "not valid JSON"},
        BadCase{"MissingComma", P, WithBase(R"("amount":1 "currency":"EUR")"), kJson, "not valid JSON"},
        BadCase{"TrailingComma", P, WithBase(R"("amount":1,)"), kJson, "not valid JSON"},
        BadCase{"SingleQuotes", P, "{'event_id':'e'}", kJson, "not valid JSON"},
        BadCase{"Comment", P, "{/*x*/" + kBase + R"(,"amount":1})", kJson, "not valid JSON"},
        BadCase{"UnbalancedDeepJunk", P, WithBase(R"("amount":1,"x":)" + std::string(3000, '[')), kJson, "JSON"},
        BadCase{"UnbalancedShallowJunk", P, WithBase(R"("amount":1,"x":)" + std::string(20, '[')), kJson,
                "not valid JSON"},
        BadCase{"TooDeepJunk", P, WithBase(R"("amount":1,"x":)" + Repeat("[", 1000) + Repeat("]", 1000)), kJson,
                "nested too deep: more than 128 levels"},
        BadCase{"DeepObjectsJunk", S, WithBase(R"("x":)" + Repeat(R"({"a":)", 500) + "1" + Repeat("}", 500)),
                kJson, "nested too deep"},
        BadCase{"DeepJunkBeforeRequiredFields", C,
                R"({"x":)" + Repeat("[", 129) + Repeat("]", 129) + "," + kBase + R"(,"complaint_id":"k"})", kJson,
                "nested too deep"},
        BadCase{"JunkBeforeValidFields", P, R"({"x":[1,2,}],)" + kBase + R"(,"amount":1})", kJson,
                "not valid JSON"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    TooLarge, EventDecoderRejects,
    ::testing::Values(
        BadCase{"OneByteOver", S, WithBase(R"("channel":")" + std::string(kLimit, 'x') + "\"").substr(0, kLimit + 1),
                DecodeErrorCode::kTooLarge, "exceeds the limit of 4096 bytes"},
        BadCase{"HugeButValid", S, WithBase(R"("channel":")" + std::string(100000, 'x') + "\""),
                DecodeErrorCode::kTooLarge, "message of 100"},
        BadCase{"HugeGarbage", P, std::string(70000, '\xff'), DecodeErrorCode::kTooLarge, "exceeds the limit"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    MissingField, EventDecoderRejects,
    ::testing::Values(
        BadCase{"EmptyObject", P, "{}", kMissing, "field 'event_id'"},
        BadCase{"EventId", P, R"({"customer_id":"c","ts":0,"amount":1})", kMissing, "field 'event_id'"},
        BadCase{"CustomerId", P, R"({"event_id":"e","ts":0,"amount":1})", kMissing, "field 'customer_id'"},
        BadCase{"Ts", P, R"({"event_id":"e","customer_id":"c","amount":1})", kMissing, "field 'ts'"},
        BadCase{"Amount", P, WithBase(""), kMissing, "field 'amount'"},
        BadCase{"AmountUnderAnotherCase", P, WithBase(R"("Amount":1)"), kMissing, "field 'amount'"},
        BadCase{"ComplaintId", C, WithBase(R"("status":"opened")"), kMissing, "field 'complaint_id'"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    WrongType, EventDecoderRejects,
    ::testing::Values(
        BadCase{"EventIdNumber", P, R"({"event_id":1,"customer_id":"c","ts":0,"amount":1})", kType,
                "field 'event_id': must be a string, got number"},
        BadCase{"EventIdNull", P, R"({"event_id":null,"customer_id":"c","ts":0,"amount":1})", kType,
                "field 'event_id': must be a string, got null"},
        BadCase{"CustomerIdNumber", P, R"({"event_id":"e","customer_id":7,"ts":0,"amount":1})", kType,
                "field 'customer_id': must be a string, got number"},
        BadCase{"CustomerIdObject", P, R"({"event_id":"e","customer_id":{},"ts":0,"amount":1})", kType,
                "field 'customer_id': must be a string, got object"},
        BadCase{"TsBool", P, R"({"event_id":"e","customer_id":"c","ts":true,"amount":1})", kType,
                "field 'ts': must be an RFC 3339 string or integer epoch milliseconds, got boolean"},
        BadCase{"TsNull", P, R"({"event_id":"e","customer_id":"c","ts":null,"amount":1})", kType, "field 'ts'"},
        BadCase{"TsArray", P, R"({"event_id":"e","customer_id":"c","ts":[0],"amount":1})", kType,
                "field 'ts'"},
        BadCase{"AmountString", P, WithBase(R"("amount":"12")"), kType, "field 'amount': must be a number, got string"},
        BadCase{"AmountNaNString", P, WithBase(R"("amount":"NaN")"), kType, "field 'amount'"},
        BadCase{"AmountNull", P, WithBase(R"("amount":null)"), kType, "field 'amount': must be a number, got null"},
        BadCase{"AmountBool", P, WithBase(R"("amount":true)"), kType, "field 'amount'"},
        BadCase{"CurrencyNumber", P, WithBase(R"("amount":1,"currency":978)"), kType, "field 'currency'"},
        BadCase{"QuantityString", P, WithBase(R"("amount":1,"quantity":"2")"), kType, "field 'quantity'"},
        BadCase{"PurchaseChannelArray", P, WithBase(R"("amount":1,"channel":["web"])"), kType, "field 'channel'"},
        BadCase{"OrderIdBool", P, WithBase(R"("amount":1,"order_id":false)"), kType, "field 'order_id'"},
        BadCase{"ComplaintIdNumber", C, WithBase(R"("complaint_id":9)"), kType, "field 'complaint_id'"},
        BadCase{"StatusNumber", C, WithBase(R"("complaint_id":"k","status":1)"), kType, "field 'status'"},
        BadCase{"SeverityString", C, WithBase(R"("complaint_id":"k","severity":"high")"), kType,
                "field 'severity': must be an integer, got string"},
        BadCase{"CategoryObject", C, WithBase(R"("complaint_id":"k","category":{})"), kType, "field 'category'"},
        BadCase{"ServiceChannelNumber", S, WithBase(R"("channel":3)"), kType, "field 'channel'"},
        BadCase{"RatingArray", S, WithBase(R"("rating":[5])"), kType, "field 'rating'"},
        BadCase{"RatingString", S, WithBase(R"("rating":"5")"), kType, "field 'rating'"},
        BadCase{"ResolvedString", S, WithBase(R"("resolved":"yes")"), kType,
                "field 'resolved': must be a boolean, got string"},
        BadCase{"ResolvedNumber", S, WithBase(R"("resolved":1)"), kType, "field 'resolved'"},
        BadCase{"WaitSecondsString", S, WithBase(R"("wait_seconds":"12")"), kType, "field 'wait_seconds'"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    OutOfRange, EventDecoderRejects,
    ::testing::Values(
        BadCase{"EmptyEventId", P, R"({"event_id":"","customer_id":"c","ts":0,"amount":1})", kRange,
                "field 'event_id': must be 1 to 256 characters, got 0"},
        BadCase{"LongEventId", P,
                R"({"event_id":")" + std::string(257, 'e') + R"(","customer_id":"c","ts":0,"amount":1})", kRange,
                "field 'event_id': must be 1 to 256 characters, got 257"},
        BadCase{"EmptyCustomerId", P, R"({"event_id":"e","customer_id":"","ts":0,"amount":1})", kRange,
                "field 'customer_id': must be 1 to 64 characters, got 0"},
        BadCase{"LongCustomerId", P,
                R"({"event_id":"e","customer_id":")" + std::string(65, 'c') + R"(","ts":0,"amount":1})", kRange,
                "field 'customer_id': must be 1 to 64 characters, got 65"},
        BadCase{"LongUnicodeCustomerId", P,
                R"({"event_id":"e","customer_id":")" + Repeat("é", 65) + R"(","ts":0,"amount":1})", kRange,
                "field 'customer_id': must be 1 to 64 characters, got 65"},
        BadCase{"NegativeTs", P, R"({"event_id":"e","customer_id":"c","ts":-5,"amount":1})", kRange,
                "field 'ts': epoch milliseconds must be an integer from 0 to 253402300799999, got -5"},
        BadCase{"TsBeyond9999", P, R"({"event_id":"e","customer_id":"c","ts":253402300800000,"amount":1})", kRange,
                "field 'ts'"},
        BadCase{"TsBeyondInt64", P,
                R"({"event_id":"e","customer_id":"c","ts":18446744073709551615,"amount":1})", kRange,
                "got 18446744073709551615"},
        BadCase{"TsFractional", P, R"({"event_id":"e","customer_id":"c","ts":1.5,"amount":1})", kRange,
                "field 'ts'"},
        BadCase{"TsExponent", P, R"({"event_id":"e","customer_id":"c","ts":1e12,"amount":1})", kRange,
                "field 'ts'"},
        BadCase{"TsNotRfc3339", P, R"({"event_id":"e","customer_id":"c","ts":"yesterday","amount":1})", kRange,
                "field 'ts': must be an RFC 3339 time"},
        BadCase{"TsNoZone", P, R"({"event_id":"e","customer_id":"c","ts":"2024-03-01T12:00:00","amount":1})",
                kRange, "field 'ts'"},
        BadCase{"TsFeb29NonLeap", P, R"({"event_id":"e","customer_id":"c","ts":"2023-02-29T00:00:00Z","amount":1})",
                kRange, "field 'ts'"},
        BadCase{"TsBefore1970", P,
                R"({"event_id":"e","customer_id":"c","ts":"1969-12-31T23:59:59Z","amount":1})", kRange,
                "field 'ts': must be from 1970 to year 9999"},
        BadCase{"TsAfter9999ByOffset", P,
                R"({"event_id":"e","customer_id":"c","ts":"9999-12-31T23:59:59-01:00","amount":1})", kRange,
                "field 'ts': must be from 1970 to year 9999"},
        BadCase{"TsLongStringIsQuotedShort", P,
                R"({"event_id":"e","customer_id":"c","ts":")" + std::string(1000, 'x') + R"(","amount":1})", kRange,
                "..."},
        BadCase{"NegativeAmount", P, WithBase(R"("amount":-3)"), kRange, "field 'amount': must be a number from 0 to 1000000000, got -3"},
        BadCase{"NegativeFractionalAmount", P, WithBase(R"("amount":-0.01)"), kRange,
                "field 'amount': must be a number from 0 to 1000000000, got -0.01"},
        BadCase{"ZeroQuantity", P, WithBase(R"("amount":1,"quantity":0)"), kRange,
                "field 'quantity': must be an integer from 1 to 2147483647, got 0"},
        BadCase{"NegativeQuantity", P, WithBase(R"("amount":1,"quantity":-1)"), kRange, "field 'quantity'"},
        BadCase{"FractionalQuantity", P, WithBase(R"("amount":1,"quantity":1.5)"), kRange, "field 'quantity'"},
        BadCase{"HugeQuantity", P, WithBase(R"("amount":1,"quantity":2147483648)"), kRange, "field 'quantity'"},
        BadCase{"LongCurrency", P, WithBase(R"("amount":1,"currency":")" + std::string(257, 'x') + "\""), kRange,
                "field 'currency': must be at most 256 characters, got 257"},
        BadCase{"LongOrderId", P, WithBase(R"("amount":1,"order_id":")" + std::string(257, 'x') + "\""), kRange,
                "field 'order_id'"},
        BadCase{"EmptyComplaintId", C, WithBase(R"("complaint_id":"")"), kRange,
                "field 'complaint_id': must be 1 to 256 characters, got 0"},
        BadCase{"Severity0", C, WithBase(R"("complaint_id":"k","severity":0)"), kRange,
                "field 'severity': must be an integer from 1 to 5, got 0"},
        BadCase{"Severity9", C, WithBase(R"("complaint_id":"k","severity":9)"), kRange,
                "field 'severity': must be an integer from 1 to 5, got 9"},
        BadCase{"SeverityFloat", C, WithBase(R"("complaint_id":"k","severity":3.0)"), kRange,
                "field 'severity'"},
        BadCase{"StatusClosed", C, WithBase(R"("complaint_id":"k","status":"closed")"), kRange,
                "field 'status': must be \"opened\" or \"resolved\", got \"closed\""},
        BadCase{"StatusUpperCase", C, WithBase(R"("complaint_id":"k","status":"OPENED")"), kRange, "field 'status'"},
        BadCase{"LongCategory", C, WithBase(R"("complaint_id":"k","category":")" + std::string(300, 'x') + "\""),
                kRange, "field 'category'"},
        BadCase{"Rating0", S, WithBase(R"("rating":0)"), kRange, "field 'rating': must be an integer from 1 to 5, got 0"},
        BadCase{"Rating6", S, WithBase(R"("rating":6)"), kRange, "field 'rating'"},
        BadCase{"RatingFraction", S, WithBase(R"("rating":4.5)"), kRange, "field 'rating'"},
        BadCase{"NegativeWait", S, WithBase(R"("wait_seconds":-1)"), kRange,
                "field 'wait_seconds': must be a number >= 0, got -1"},
        BadCase{"LongServiceChannel", S, WithBase(R"("channel":")" + std::string(257, 'x') + "\""), kRange,
                "field 'channel'"}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------

TEST(EventDecoder, AmountUpToTheConfiguredMaximumIsAccepted) {
  EXPECT_EQ(std::get<Purchase>(MustDecode(P, WithBase(R"("amount":1e9)")).body).amount, 1e9);
  EventDecoder strict(DecoderLimits{kLimit, 100});
  EXPECT_EQ(std::get<Purchase>(std::get<Event>(strict.Decode(P, WithBase(R"("amount":100.0)"))).body).amount, 100);
  DecodeResult r = strict.Decode(P, WithBase(R"("amount":100.5)"));
  ASSERT_TRUE(std::holds_alternative<DecodeError>(r));
  EXPECT_EQ(std::get<DecodeError>(r).reason, "field 'amount': must be a number from 0 to 100, got 100.5");
  EventDecoder fractional(DecoderLimits{kLimit, 2.5});
  EXPECT_EQ(std::get<DecodeError>(fractional.Decode(P, WithBase(R"("amount":3)"))).reason,
            "field 'amount': must be a number from 0 to 2.5, got 3");
}

// Errors are reported in a fixed field order, whatever the key order.
TEST(EventDecoder, ReportsTheFirstFieldInContractOrder) {
  EventDecoder decoder(kLimits);
  for (const char* json : {R"({"amount":-1,"customer_id":"","event_id":"e","ts":0})",
                           R"({"customer_id":"","amount":-1,"ts":0,"event_id":"e"})"}) {
    DecodeResult r = decoder.Decode(InputKind::kPurchase, json);
    ASSERT_TRUE(std::holds_alternative<DecodeError>(r));
    EXPECT_NE(std::get<DecodeError>(r).reason.find("field 'customer_id'"), std::string::npos) << json;
  }
}

}  // namespace
}  // namespace crm::pipeline

// Exact reasons of the event decoder: each says what is wrong, quotes
// numbers as written and, for JSON errors, where in the message.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "tests/pipeline/event_decoder_cases.h"

namespace crm::pipeline {
namespace {

using namespace decoder_cases;

// Exact reasons (issue 10 items 3, 8, 10): each says what is wrong, quotes
// numbers as written and, for JSON errors, where: when `at` is given, the
// reason ends " at byte <where `at` last occurs in the message>".

struct ExactCase {
  const char* name;
  InputKind kind;
  std::string json;
  DecodeErrorCode code;
  std::string reason;
  std::string at = "";
};

std::ostream& operator<<(std::ostream& os, const ExactCase& c) { return os << c.name << ": " << c.json.substr(0, 200); }

class EventDecoderReason : public ::testing::TestWithParam<ExactCase> {};

TEST_P(EventDecoderReason, IsExactly) {
  const ExactCase& c = GetParam();
  std::string expected = c.reason;
  if (!c.at.empty()) {
    const size_t where = c.json.rfind(c.at);
    ASSERT_NE(where, std::string::npos) << c.at;
    expected += " at byte " + std::to_string(where);
  }
  EventDecoder decoder(kLimits);
  DecodeResult r = decoder.Decode(c.kind, c.json);
  ASSERT_TRUE(std::holds_alternative<DecodeError>(r)) << "accepted: " << c.json.substr(0, 200);
  const auto& e = std::get<DecodeError>(r);
  EXPECT_STREQ(DecodeErrorCodeName(e.code), DecodeErrorCodeName(c.code)) << e.reason;
  EXPECT_EQ(e.reason, expected);
  // The decoder is reused: the same message gives the same reason again.
  EXPECT_EQ(std::get<DecodeError>(decoder.Decode(c.kind, c.json)).reason, e.reason);
}

const std::string kNotJson = "not valid JSON: ";
const std::string kAmountRange = "field 'amount': must be a number from 0 to 1000000000, got ";

// Item 10: what is wrong with a message that is not a JSON object.
INSTANTIATE_TEST_SUITE_P(
    NotJson, EventDecoderReason,
    ::testing::Values(
        ExactCase{"NotJsonAtAll", P, "not json at all", kJson, kNotJson + "unexpected \"not json at all\"", "not"},
        ExactCase{"Hello", P, "hello", kJson, kNotJson + "unexpected \"hello\"", "hello"},
        ExactCase{"LongGarbageIsCut", P, "nonsense, and then a great deal more", kJson,
                  kNotJson + "unexpected \"nonsense\"", "nonsense"},
        ExactCase{"Empty", P, "", kJson, kNotJson + "the message is empty"},
        ExactCase{"OnlyWhitespace", P, " \n ", kJson, kNotJson + "the message is only whitespace"},
        ExactCase{"TrailingGarbage", P, kPurchase + " x", kJson,
                  kNotJson + "trailing characters after the JSON object", "x"},
        ExactCase{"TrailingGarbageAfterBadFields", P, R"({"amount":-1} x)", kJson,
                  kNotJson + "trailing characters after the JSON object", "x"},
        ExactCase{"TrailingBrace", P, kPurchase + "}", kJson, kNotJson + "trailing characters after the JSON object",
                  "}"},
        ExactCase{"TwoObjects", P, kPurchase + kPurchase, kJson,
                  kNotJson + "trailing characters after the JSON object", "{"},
        ExactCase{"InvalidObjectThenGarbage", P, R"({"x":tru} x)", kJson, kNotJson + "unexpected \"tru\"", "tru"},
        ExactCase{"OpenBraceOnly", P, "{", kJson, kNotJson + "the message ends before its object or array is closed"},
        ExactCase{"TruncatedBeforeBrace", P, kPurchase.substr(0, kPurchase.size() - 1), kJson,
                  kNotJson + "the message ends before its object or array is closed"},
        ExactCase{"TruncatedInKey", P, R"({"event_id":"e","amou)", kJson, kNotJson + "a string is never closed"},
        ExactCase{"TrailingComma", P, WithBase(R"("amount":1,)"), kJson, kNotJson + "unexpected \"}\"", "}"},
        ExactCase{"MissingComma", P, WithBase(R"("amount":1 "currency":"EUR")"), kJson,
                  kNotJson + "unexpected \"\\\"currency\\\"\"", "\"currency"},
        ExactCase{"SingleQuotes", P, "{'event_id':'e'}", kJson, kNotJson + "unexpected \"'event_id'\"", "'event_id'"},
        ExactCase{"NaNLiteral", P, WithBase(R"("amount":NaN)"), kJson, kNotJson + "unexpected \"NaN\"", "NaN"},
        ExactCase{"BadLiteralInUnknown", P, WithBase(R"("amount":1,"x":[1,tru])"), kJson,
                  kNotJson + "unexpected \"tru\"", "tru"},
        ExactCase{"HugeExponent", P, WithBase(R"("amount":1e999)"), kJson, kNotJson + "number out of range \"1e999\"",
                  "1e999"},
        ExactCase{"IntegerAbove2To64", P, WithBase(R"("amount":1,"x":18446744073709551616)"), kJson,
                  kNotJson + "number out of range \"18446744073709551616\"", "1844"},
        ExactCase{"LeadingZero", P, WithBase(R"("amount":01)"), kJson, kNotJson + "malformed number \"01\"", "01"},
        ExactCase{"BadEscape", P, WithBase(R"("amount":1,"x":"\q")"), kJson,
                  kNotJson + "invalid escape sequence in a string", "\"\\q"},
        ExactCase{"InvalidUtf8", P, WithBase("\"amount\":1,\"channel\":\"\xff\xfe\""), kJson, kNotJson + "invalid UTF-8"},
        ExactCase{"ControlCharInString", P, WithBase("\"amount\":1,\"channel\":\"a\x01\""), kJson,
                  kNotJson + "unescaped control character in a string"},
        ExactCase{"TopLevelNull", P, "null", kJson, "the message must be a JSON object, got null"},
        ExactCase{"TopLevelArray", P, "[1,2,3]", kJson, "the message must be a JSON object, got array"},
        ExactCase{"TopLevelNumberThenGarbage", P, "42 x", kJson,
                  kNotJson + "trailing characters after the JSON value", "x"},
        ExactCase{"TopLevelStringThenGarbage", P, R"("event" x)", kJson,
                  kNotJson + "trailing characters after the JSON value", "x"},
        ExactCase{"TopLevelArrayWithBadElement", P, "[1,nope]", kJson, kNotJson + "unexpected \"nope\"", "nope"}),
    [](const auto& info) { return std::string(info.param.name); });

// Item 8: a key twice in one object is rejected, whichever object and
// whatever the values; unescaping is applied before comparing.
INSTANTIATE_TEST_SUITE_P(
    Duplicate, EventDecoderReason,
    ::testing::Values(
        ExactCase{"Amount", P, WithBase(R"("amount":1,"amount":-5)"), kJson, "duplicate field 'amount'"},
        ExactCase{"AmountSameValue", P, WithBase(R"("amount":1,"amount":1)"), kJson, "duplicate field 'amount'"},
        ExactCase{"EventIdEscaped", P, R"({"event_id":"a","event_\u0069d":"b","customer_id":"c","ts":0,"amount":1})",
                  kJson, "duplicate field 'event_id'"},
        ExactCase{"NullThenValue", P, WithBase(R"("amount":1,"currency":null,"currency":"EUR")"), kJson,
                  "duplicate field 'currency'"},
        ExactCase{"Ts", S, R"({"ts":0,"event_id":"e","customer_id":"c","ts":"2024-03-01T12:00:00Z"})", kJson,
                  "duplicate field 'ts'"},
        ExactCase{"Unknown", P, WithBase(R"("x":1,"amount":1,"x":2)"), kJson, "duplicate field 'x'"},
        ExactCase{"OtherKindsField", P, WithBase(R"("rating":1,"amount":1,"rating":1)"), kJson,
                  "duplicate field 'rating'"},
        ExactCase{"EmptyKey", S, WithBase(R"("":1,"":2)"), kJson, "duplicate field ''"},
        ExactCase{"Nested", S, WithBase(R"("x":{"a":1,"b":2,"a":3})"), kJson,
                  "duplicate field 'a' in a nested object"},
        ExactCase{"NestedInArray", S, WithBase(R"("x":[{"a":1},{"a":1,"a":1}])"), kJson,
                  "duplicate field 'a' in a nested object"},
        ExactCase{"DeepInTopLevelArray", P, R"([[{"k":{"z":1,"z":2}}]])", kJson,
                  "duplicate field 'z' in a nested object"}),
    [](const auto& info) { return std::string(info.param.name); });

// Items 3 and 10: range errors quote the number as written and name the limit.
INSTANTIATE_TEST_SUITE_P(
    Range, EventDecoderReason,
    ::testing::Values(
        ExactCase{"AmountHuge", P, WithBase(R"("amount":1.7e308)"), kRange, kAmountRange + "1.7e308"},
        ExactCase{"AmountJustOver", P, WithBase(R"("amount":1000000000.01)"), kRange, kAmountRange + "1000000000.01"},
        ExactCase{"AmountHugeInteger", P, WithBase(R"("amount":18446744073709551615)"), kRange,
                  kAmountRange + "18446744073709551615"},
        ExactCase{"AmountNegative", P, WithBase(R"("amount":-0.010)"), kRange, kAmountRange + "-0.010"},
        ExactCase{"QuantityDecimal", P, WithBase(R"("amount":1,"quantity":2.0)"), kRange,
                  "field 'quantity': must be an integer from 1 to 2147483647, got 2.0"},
        ExactCase{"QuantityExponent", P, WithBase(R"("amount":1,"quantity":2E0 )"), kRange,
                  "field 'quantity': must be an integer from 1 to 2147483647, got 2E0"},
        ExactCase{"SeverityDecimal", C, WithBase(R"("complaint_id":"k","severity":3.0)"), kRange,
                  "field 'severity': must be an integer from 1 to 5, got 3.0"},
        ExactCase{"RatingDecimal", S, WithBase(R"("rating":4.50)"), kRange,
                  "field 'rating': must be an integer from 1 to 5, got 4.50"},
        ExactCase{"TsExponent", P, R"({"event_id":"e","customer_id":"c","ts":1e12,"amount":1})", kRange,
                  "field 'ts': epoch milliseconds must be an integer from 0 to 253402300799999, got 1e12"},
        ExactCase{"LongNumberIsCut", P, WithBase(R"("amount":1,"quantity":1.)" + std::string(100, '0')), kRange,
                  "field 'quantity': must be an integer from 1 to 2147483647, got 1." + std::string(62, '0') + "..."},
        ExactCase{"WaitNegative", S, WithBase(R"("wait_seconds":-1.5)"), kRange,
                  "field 'wait_seconds': must be a number >= 0, got -1.5"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace crm::pipeline

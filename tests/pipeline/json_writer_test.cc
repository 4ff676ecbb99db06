// The hot-path JSON writer produces JSON that a real parser reads back.
#include "pipeline/wire/json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace crm::pipeline {
namespace {

TEST(JsonWriter, NestedObjectsArraysAndEscapes) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("text").Value("quote \" backslash \\ newline \n tab \t bell \x07 ü");
  w.Key("n").Value(int64_t{-42});
  w.Key("x").Value(0.1);
  w.Key("none").Null();
  w.Key("list").BeginArray();
  w.BeginObject().Key("a").Value(1).EndObject();
  w.BeginObject().Key("b").Value(2).EndObject();
  w.Value("tail");
  w.EndArray();
  w.Key("empty").BeginObject().EndObject();
  w.EndObject();
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["text"], "quote \" backslash \\ newline \n tab \t bell \x07 ü");
  EXPECT_EQ(j["n"], -42);
  EXPECT_EQ(j["x"].get<double>(), 0.1);
  EXPECT_TRUE(j["none"].is_null());
  EXPECT_EQ(j["list"], nlohmann::json::parse(R"([{"a":1},{"b":2},"tail"])"));
  EXPECT_TRUE(j["empty"].is_object() && j["empty"].empty());
  EXPECT_NE(out.find("0.1,"), std::string::npos) << "shortest round-trip form: " << out;
}

// Issue 10 item 3: an alert was published with "clv":inf, which no JSON
// parser reads. The writer cannot emit a non-finite number: it writes null.
TEST(JsonWriter, NonFiniteNumbersAreWrittenAsNull) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("pos").Value(inf);
  w.Key("neg").Value(-inf);
  w.Key("nan").Value(nan);
  w.Key("list").BeginArray().Value(inf).Value(1.5).Value(nan).EndArray();
  w.Key("max").Value(std::numeric_limits<double>::max());
  w.Key("tiny").Value(std::numeric_limits<double>::denorm_min());
  w.Key("after").Value(2.0);
  w.EndObject();
  EXPECT_EQ(out.find("inf"), std::string::npos) << out;
  auto j = nlohmann::json::parse(out);  // strict: throws on inf/nan tokens
  EXPECT_TRUE(j["pos"].is_null());
  EXPECT_TRUE(j["neg"].is_null());
  EXPECT_TRUE(j["nan"].is_null());
  EXPECT_EQ(j["list"], nlohmann::json::parse("[null,1.5,null]"));
  EXPECT_EQ(j["max"].get<double>(), std::numeric_limits<double>::max());
  EXPECT_EQ(j["tiny"].get<double>(), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(j["after"].get<double>(), 2.0);
}

// The writer skips clean text eight bytes at a time. Every byte that needs
// an escape (controls, '"', '\\'), at every position of strings longer than
// a word, next to bytes just outside the escaped range (0x20, 0x21, 0x5b,
// 0x5d, 0x7f, 0x80, 0xff), is escaped exactly as a byte-by-byte escaper
// does, and the text parses back to the same string.
std::string EscapedByteByByte(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

TEST(JsonWriter, EscapesEveryByteThatNeedsItAtEveryPositionOfALongString) {
  const std::string escaped_bytes = std::string("\"\\\x01\x1f\n\t") + std::string(1, '\0');
  const std::string neighbours = "\x20\x21\x5b\x5d\x7f\x80\xff";
  for (size_t length : {1, 7, 8, 9, 15, 16, 17, 31, 40}) {
    for (size_t at = 0; at < length; ++at) {
      for (char bad : escaped_bytes) {
        std::string s(length, 'a');
        for (size_t i = 0; i < length; ++i) s[i] = neighbours[(i + at) % neighbours.size()];
        s[at] = bad;
        std::string out;
        JsonWriter(out).Value(s);
        ASSERT_EQ(out, EscapedByteByByte(s)) << "length " << length << ", escape at " << at;
      }
    }
  }
  std::mt19937 random(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string s(random() % 48, ' ');
    for (char& c : s) c = static_cast<char>(random() % 128);  // ASCII: parses back as it is
    std::string out;
    JsonWriter(out).Value(s);
    ASSERT_EQ(out, EscapedByteByByte(s));
    ASSERT_EQ(nlohmann::json::parse(out).get<std::string>(), s);
  }
  // Clean text of every length, as keys and values (the short ones are
  // written in one piece, the long ones not), and one escape in a long one.
  for (size_t length = 0; length < 140; ++length) {
    std::string s(length, ' ');
    for (char& c : s) c = static_cast<char>('#' + random() % ('[' - '#'));  // printable, no '"' or '\\'
    std::string out;
    JsonWriter w(out);
    w.BeginObject().Key(s).Value(s).Key("next").Value(s + "\"" + s).EndObject();
    ASSERT_EQ(out, "{" + EscapedByteByByte(s) + ":" + EscapedByteByByte(s) + ",\"next\":" +
                       EscapedByteByByte(s + "\"" + s) + "}");
  }
}

}  // namespace
}  // namespace crm::pipeline

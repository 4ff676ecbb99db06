// The hot-path JSON writer produces JSON that a real parser reads back.
#include "pipeline/wire/json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

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

}  // namespace
}  // namespace crm::pipeline

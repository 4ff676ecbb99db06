// The hot-path JSON writer produces JSON that a real parser reads back.
#include "pipeline/json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace crm::pipeline

// CloudEvents envelopes, deterministic ids, dead-letter headers, timestamps.
#include "pipeline/wire/output_encoder.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "operators/customer_processor.h"
#include "operators/money.h"
#include "pipeline/wire/event_decoder.h"

namespace crm::pipeline {
namespace {

TEST(FormatRfc3339, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1'709'294'400'123), "2024-03-01T12:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(951'782'400'000), "2000-02-29T00:00:00.000Z");  // leap day
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(-62'135'596'800'000), "0001-01-01T00:00:00.000Z");
}

// Every instant from year 1 to 9999 reads back as itself (the decoder's
// parser), a step of a prime number of milliseconds apart so every field
// takes many values.
TEST(FormatRfc3339, ReadsBackAsTheSameInstantAcrossTheWholeRange) {
  constexpr int64_t kFirst = -62'135'596'800'000;  // 0001-01-01
  constexpr int64_t kLast = 253'402'300'799'999;   // 9999-12-31T23:59:59.999
  constexpr int64_t kStep = 3'155'760'000'017;     // about a century, prime-ish
  int checked = 0;
  for (int64_t ms = kFirst; ms <= kLast; ms += kStep / 37) {
    int64_t parsed = 0;
    const std::string text = FormatRfc3339(ms);
    ASSERT_TRUE(ParseRfc3339(text, parsed)) << text;
    ASSERT_EQ(parsed, ms) << text;
    ++checked;
  }
  EXPECT_GT(checked, 3000);
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

TEST(OutputEncoder, StructuredModeSaysSoInTheContentTypeHeader) {
  OutputEncoder encoder(config::TopicsConfig{}, "unit");
  operators::SegmentChange change{"c1", "", "New", {5, 1, 2}, "none", "defector", "e-9"};
  OutputRecord r = encoder.Encode({"segment-change", operators::EventTime{0}, change}, {"crm.purchases", 3, 41});
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "content-type");
  EXPECT_EQ(r.headers[0].second, "application/cloudevents+json; charset=UTF-8");
}

TEST(OutputEncoder, BinaryModeCarriesTheAttributesAsHeadersAndTheDataAsValue) {
  OutputEncoder structured(config::TopicsConfig{}, "unit");
  OutputEncoder binary(config::TopicsConfig{}, "unit", config::CloudEventsMode::kBinary);
  operators::SegmentChange change{"c1", "At Risk", "New", {5, 1, 2}, "none", "defector", "e-9"};
  operators::Output output{"segment-change", operators::EventTime{1'709'294'400'000}, change};
  OutputRecord s = structured.Encode(output, {"crm.purchases", 3, 41});
  OutputRecord b = binary.Encode(output, {"crm.purchases", 3, 41});
  EXPECT_EQ(b.topic, s.topic);
  EXPECT_EQ(b.key, "c1");
  auto envelope = nlohmann::json::parse(s.value);
  EXPECT_EQ(nlohmann::json::parse(b.value), envelope["data"]);
  std::map<std::string, std::string> headers(b.headers.begin(), b.headers.end());
  EXPECT_EQ(headers.size(), b.headers.size()) << "a header is repeated";
  EXPECT_EQ(headers["ce_specversion"], envelope["specversion"]);
  EXPECT_EQ(headers["ce_id"], envelope["id"]);
  EXPECT_EQ(headers["ce_source"], envelope["source"]);
  EXPECT_EQ(headers["ce_type"], envelope["type"]);
  EXPECT_EQ(headers["ce_subject"], envelope["subject"]);
  EXPECT_EQ(headers["ce_time"], envelope["time"]);
  EXPECT_EQ(headers["content-type"], "application/json");
  EXPECT_EQ(headers.size(), 7u);
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

// Every number anywhere in `j` is finite (a strict parser has read it).
void ExpectFiniteNumbers(const nlohmann::json& j, const std::string& path = "") {
  if (j.is_number()) {
    EXPECT_TRUE(std::isfinite(j.get<double>())) << path;
  } else if (j.is_structured()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      ExpectFiniteNumbers(*it, path + "/" + (j.is_object() ? it.key() : std::string("#")));
    }
  }
}

// Issue 10 item 3: amounts up to 1.7e308 were accepted; two of them made
// total_spend infinite and an alert carried "clv":inf. Weekly purchases at
// the configured maximum, and (bypassing the decoder, as a state stored
// before the bound could) at the largest double, then a bad call that raises
// an alert: every output is strict JSON with finite numbers.
TEST(OutputEncoder, OutputsAfterHugeAmountsAreStrictJsonWithFiniteNumbers) {
  const DecoderLimits limits;
  EventDecoder decoder(limits);
  OutputEncoder encoder(config::TopicsConfig{}, "unit");
  operators::ModelParams params;
  params.bgnbd = {0.243, 4.414, 0.793, 2.426};
  params.gamma_gamma = {6.25, 3.74, 15.44};
  for (double amount : {limits.max_amount, std::numeric_limits<double>::max()}) {
    const operators::ModelParams* const choices[] = {nullptr, &params};
    for (const operators::ModelParams* fitted : choices) {
      SCOPED_TRACE(std::to_string(amount) + (fitted ? " fitted" : " unfitted"));
      operators::ModelConfig config;
      const operators::ModelContext context{fitted, nullptr};
      operators::CustomerState state;
      std::vector<operators::Output> outputs;
      for (int i = 0; i < 6; ++i) {
        operators::Event e;
        if (amount <= limits.max_amount) {
          const std::string json = R"({"event_id":"p)" + std::to_string(i) + R"(","customer_id":"c","ts":)" +
                                   std::to_string(int64_t{86'400'000} * 7 * i) + R"(,"amount":1e9})";
          DecodeResult r = decoder.Decode(InputKind::kPurchase, json);
          ASSERT_TRUE(std::holds_alternative<operators::Event>(r)) << std::get<DecodeError>(r).reason;
          e = std::get<operators::Event>(r);
        } else {
          e = operators::Event{"p" + std::to_string(i), "c", operators::EventTime{int64_t{86'400'000} * 7 * i},
                               operators::Purchase{amount, 1, "", "", ""}, {}};
        }
        for (auto& o : operators::ProcessEvent(config, context, e, state).outputs) outputs.push_back(std::move(o));
      }
      const operators::Event call{"r1", "c", operators::EventTime{int64_t{86'400'000} * 80},
                                  operators::ServiceInteraction{"call", 1, false, 0}, {}};
      for (auto& o : operators::ProcessEvent(config, context, call, state).outputs) outputs.push_back(std::move(o));
      EXPECT_TRUE(std::isfinite(state.total_spend));
      bool alerted = false;
      for (const auto& o : outputs) {
        const OutputRecord r = encoder.Encode(o, {"crm.purchases", 0, 1});
        nlohmann::json j;
        ASSERT_NO_THROW(j = nlohmann::json::parse(r.value)) << r.value;
        ExpectFiniteNumbers(j);
        if (std::holds_alternative<operators::ChurnAlert>(o.payload)) {
          alerted = true;
          EXPECT_TRUE(j["data"]["clv"].is_number()) << r.value;
          EXPECT_GT(j["data"]["clv"].get<double>(), 0) << r.value;
          EXPECT_LE(j["data"]["clv"].get<double>(), operators::kMaxMoney) << r.value;
        }
      }
      EXPECT_TRUE(alerted) << "the script ends in an alert";
    }
  }
}

// The encoder's last line: should a non-finite number still reach it, the
// record is valid JSON with null in its place.
TEST(OutputEncoder, NonFiniteAlertNumbersBecomeNull) {
  OutputEncoder encoder(config::TopicsConfig{}, "unit");
  operators::ChurnAlert alert;
  alert.customer_id = "c";
  alert.risk = std::numeric_limits<double>::quiet_NaN();
  alert.clv = std::numeric_limits<double>::infinity();
  alert.value_at_risk = -std::numeric_limits<double>::infinity();
  alert.p_alive = 1e300;  // finite, but * 1e6 overflows when rounding
  OutputRecord r = encoder.Encode({"churn-alert", operators::EventTime{0}, alert}, {"crm.service", 0, 1});
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.value)) << r.value;
  EXPECT_TRUE(j["data"]["risk"].is_null());
  EXPECT_TRUE(j["data"]["clv"].is_null());
  EXPECT_TRUE(j["data"]["value_at_risk"].is_null());
  EXPECT_EQ(j["data"]["p_alive"].get<double>(), 1e300);
}

}  // namespace
}  // namespace crm::pipeline

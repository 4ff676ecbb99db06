// The Markov view through the record processor, its codec and GET /segments:
// the counts committed with a partition's data equal what the published
// segment changes imply, survive a restart, decode only from sound bytes, and
// are served as JSON behind the same token as /customers.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "operators/markov_period.h"
#include "pipeline/observe/http_server.h"
#include "pipeline/runtime/segments_view.h"
#include "pipeline/state/flows_codec.h"
#include "pipeline/state/population_codec.h"
#include "pipeline/wire/event_decoder.h"
#include "tests/pipeline/http_test_client.h"
#include "tests/pipeline/processor_fixture.h"

namespace crm::pipeline {
namespace {

using operators::SegmentPair;

// The transitions that `changes` (customer, from, to, event time; in the order
// published) imply under segment_flows.h's definition, for one partition
// whose clock went from the first change to `last_ms`, with monthly periods.
std::map<SegmentPair, int64_t> Implied(const std::vector<std::tuple<std::string, std::string, std::string, int64_t>>& changes,
                                       int64_t last_ms) {
  const auto period = [](int64_t ms) { return operators::PeriodIndex(operators::PeriodUnit::kMonth, {ms}); };
  const int64_t first = period(std::get<3>(changes.front()));
  const int64_t open = period(last_ms);
  std::map<std::string, std::string> segment;
  std::map<SegmentPair, int64_t> implied;
  size_t next = 0;
  for (int64_t k = first; k < open; ++k) {
    std::map<std::string, std::string> at_start = segment;
    while (next < changes.size() && period(std::get<3>(changes[next])) <= k) {
      segment[std::get<0>(changes[next])] = std::get<2>(changes[next]);
      ++next;
    }
    std::set<std::string> ids;
    for (const auto& [id, s] : at_start) ids.insert(id);
    for (const auto& [id, s] : segment) ids.insert(id);
    for (const std::string& id : ids) {
      const std::string a = at_start.count(id) ? at_start[id] : "", b = segment.count(id) ? segment[id] : "";
      if (!a.empty() || !b.empty()) ++implied[{a, b}];
    }
  }
  return implied;
}

class SegmentFlowsProcessorTest : public ProcessorFixture {
 protected:
  void SetUp() override {
    config_.time.allowed_lateness_ms = 0;  // timers fire at the clock: change times name their period
    ProcessorFixture::SetUp();
  }
  std::vector<std::tuple<std::string, std::string, std::string, int64_t>> PublishedChanges() {
    std::vector<std::tuple<std::string, std::string, std::string, int64_t>> out;
    for (const OutputRecord& r : sink_.delivered) {
      if (r.topic != config_.topics.segment_changes) continue;
      const auto e = nlohmann::json::parse(r.value);
      if (e["type"] != "com.crmstream.segment-change.v1") continue;  // ladder changes share the topic
      int64_t ms = 0;
      EXPECT_TRUE(ParseRfc3339(e["time"].get<std::string>(), ms));
      const auto& from = e["data"]["from"];  // null for a customer's first segment
      out.emplace_back(e["data"]["customer_id"], from.is_null() ? "" : from.get<std::string>(), e["data"]["to"], ms);
    }
    return out;
  }
  operators::SegmentFlows Committed() {
    auto flows = ReadSegmentFlows(*store_, {0});
    EXPECT_TRUE(flows.ok()) << flows.status().message();
    return flows.ok() ? *flows : operators::SegmentFlows{};
  }
};

TEST_F(SegmentFlowsProcessorTest, CommittedCountsAreWhatThePublishedChangesImplyAcrossARestart) {
  // Seven customers over six months: regulars, a lapsing one (overdue checks
  // move them by silence), one-off buyers; a restart in the middle.
  int64_t offset = 0;
  const std::vector<std::string> months = {"01", "02", "03", "04", "05", "06"};
  for (size_t m = 0; m < months.size(); ++m) {
    for (int c = 0; c < 7; ++c) {
      const bool buys = c < 3 || (c == 3 && m < 2) || (c >= 4 && m == static_cast<size_t>(c - 4));
      if (!buys) continue;
      const std::string day = c < 3 ? "0" + std::to_string(1 + c * 3) : "15";
      ASSERT_TRUE(FeedPurchase(offset++, "k" + std::to_string(c), "2024-" + months[m] + "-" + day + "T10:00:00Z",
                               std::to_string(20 + 10 * c))
                      .ok());
    }
    if (m == 2) {
      ASSERT_TRUE(processor_->Commit(1000).ok());
      Reopen();
    }
  }
  ASSERT_TRUE(FeedPurchase(offset++, "k0", "2024-07-02T10:00:00Z").ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());

  const auto changes = PublishedChanges();
  ASSERT_GE(changes.size(), 7u) << "every customer's first segment at least";
  const operators::SegmentFlows flows = Committed();
  EXPECT_EQ(flows.periods_closed, 6);  // January to June; July is open
  EXPECT_EQ(flows.transitions, Implied(changes, 1'719'914'400'000 /* 2024-07-02T10:00Z */));
  int64_t moved = 0, stayed = 0;
  for (const auto& [pair, n] : flows.transitions) {
    if (pair.first.empty() || pair.second.empty()) continue;
    (pair.first == pair.second ? stayed : moved) += n;
  }
  EXPECT_GT(moved, 0) << "the script moves customers between segments";
  EXPECT_GT(stayed, 0);
  int64_t spend = 0;
  for (const auto& [segment, amount] : flows.spend) spend += static_cast<int64_t>(amount);
  EXPECT_EQ(spend, 3 * 6 * 20 + 3 * 6 * 10 + 2 * 50 + 60 + 70 + 80) << "every purchase before July";

  // Rows are the customers who began a period there: stochastic over them.
  const operators::SegmentChain chain = SegmentChainOf(flows, config_);
  for (size_t i = 0; i < chain.states.size(); ++i) {
    if (!chain.observed[i]) continue;
    double row = 0;
    for (double p : chain.transition[i]) row += p;
    EXPECT_NEAR(row, 1.0, 1e-12) << chain.states[i];
  }
}

TEST(FlowsCodecTest, RoundTripsAndRejectsWhatItCouldNotHaveWritten) {
  PartitionState state;
  state.max_event_ms = 1000;
  state.flows.period = 660;
  state.flows.first_period = 650;
  state.flows.periods_closed = 10;
  state.flows.sizes = {{"Champions", 3}, {"Lost", 1}};
  state.flows.open = {{{"Champions", "Champions"}, 3}, {{"", ""}, -1}, {{"", "Lost"}, 1}};
  state.flows.open_spend = {{"Champions", 12.5}};
  state.flows.transitions = {{{"Champions", "Lost"}, 4}, {{"Lost", ""}, 2}};
  state.flows.spend = {{"", 7.0}, {"Lost", 1.25}};
  const std::string bytes = EncodePartitionState(state);
  auto decoded = DecodePartitionState(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->flows, state.flows);
  EXPECT_EQ(EncodePartitionState(*decoded), bytes);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodePartitionState(bytes.substr(0, n)).ok()) << n;

  // Version 3 (before the flows) still decodes, with empty flows.
  std::string flows_bytes;
  ByteWriter w(flows_bytes);
  WriteFlows(w, state.flows);
  const size_t at = bytes.size() - flows_bytes.size() - EncodePopulation(state.population).size();
  ASSERT_EQ(bytes.substr(at, flows_bytes.size()), flows_bytes);
  std::string v3 = bytes.substr(0, at) + bytes.substr(at + flows_bytes.size());
  v3[0] = 3;
  auto old = DecodePartitionState(v3);
  ASSERT_TRUE(old.ok()) << old.status().message();
  EXPECT_EQ(old->flows, operators::SegmentFlows{});
  EXPECT_EQ(old->max_event_ms, 1000);

  auto corrupt = [&](const operators::SegmentFlows& f) {
    PartitionState s;
    s.flows = f;
    return DecodePartitionState(EncodePartitionState(s)).status().code();
  };
  operators::SegmentFlows bad;
  bad.sizes = {{"X", -2}};
  EXPECT_EQ(corrupt(bad), StatusCode::kCorruption) << "a negative size";
  bad = {};
  bad.spend = {{"X", std::numeric_limits<double>::infinity()}};
  EXPECT_EQ(corrupt(bad), StatusCode::kCorruption) << "money that is not finite";
  // A name index past the table (one name: indices 0 and 1 only).
  std::string crafted;
  ByteWriter w2(crafted);
  w2.Signed(1);
  w2.Signed(1);
  w2.Varint(0);
  w2.Varint(1);
  w2.Varint(1);
  w2.Bytes("X");
  w2.Varint(1);  // one size
  w2.Varint(2);  // naming index 2
  w2.Signed(1);
  for (int i = 0; i < 4; ++i) w2.Varint(0);
  operators::SegmentFlows read;
  ByteReader r(crafted);
  EXPECT_FALSE(ReadFlows(r, crafted.size(), read));
  crafted[crafted.size() - 6] = 1;  // index 1 names "X": sound
  ByteReader r2(crafted);
  EXPECT_TRUE(ReadFlows(r2, crafted.size(), read));
  EXPECT_EQ(read.sizes.at("X"), 1);
}

// GET /segments over two partitions' stored data, with and without the token.
TEST_F(SegmentFlowsProcessorTest, EndpointSumsPartitionsAndNeedsTheToken) {
  PartitionState p0, p1;
  p0.flows.period = p1.flows.period = 650;
  p0.flows.first_period = 640;
  p1.flows.first_period = 645;
  p0.flows.periods_closed = 10;
  p1.flows.periods_closed = 5;
  p0.flows.sizes = {{"Champions", 2}, {"Lost", 1}};
  p1.flows.sizes = {{"Champions", 1}};
  p0.flows.transitions = {{{"Champions", "Champions"}, 6}, {{"Champions", "Lost"}, 2}, {{"Lost", "Lost"}, 4}};
  p1.flows.transitions = {{{"Champions", "Champions"}, 2}, {{"", "Champions"}, 1}};
  p0.flows.spend = {{"Champions", 500}};
  CommitBatch batch;
  batch.partition_data[0] = EncodePartitionState(p0);
  batch.partition_data[1] = EncodePartitionState(p1);
  ASSERT_TRUE(store_->Commit(batch).ok());

  HttpServerOptions options;
  options.auth_token = "t0ken";
  SystemClock clock;
  ServiceHealth health(clock);
  auto server = HttpServer::Start(options, metrics_, health, nullptr,
                                  [this] { return SegmentsReportJson(*store_, config_, {0, 1}); });
  ASSERT_TRUE(server.ok()) << server.status().message();
  const int port = (*server)->port();
  auto denied = testing::Get(port, "/segments");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(denied->body.find("Champions"), std::string::npos);
  auto reply = testing::Get(port, "/segments", "Authorization: Bearer t0ken\r\n");
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200) << reply->body;
  EXPECT_EQ(reply->Header("Content-Type"), "application/json");
  const auto j = nlohmann::json::parse(reply->body);
  EXPECT_EQ(j["period"], "month");
  EXPECT_EQ(j["partitions"], nlohmann::json::array({0, 1}));
  EXPECT_EQ(j["first_period_start"], "2023-05-01T00:00:00.000Z");  // period 640
  EXPECT_EQ(j["open_period_start"], "2024-03-01T00:00:00.000Z");   // period 650
  EXPECT_EQ(j["states"], nlohmann::json::array({"Champions", "Lost"}));  // the configured rules' order
  EXPECT_EQ(j["sizes"], nlohmann::json::array({3, 1}));
  EXPECT_EQ(j["counts"], nlohmann::json::parse("[[8,2],[0,4]]"));
  EXPECT_EQ(j["transition_matrix"], nlohmann::json::parse("[[0.8,0.2],[0.0,1.0]]"));
  EXPECT_EQ(j["joined"], nlohmann::json::array({1, 0}));
  EXPECT_DOUBLE_EQ(j["spend_per_period"][0].get<double>(), 50.0);  // 500 over 10 customer-periods
  EXPECT_NEAR(j["steady_state"][1].get<double>(), 1.0, 1e-9);  // Lost is absorbing here
  EXPECT_TRUE(j["steady_state_converged"].get<bool>());
  for (const char* key : {"observed", "left", "reward", "value", "discount_rate", "margin", "periods_closed"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_GT(j["value"][0].get<double>(), j["value"][1].get<double>());

  // Data that does not decode: a generic 500, the details only in the log.
  batch = {};
  batch.partition_data[1] = "\x04garbage";
  ASSERT_TRUE(store_->Commit(batch).ok());
  auto failed = testing::Get(port, "/segments", "Authorization: Bearer t0ken\r\n");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(failed->body, "internal error\n");
}

}  // namespace
}  // namespace crm::pipeline

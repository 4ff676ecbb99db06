// GET /segments end to end on the embedded broker: after a run, the served
// matrix is row-stochastic and its counts are what the segment changes
// published on Kafka imply; a restart, and a takeover by an instance with an
// empty state directory (restored from the changelog), serve the same.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <signal.h>

#include "operators/markov_period.h"
#include "pipeline/wire/event_decoder.h"
#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

int64_t Month(int64_t ms) { return operators::PeriodIndex(operators::PeriodUnit::kMonth, {ms}); }

// Serves the state under `config` and returns the body of GET /segments.
nlohmann::json ServeSegments(const std::string& config) {
  const int port = FreePort();
  ChildProcess service({CrmstreamBinary(), "run", "--config", config},
                       {{"CRMSTREAM_HTTP_PORT", std::to_string(port)}}, false);
  EXPECT_TRUE(WaitUntilReady(port, std::chrono::seconds(60)));
  const std::optional<std::string> reply = HttpGet(port, "/segments");
  service.Signal(SIGTERM);
  EXPECT_EQ(service.Wait(std::chrono::seconds(30)), 0);
  if (!reply) return nullptr;
  EXPECT_EQ(reply->rfind("HTTP/1.1 200", 0), 0u) << *reply;
  return nlohmann::json::parse(reply->substr(reply->find("\r\n\r\n") + 4), nullptr, false);
}

TEST(SegmentsEndToEnd, ServedMatrixIsWhatThePublishedChangesImplyAndSurvivesRestartAndTakeover) {
  BrokerProcess broker(1);
  // Purchases only, in event-time order, on one partition: the partition's
  // clock is then the time of the event being processed.
  std::vector<InputMessage> log;
  for (InputMessage& m : GeneratedLog(6000, 150, 5)) {
    if (m.topic == "crm.purchases") log.push_back(std::move(m));
  }
  std::stable_sort(log.begin(), log.end(),
                   [](const InputMessage& a, const InputMessage& b) { return a.timestamp_ms < b.timestamp_ms; });
  ProduceAll(broker.bootstrap(), log);
  // No lateness: an overdue check fires when the clock passes it, so every
  // change's time lies in the period it is counted in. No idle advance
  // while the test reads.
  const std::string time = "\n[time]\nallowed_lateness_ms = 0\nidle_timeout_ms = 3600000\n";
  TempDir dir;
  const std::string config = WriteServiceConfig(dir.path(), broker.bootstrap(), dir.path() + "/state", time);
  ASSERT_EQ(RunServiceToEnd(config), 0);

  // What the published changes imply (segment_flows.h's definition).
  std::vector<std::tuple<std::string, std::string, std::string, int64_t>> changes;
  for (const ConsumedRecord& r : ReadTopic(broker.bootstrap(), "crm.segment-changes")) {
    const auto e = nlohmann::json::parse(r.value);
    if (e.value("type", "") != "com.crmstream.segment-change.v1") continue;  // ladder changes share the topic
    int64_t ms = 0;
    ASSERT_TRUE(pipeline::ParseRfc3339(e["time"].get<std::string>(), ms));
    const auto& from = e["data"]["from"];
    changes.emplace_back(r.key, from.is_null() ? "" : from.get<std::string>(), e["data"]["to"], ms);
  }
  ASSERT_FALSE(changes.empty());
  int64_t last_ms = 0;
  for (const InputMessage& m : log) last_ms = std::max(last_ms, m.timestamp_ms);
  std::map<std::string, std::string> segment;
  std::map<std::pair<std::string, std::string>, int64_t> implied;
  size_t next = 0;
  const int64_t first = Month(std::get<3>(changes.front()));
  for (int64_t k = first; k < Month(last_ms); ++k) {
    const std::map<std::string, std::string> at_start = segment;
    for (; next < changes.size() && Month(std::get<3>(changes[next])) <= k; ++next) {
      segment[std::get<0>(changes[next])] = std::get<2>(changes[next]);
    }
    for (const auto& [id, now] : segment) {
      auto was = at_start.find(id);
      if (was != at_start.end()) ++implied[{was->second, now}];
    }
  }

  const nlohmann::json served = ServeSegments(config);
  ASSERT_TRUE(served.is_object()) << served;
  EXPECT_EQ(served["periods_closed"].get<int64_t>(), Month(last_ms) - first);
  EXPECT_GE(served["periods_closed"].get<int64_t>(), 2);
  const auto& states = served["states"];
  std::map<std::pair<std::string, std::string>, int64_t> counted;
  int64_t moved = 0;
  for (size_t i = 0; i < states.size(); ++i) {
    double row = 0;
    for (size_t j = 0; j < states.size(); ++j) {
      const int64_t n = served["counts"][i][j];
      if (n != 0) counted[{states[i], states[j]}] = n;
      if (i != j) moved += n;
      row += served["transition_matrix"][i][j].get<double>();
    }
    EXPECT_NEAR(row, 1.0, 1e-9) << states[i];
  }
  EXPECT_EQ(counted, implied);
  EXPECT_GT(moved, 0);
  // Sizes are now, the open period's changes included.
  for (; next < changes.size(); ++next) segment[std::get<0>(changes[next])] = std::get<2>(changes[next]);
  std::map<std::string, int64_t> sizes;
  for (const auto& [id, s] : segment) ++sizes[s];
  for (size_t i = 0; i < states.size(); ++i) EXPECT_EQ(served["sizes"][i], sizes[states[i]]) << states[i];

  // A restart on the same state, and a takeover by an instance that restores
  // everything from the changelog, serve the same body.
  EXPECT_EQ(ServeSegments(config), served);
  TempDir other;
  const std::string takeover = WriteServiceConfig(other.path(), broker.bootstrap(), other.path() + "/state", time);
  EXPECT_EQ(ServeSegments(takeover), served);
}

}  // namespace
}  // namespace crm::testing

// The consumers' side of the output contract (issue 11): the systems that
// read crmstream are mostly Java, Node and Python. A real service run on the
// embedded broker publishes alerts, segment changes and dead letters; then,
// with the service running again, kafkajs (with the CloudEvents SDK's Kafka
// binding and ajv) and kafka-python (Debian's python3-kafka, with
// python3-jsonschema) read all three topics. Every record each of them reads
// must equal, byte for byte, what librdkafka reads, and keep the JSON Schemas
// in docs/contracts; kafkajs also fetches /customers/{id} and checks it
// against its schema. Both CloudEvents modes are covered.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

constexpr int64_t kStart = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
const std::string kClients = std::string(CRM_SOURCE_DIR) + "/tests/clients";
const std::map<std::string, std::string> kTopics = {
    {"alerts", "crm.churn-alerts"}, {"segments", "crm.segment-changes"}, {"deadletter", "crm.deadletter"},
    {"rewards", "crm.rewards"}};

// "topic/partition/offset" -> the record as the clients print it.
using Records = std::map<std::string, nlohmann::json>;

Records AsLibrdkafkaReadsThem(const std::string& bootstrap) {
  Records out;
  for (const auto& [role, topic] : kTopics) {
    for (const ConsumedRecord& r : ReadTopic(bootstrap, topic)) {
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& [name, value] : r.headers) headers[name] = Base64(value);
      out[topic + "/" + std::to_string(r.partition) + "/" + std::to_string(r.offset)] = {
          {"key", r.null_key ? nlohmann::json(nullptr) : nlohmann::json(Base64(r.key))},
          {"value", r.null_value ? nlohmann::json(nullptr) : nlohmann::json(Base64(r.value))},
          {"headers", headers}};
    }
  }
  return out;
}

size_t Count(const Records& records, const std::string& topic) {
  size_t n = 0;
  for (const auto& [id, record] : records) n += id.rfind(topic + "/", 0) == 0;
  return n;
}

// Runs a client to its end; its records by "topic/partition/offset", with
// what it printed besides records (its complaints) in `transcript`.
Records RunClient(const std::vector<std::string>& argv, std::string& transcript, int& exit_code,
                  std::set<std::string>& profiles, int64_t& markers_skipped) {
  ChildProcess client(argv, {}, true);
  const std::string output = client.ReadAll();
  exit_code = client.Wait(std::chrono::seconds(120)).value_or(-1);
  Records out;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '{') {
      if (transcript.size() < 20000) transcript += line + "\n";
      continue;
    }
    const nlohmann::json j = nlohmann::json::parse(line);
    if (j.contains("profile")) profiles.insert(j["customer_id"].get<std::string>());
    if (j.contains("markers_skipped")) markers_skipped = j["markers_skipped"].get<int64_t>();
    if (!j.contains("topic")) continue;
    out[j["topic"].get<std::string>() + "/" + std::to_string(j["partition"].get<int>()) + "/" +
        std::to_string(j["offset"].get<int64_t>())] = {{"key", j["key"]}, {"value", j["value"]}, {"headers", j["headers"]}};
  }
  return out;
}

std::vector<std::string> TopicArgs(const Records& expected) {
  std::vector<std::string> args;
  for (const auto& [role, topic] : kTopics) {
    args.insert(args.end(), {"--topic", role + "=" + topic + ":" + std::to_string(Count(expected, topic))});
  }
  return args;
}

class RealClients : public ::testing::TestWithParam<std::string> {};

TEST_P(RealClients, ReadEveryOutputByteForByteAndEachKeepsItsSchema) {
  const std::string mode = GetParam();
  ASSERT_TRUE(std::filesystem::exists(kClients + "/node_modules/kafkajs"))
      << "tests/clients/node_modules is missing: run `npm ci` in tests/clients (deploy/setup.sh test does)";
  BrokerProcess broker(3);
  std::vector<InputMessage> log = GeneratedLog(4000, 200, 11);
  // Dead letters of several kinds, a key with bytes that are not UTF-8 among them.
  log.push_back({"crm.purchases", "bad-json", "{\"event_id\":", kStart});
  log.push_back({"crm.purchases", "other", PurchaseMessage("mismatch", kStart, 10, 1).value, kStart});
  log.push_back({"crm.complaints", std::string("\xff\xfe", 2), "not json at all", kStart});
  log.push_back({"crm.service", "", "", kStart, true, true});
  ProduceAll(broker.bootstrap(), log);

  TempDir dir;
  const std::string config = WriteServiceConfig(dir.path(), broker.bootstrap(), dir.path() + "/state",
                                                "\n[output]\ncloudevents_mode = \"" + mode + "\"\n");
  ASSERT_EQ(RunServiceToEnd(config), 0);
  const Records expected = AsLibrdkafkaReadsThem(broker.bootstrap());
  for (const auto& [role, topic] : kTopics) ASSERT_GT(Count(expected, topic), 0u) << topic << " is empty";

  // The service runs again (nothing new to do) and serves /customers.
  const int port = FreePort();
  ChildProcess service({CrmstreamBinary(), "run", "--config", config},
                       {{"CRMSTREAM_HTTP_PORT", std::to_string(port)}}, false);
  ASSERT_TRUE(WaitUntilReady(port, std::chrono::seconds(60)));

  std::vector<std::string> node = {"/usr/bin/node", kClients + "/read_outputs.js", "--bootstrap", broker.bootstrap(),
                                   "--mode", mode, "--http-port", std::to_string(port)};
  std::set<std::string> customers;  // three who bought something, and one alerted
  for (const ConsumedRecord& r : ReadTopic(broker.bootstrap(), "crm.segment-changes")) {
    // Ladder changes name prospects too (no purchase): take segment changes,
    // whose data (in either CloudEvents mode) has the RFM scores.
    if (customers.size() < 3 && r.value.find("\"rfm\"") != std::string::npos) {
      customers.insert(r.key);
    }
  }
  // And the customer of the latest churn alert: the one most likely to
  // have it still open, so the profile's open_alert meets the schema too.
  const std::vector<ConsumedRecord> alerts = ReadTopic(broker.bootstrap(), "crm.churn-alerts");
  if (!alerts.empty()) customers.insert(alerts.back().key);
  for (const std::string& c : customers) node.insert(node.end(), {"--customer", c});
  std::vector<std::string> python = {"/usr/bin/python3", kClients + "/read_outputs.py", "--bootstrap",
                                     broker.bootstrap(), "--mode", mode};
  for (const std::string& arg : TopicArgs(expected)) {
    node.push_back(arg);
    python.push_back(arg);
  }
  for (const auto& [name, argv] : {std::pair{"kafkajs", node}, std::pair{"kafka-python", python}}) {
    std::string transcript;
    int exit_code = -1;
    std::set<std::string> profiles;
    int64_t markers_skipped = -1;
    const Records read = RunClient(argv, transcript, exit_code, profiles, markers_skipped);
    EXPECT_EQ(exit_code, 0) << name << ":\n" << transcript;
    EXPECT_EQ(read.size(), expected.size()) << name;
    for (const auto& [id, record] : expected) {
      auto it = read.find(id);
      if (it == read.end()) {
        ADD_FAILURE() << name << " did not read " << id;
        break;
      } else {
        EXPECT_EQ(it->second, record) << name << " read " << id << " differently";
      }
    }
    if (std::string(name) == "kafkajs") {
      EXPECT_EQ(profiles, customers) << transcript;
    } else {
      // kafka-python 2.0.2 returns a real cluster's transaction markers as
      // records, and the reader skips records without headers as markers.
      // The embedded broker writes no markers, so here nothing may be
      // skipped: every output carries headers.
      EXPECT_EQ(markers_skipped, 0);
    }
  }
  service.Signal(SIGTERM);
  EXPECT_EQ(service.Wait(std::chrono::seconds(60)), 0);
}

INSTANTIATE_TEST_SUITE_P(CloudEventsModes, RealClients, ::testing::Values("structured", "binary"));

}  // namespace
}  // namespace crm::testing

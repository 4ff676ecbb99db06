// Environment overrides applied on top of the file (CRMSTREAM_<TABLE>_<KEY>,
// CRMSTREAM_KAFKA_<PROPERTY>), and the variables that are not ours.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "config/config.h"
#include "tests/config/config_test_support.h"

namespace crm::config {
namespace {

// ------------------------------------------------------- env overrides

struct OverrideCase {
  const char* name;
  std::string toml;
  Environment env;
  std::function<void(const Config&)> check;
};

class ConfigOverrides : public ::testing::TestWithParam<OverrideCase> {};

TEST_P(ConfigOverrides, AreApplied) {
  auto c = Parse(GetParam().toml, GetParam().env);
  ASSERT_TRUE(c.ok()) << c.status().message();
  GetParam().check(*c);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigOverrides,
    ::testing::Values(
        OverrideCase{"IntegerOverFile", "[runtime]\ncommit_interval_ms = 250\n",
                     {{"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "500"}},
                     [](const Config& c) { EXPECT_EQ(c.runtime.commit_interval_ms, 500); }},
        OverrideCase{"String", "", {{"CRMSTREAM_STATE_DIR", "/tmp/x"}},
                     [](const Config& c) { EXPECT_EQ(c.state.dir, "/tmp/x"); }},
        OverrideCase{"StringIsVerbatim", "", {{"CRMSTREAM_RUNTIME_INSTANCE_ID", "42"}},
                     [](const Config& c) { EXPECT_EQ(c.runtime.instance_id, "42"); }},
        OverrideCase{"Topic", "", {{"CRMSTREAM_TOPICS_CHURN_ALERTS", "x"}},
                     [](const Config& c) { EXPECT_EQ(c.topics.churn_alerts, "x"); }},
        OverrideCase{"Bool", "", {{"CRMSTREAM_RUNTIME_TRANSACTIONS", "false"}},
                     [](const Config& c) { EXPECT_FALSE(c.runtime.transactions); }},
        OverrideCase{"ModelNumber", "", {{"CRMSTREAM_MODEL_ALERT_ALERT_THRESHOLD", "0.8"}},
                     [](const Config& c) { EXPECT_DOUBLE_EQ(c.model.alert.alert_threshold, 0.8); }},
        OverrideCase{"Days", "", {{"CRMSTREAM_MODEL_SATISFACTION_HALF_LIFE_DAYS", "0.5"}},
                     [](const Config& c) { EXPECT_EQ(c.model.satisfaction.half_life, operators::Hours(12)); }},
        OverrideCase{"Array", "", {{"CRMSTREAM_MODEL_RFM_FREQUENCY", "[1, 2, 4, 16]"}},
                     [](const Config& c) { EXPECT_EQ(c.model.rfm.frequency, (std::vector<double>{1, 2, 4, 16})); }},
        OverrideCase{"Segments", "",
                     {{"CRMSTREAM_MODEL_SEGMENTS",
                       R"([{name = "Best", r = 5, f = "4-5", m = "1-5"}, {name = "Rest", r = "1-5", f = "1-5", m = "1-5"}])"}},
                     [](const Config& c) {
                       ASSERT_EQ(c.model.segments.size(), 2u);
                       EXPECT_EQ(c.model.segments[0], (operators::SegmentRule{"Best", {5, 5}, {4, 5}, {1, 5}}));
                     }},
        OverrideCase{"ThresholdsTogether", "",
                     {{"CRMSTREAM_MODEL_ALERT_ALERT_THRESHOLD", "0.4"}, {"CRMSTREAM_MODEL_ALERT_REARM_THRESHOLD", "0.3"}},
                     [](const Config& c) { EXPECT_DOUBLE_EQ(c.model.alert.rearm_threshold, 0.3); }},
        OverrideCase{"KafkaPassThrough", "[kafka]\n\"bootstrap.servers\" = \"file:9092\"\n",
                     {{"CRMSTREAM_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092"},
                      {"CRMSTREAM_KAFKA_FOO_BAR", "v"},
                      {"CRMSTREAM_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"}},
                     [](const Config& c) {
                       EXPECT_EQ(c.kafka.at("bootstrap.servers"), "k1:9092,k2:9092");
                       EXPECT_EQ(c.kafka.at("foo.bar"), "v");
                       EXPECT_EQ(c.kafka.at("security.protocol"), "SASL_SSL");
                       EXPECT_EQ(c.kafka.size(), 3u);
                     }},
        OverrideCase{"OtherVariablesIgnored", "",
                     {{"CRMSTREAM_CONFIG", "/etc/crmstream.toml"}, {"HOME", "/root"}, {"crmstream_runtime_x", "1"}},
                     [](const Config& c) { ExpectSameConfig(c, Config{}); }},
        // What Kubernetes sets in every pod of a namespace with a Service
        // named "crmstream".
        OverrideCase{"KubernetesServiceLinksIgnored", "",
                     {{"CRMSTREAM_PORT", "tcp://10.0.0.7:9464"},
                      {"CRMSTREAM_PORT_9464_TCP", "tcp://10.0.0.7:9464"},
                      {"CRMSTREAM_PORT_9464_TCP_ADDR", "10.0.0.7"},
                      {"CRMSTREAM_SERVICE_HOST", "10.0.0.7"},
                      {"CRMSTREAM_SERVICE_PORT", "9464"},
                      {"CRMSTREAM_SERVICE_PORT_HTTP", "9464"}},
                     [](const Config& c) { ExpectSameConfig(c, Config{}); }}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace crm::config

// The config file and its environment overrides: defaults, the documented
// default file, and a clear error naming the key for every kind of mistake.
#include "config/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace crm::config {
namespace {

Result<Config> Parse(const std::string& text, const Environment& env = {}) {
  return ParseConfig(text, "test.toml", env);
}

TEST(Config, EmptyFileGivesTheDefaults) {
  auto c = Parse("");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->topics.purchases, "crm.purchases");
  EXPECT_EQ(c->runtime.commit_interval_ms, 1000);
  EXPECT_EQ(c->kafka.at("bootstrap.servers"), "127.0.0.1:9092");
  EXPECT_EQ(c->model.segments, operators::DefaultSegmentRules());
}

TEST(Config, DocumentedDefaultFileEqualsTheBuiltInDefaults) {
  std::ifstream in(std::string(CRM_SOURCE_DIR) + "/config/crmstream.toml");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  auto c = ParseConfig(text.str(), "crmstream.toml", {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  Config d;
  EXPECT_EQ(c->kafka, d.kafka);
  EXPECT_EQ(c->topics.churn_alerts, d.topics.churn_alerts);
  EXPECT_EQ(c->topics.deadletter, d.topics.deadletter);
  EXPECT_EQ(c->runtime.instance_id, d.runtime.instance_id);
  EXPECT_EQ(c->runtime.max_uncommitted_events, d.runtime.max_uncommitted_events);
  EXPECT_EQ(c->runtime.max_event_bytes, d.runtime.max_event_bytes);
  EXPECT_EQ(c->runtime.shutdown_deadline_ms, d.runtime.shutdown_deadline_ms);
  EXPECT_EQ(c->runtime.max_task_idle_ms, d.runtime.max_task_idle_ms);
  EXPECT_EQ(c->runtime.transactions, d.runtime.transactions);
  EXPECT_EQ(c->state.dir, d.state.dir);
  EXPECT_EQ(c->state.memory_budget_bytes, d.state.memory_budget_bytes);
  EXPECT_EQ(c->state.cache_customers, d.state.cache_customers);
  EXPECT_EQ(c->http.port, d.http.port);
  EXPECT_EQ(c->model.rfm.recency_days, d.model.rfm.recency_days);
  EXPECT_EQ(c->model.rfm.frequency, d.model.rfm.frequency);
  EXPECT_EQ(c->model.rfm.monetary, d.model.rfm.monetary);
  EXPECT_EQ(c->model.segments, d.model.segments);
  EXPECT_EQ(c->model.satisfaction.prior, d.model.satisfaction.prior);
  EXPECT_EQ(c->model.satisfaction.half_life, d.model.satisfaction.half_life);
  EXPECT_EQ(c->model.satisfaction.complaint_penalty, d.model.satisfaction.complaint_penalty);
  EXPECT_EQ(c->model.satisfaction.max_open_complaints, d.model.satisfaction.max_open_complaints);
  EXPECT_EQ(c->model.loyalty.satisfied_at, d.model.loyalty.satisfied_at);
  EXPECT_EQ(c->model.churn.default_gap, d.model.churn.default_gap);
  EXPECT_EQ(c->model.churn.weight_complaints, d.model.churn.weight_complaints);
  EXPECT_EQ(c->model.churn.gap_prior_weight, d.model.churn.gap_prior_weight);
  EXPECT_EQ(c->model.alert.alert_threshold, d.model.alert.alert_threshold);
  EXPECT_EQ(c->model.alert.cooldown, d.model.alert.cooldown);
  EXPECT_EQ(c->model.alert.min_value, d.model.alert.min_value);
  EXPECT_EQ(c->model.alert.high_value_at_risk, d.model.alert.high_value_at_risk);
}

TEST(Config, ValuesAreRead) {
  auto c = Parse(R"(
[kafka]
"bootstrap.servers" = "broker:9093"
"socket.timeout.ms" = 30000
"enable.ssl.certificate.verification" = false
[runtime]
commit_interval_ms = 250
[model.alert]
cooldown_days = 1.5
[[model.segments]]
name = "Top"
r = 5
f = "4-5"
m = "1-5"
[[model.segments]]
name = "Everyone"
r = "1-5"
f = "1-5"
m = "1-5"
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->kafka.at("bootstrap.servers"), "broker:9093");
  EXPECT_EQ(c->kafka.at("socket.timeout.ms"), "30000");
  EXPECT_EQ(c->kafka.at("enable.ssl.certificate.verification"), "false");
  EXPECT_EQ(c->runtime.commit_interval_ms, 250);
  EXPECT_EQ(c->model.alert.cooldown, operators::Hours(36));
  ASSERT_EQ(c->model.segments.size(), 2u);
  EXPECT_EQ(c->model.segments[0], (operators::SegmentRule{"Top", {5, 5}, {4, 5}, {1, 5}}));
}

struct ErrorCase {
  const char* name;
  std::string toml;
  Environment env;
  std::vector<std::string> expected;  // substrings of the message
};

class ConfigErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrors, StopWithAMessageNamingTheKey) {
  auto c = Parse(GetParam().toml, GetParam().env);
  ASSERT_FALSE(c.ok()) << "should have been rejected";
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  for (const auto& s : GetParam().expected) {
    EXPECT_NE(c.status().message().find(s), std::string::npos)
        << "message: " << c.status().message() << "\nmissing: " << s;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigErrors,
    ::testing::Values(
        ErrorCase{"UnknownKey", "[runtime]\ncomit_interval_ms = 5\n", {}, {"unknown key 'runtime.comit_interval_ms'", "test.toml"}},
        ErrorCase{"UnknownTable", "[runtim]\nx = 1\n", {}, {"unknown key 'runtim'"}},
        ErrorCase{"WrongType", "[runtime]\ncommit_interval_ms = \"fast\"\n", {}, {"'runtime.commit_interval_ms' must be an integer, got string"}},
        ErrorCase{"OutOfRange", "[runtime]\ncommit_interval_ms = 1\n", {}, {"'runtime.commit_interval_ms'", "from 10 to 600000, got 1"}},
        ErrorCase{"NotABool", "[runtime]\ntransactions = \"yes\"\n", {}, {"'runtime.transactions' must be true or false, got string"}},
        ErrorCase{"EmptyString", "[state]\ndir = \"\"\n", {}, {"'state.dir' must not be empty"}},
        ErrorCase{"NotAscending", "[model.rfm]\nfrequency = [1, 5, 3, 9]\n", {}, {"'model.rfm.frequency' must be strictly ascending"}},
        ErrorCase{"WrongLength", "[model.rfm]\nmonetary = [1, 2]\n", {}, {"'model.rfm.monetary' must have exactly 4 numbers, got 2"}},
        ErrorCase{"ThresholdOrder", "[model.alert]\nrearm_threshold = 0.8\n", {}, {"model.alert.rearm_threshold", "below model.alert.alert_threshold (0.7), got 0.8"}},
        ErrorCase{"Probability", "[model.alert]\nalert_threshold = 1.5\n", {}, {"'model.alert.alert_threshold' must be from 0 to 1, got 1.5"}},
        ErrorCase{"SegmentGap", "[[model.segments]]\nname = \"Only\"\nr = 5\nf = \"1-5\"\nm = \"1-5\"\n", {}, {"'model.segments'", "no rule matches r=1 f=1 m=1"}},
        ErrorCase{"SegmentBadRange", "[[model.segments]]\nname = \"X\"\nr = \"0-5\"\nf = \"1-5\"\nm = \"1-5\"\n", {}, {"'model.segments'", "r range 0-5"}},
        ErrorCase{"SegmentUnknownKey", "[[model.segments]]\nname = \"X\"\nq = 1\n", {}, {"'model.segments'", "unknown key 'q'"}},
        ErrorCase{"SyntaxError", "[runtime\n", {}, {"test.toml:1"}},
        ErrorCase{"BadEnvValue", "", {{"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "soon"}}, {"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "'runtime.commit_interval_ms' must be an integer"}},
        ErrorCase{"UnknownEnv", "", {{"CRMSTREAM_RUNTIME_COMIT", "1"}}, {"unknown environment variable CRMSTREAM_RUNTIME_COMIT"}},
        ErrorCase{"EnvRange", "", {{"CRMSTREAM_HTTP_PORT", "70000"}}, {"CRMSTREAM_HTTP_PORT", "'http.port' must be from 0 to 65535"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigEnvironment, OverridesTheFile) {
  auto c = Parse("[runtime]\ncommit_interval_ms = 250\n",
                 {{"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "500"},
                  {"CRMSTREAM_STATE_DIR", "/data/crm"},
                  {"CRMSTREAM_TOPICS_CHURN_ALERTS", "alerts.v2"},
                  {"CRMSTREAM_MODEL_ALERT_ALERT_THRESHOLD", "0.8"},
                  {"CRMSTREAM_MODEL_RFM_FREQUENCY", "[1, 2, 4, 16]"},
                  {"CRMSTREAM_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092"},
                  {"CRMSTREAM_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"},
                  {"CRMSTREAM_CONFIG", "/etc/crmstream.toml"},
                  {"HOME", "/root"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->runtime.commit_interval_ms, 500);
  EXPECT_EQ(c->state.dir, "/data/crm");
  EXPECT_EQ(c->topics.churn_alerts, "alerts.v2");
  EXPECT_DOUBLE_EQ(c->model.alert.alert_threshold, 0.8);
  EXPECT_EQ(c->model.rfm.frequency, (std::vector<double>{1, 2, 4, 16}));
  EXPECT_EQ(c->kafka.at("bootstrap.servers"), "k1:9092,k2:9092");
  EXPECT_EQ(c->kafka.at("security.protocol"), "SASL_SSL");
}

TEST(ConfigEnvironment, StringValuesAreTakenVerbatim) {
  auto c = Parse("", {{"CRMSTREAM_RUNTIME_INSTANCE_ID", "42"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->runtime.instance_id, "42");
}

TEST(LoadConfig, MissingFileIsAClearError) {
  auto c = LoadConfig("/nonexistent/crmstream.toml", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/nonexistent/crmstream.toml"), std::string::npos);
}

}  // namespace
}  // namespace crm::config

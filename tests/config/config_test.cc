// The config file and its environment overrides: defaults, the documented
// default file, and a clear error naming the key for every kind of mistake.
#include "config/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "config/config_keys.h"
#include "tests/config/config_test_support.h"

namespace crm::config {
namespace {



// ---------------------------------------------------------------- defaults

TEST(Config, EmptyFileGivesTheDefaults) {
  auto c = Parse("");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ExpectSameConfig(*c, Config{});
  EXPECT_EQ(c->kafka.at("bootstrap.servers"), "127.0.0.1:9092");
  EXPECT_EQ(c->model.segments, operators::DefaultSegmentRules());
}

TEST(Config, NoPathGivesTheDefaults) {
  auto c = LoadConfig("", {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  ExpectSameConfig(*c, Config{});
}

TEST(Config, DocumentedDefaultFileEqualsTheBuiltInDefaults) {
  auto c = LoadConfig(kDefaultFile, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  ExpectSameConfig(*c, Config{});
}

TEST(Config, DocumentedDefaultFileSetsEveryKey) {
  auto set = KeysSetBy(ReadFile(kDefaultFile), "crmstream.toml");
  ASSERT_TRUE(set.ok()) << set.status().message();
  std::vector<std::string> expected = ConfigKeys();
  std::sort(expected.begin(), expected.end());
  std::sort(set->begin(), set->end());
  EXPECT_EQ(*set, expected);
}

TEST(Config, ReadmeDocumentsEveryKeyAndItsVariable) {
  const std::string readme = ReadFile(kSourceDir + "/config/README.md");
  ASSERT_FALSE(readme.empty());
  for (const std::string& key : ConfigKeys()) {
    EXPECT_NE(readme.find("| `" + key + "` |"), std::string::npos) << key << " has no row in config/README.md";
  }
}

TEST(Config, EveryKeyHasItsOwnEnvironmentVariable) {
  std::set<std::string> names;
  for (const std::string& key : ConfigKeys()) {
    const std::string name = EnvVarName(key);
    EXPECT_TRUE(names.insert(name).second) << name << " names two keys";
    EXPECT_NE(name.rfind("CRMSTREAM_KAFKA_", 0), 0u) << name << " collides with the kafka pass-through";
    EXPECT_NE(name, "CRMSTREAM_CONFIG");
  }
  EXPECT_EQ(EnvVarName("model.alert.alert_threshold"), "CRMSTREAM_MODEL_ALERT_ALERT_THRESHOLD");
}

// ------------------------------------------------------------ values read

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
  EXPECT_EQ(c->model.segments[1], (operators::SegmentRule{"Everyone", {1, 5}, {1, 5}, {1, 5}}));
}

TEST(Config, UnquotedDottedKafkaPropertiesAreFlattened) {
  auto c = Parse("[kafka]\nbootstrap.servers = \"b:1\"\nsecurity.protocol = \"SSL\"\nlinger.ms = 5\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->kafka, (std::map<std::string, std::string>{
                          {"bootstrap.servers", "b:1"}, {"security.protocol", "SSL"}, {"linger.ms", "5"}}));
}

TEST(Config, MarkovKeysAreRead) {
  auto c = Parse("[markov]\nperiod = \"week\"\ndiscount_rate = 0.002\nmargin = 0.3\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->markov.period, operators::PeriodUnit::kWeek);
  EXPECT_EQ(c->markov.discount_rate, 0.002);
  EXPECT_EQ(c->markov.margin, 0.3);
  EXPECT_EQ(Parse("")->markov.period, operators::PeriodUnit::kMonth);
}

TEST(Config, IntegerWhereANumberIsExpected) {
  auto c = Parse("[model.satisfaction]\nprior = 80\nhalf_life_days = 30\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->model.satisfaction.prior, 80.0);
  EXPECT_EQ(c->model.satisfaction.half_life, operators::Days(30));
}

// ------------------------------------------------------------------ errors

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
  EXPECT_EQ(c.status().message().rfind("config error: ", 0), 0u) << c.status().message();
  for (const auto& s : GetParam().expected) {
    EXPECT_NE(c.status().message().find(s), std::string::npos)
        << "message: " << c.status().message() << "\nmissing: " << s;
  }
}

ErrorCase File(const char* name, std::string toml, std::vector<std::string> expected) {
  return ErrorCase{name, std::move(toml), {}, std::move(expected)};
}

ErrorCase Env(const char* name, Environment env, std::vector<std::string> expected) {
  return ErrorCase{name, "", std::move(env), std::move(expected)};
}

std::string Segment(const std::string& body) { return "[[model.segments]]\n" + body; }
const std::string kCatchAll = Segment("name = \"All\"\nr = \"1-5\"\nf = \"1-5\"\nm = \"1-5\"\n");

INSTANTIATE_TEST_SUITE_P(
    ModelsAndTime, ConfigErrors,
    ::testing::Values(
        File("MarkovPeriod", "[markov]\nperiod = \"quarter\"\n",
             {"'markov.period' must be one of \"month\", \"week\", \"day\", got \"quarter\""}),
        File("MarkovDiscountZero", "[markov]\ndiscount_rate = 0\n", {"'markov.discount_rate' must be above 0"}),
        File("MarkovMargin", "[markov]\nmargin = 1.5\n", {"'markov.margin' must be from 0 to 1, got 1.5"}),
        Env("MarkovPeriodFromEnv", {{"CRMSTREAM_MARKOV_PERIOD", "year"}}, {"markov.period", "year"}),
        File("Compression", "[output]\ncompression = \"brotli\"\n",
             {"'output.compression' must be one of \"gzip\", \"snappy\", \"lz4\", \"zstd\", \"none\", got \"brotli\""}),
        File("CompressionLevelOfGzip", "[output]\ncompression_level = 10\n",
             {"'output.compression_level' must be -1 or 0 to 9 for gzip, got 10 (in test.toml)"}),
        File("CompressionLevelOfZstd", "[output]\ncompression = \"zstd\"\ncompression_level = 0\n",
             {"'output.compression_level' must be -1 or 1 to 22 for zstd, got 0 (in test.toml)"}),
        File("CompressionLevelOfSnappy", "[output]\ncompression = \"snappy\"\ncompression_level = 3\n",
             {"'output.compression_level' must be -1 or 0 for snappy, got 3 (in test.toml)"}),
        File("CompressionLevelRange", "[output]\ncompression_level = -2\n",
             {"'output.compression_level' must be from -1 to 22, got -2"}),
        File("CloudEventsMode", "[output]\ncloudevents_mode = true\n",
             {"'output.cloudevents_mode' must be one of \"structured\", \"binary\", got boolean"}),
        File("Scoring", "[model.rfm]\nscoring = \"deciles\"\n",
             {"'model.rfm.scoring' must be \"quantiles\" or \"breakpoints\", got \"deciles\""}),
        File("RecencyScoringType", "[model.rfm]\nrecency_scoring = 5\n",
             {"'model.rfm.recency_scoring' must be \"rhythm\", \"quantiles\" or \"breakpoints\", got integer"}),
        File("RecencyScoringName", "[model.rfm]\nrecency_scoring = \"weekly\"\n",
             {"'model.rfm.recency_scoring' must be \"rhythm\", \"quantiles\" or \"breakpoints\", got \"weekly\""}),
        File("RecencyGapsNotAscending", "[model.rfm]\nrecency_gaps = [2, 4, 4, 8]\n",
             {"'model.rfm.recency_gaps' must be strictly ascending"}),
        File("RecencyGapsTooSmall", "[model.rfm]\nrecency_gaps = [0, 4, 5, 8]\n",
             {"'model.rfm.recency_gaps' every element must be from 0.1 to 1000000, got 0"}),
        File("QuantileMarginTooLarge", "[model.rfm]\nquantile_margin = 0.5\n",
             {"'model.rfm.quantile_margin' must be from 0 to 0.2, got 0.5"}),
        File("ParamsFileType", "[model]\nparams_file = 3\n", {"'model.params_file' must be a string"}),
        File("Margin", "[model.value]\nmargin = 1.5\n", {"'model.value.margin' must be from 0 to 1, got 1.5"}),
        File("NoCheckGaps", "[model.inactivity]\ncheck_at_gaps = []\n",
             {"'model.inactivity.check_at_gaps' must have 1 to 16 numbers, got 0"}),
        File("CheckGapsOrder", "[model.inactivity]\ncheck_at_gaps = [2, 1]\n",
             {"'model.inactivity.check_at_gaps' must be strictly ascending"}),
        File("Granularity", "[model.inactivity]\ngranularity_ms = 0\n",
             {"'model.inactivity.granularity_ms' must be from 1 to 86400000 (a day), got 0"}),
        File("IdleTimeout", "[time]\nidle_timeout_ms = 5\n", {"'time.idle_timeout_ms' must be from 100"}),
        Env("LatenessEnv", {{"CRMSTREAM_TIME_ALLOWED_LATENESS_MS", "-1"}},
            {"'time.allowed_lateness_ms' must be from 0"})),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    UnknownKeys, ConfigErrors,
    ::testing::Values(
        File("InTable", "[runtime]\ncomit_interval_ms = 5\n",
             {"config error: unknown key 'runtime.comit_interval_ms' (in test.toml)",
              "did you mean 'runtime.commit_interval_ms'?"}),
        File("Table", "[runtim]\nx = 1\n", {"unknown key 'runtim' (in test.toml)"}),
        File("TopLevel", "verbose = true\n", {"unknown key 'verbose'"}),
        File("ModelTable", "[model.rfmm]\nfrequency = [1, 2, 3, 4]\n", {"unknown key 'model.rfmm'"}),
        File("NestedKey", "[model.alert]\ncooldown = 7\n", {"unknown key 'model.alert.cooldown'"}),
        File("InSegment", Segment("name = \"X\"\nr = 1\nf = 1\nm = 1\nq = 1\n"),
             {"'model.segments'", "rule 1: unknown key 'q'"})),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    WrongTypes, ConfigErrors,
    ::testing::Values(
        File("StringForInteger", "[runtime]\ncommit_interval_ms = \"fast\"\n",
             {"config error: 'runtime.commit_interval_ms' must be an integer, got string (in test.toml)"}),
        File("FloatForInteger", "[http]\nport = 80.5\n", {"'http.port' must be an integer, got float"}),
        File("StringForNumber", "[model.satisfaction]\nprior = \"high\"\n",
             {"'model.satisfaction.prior' must be a number, got string"}),
        File("StringForBool", "[runtime]\ntransactions = \"yes\"\n",
             {"'runtime.transactions' must be true or false, got string"}),
        File("NumberForString", "[state]\ndir = 5\n", {"'state.dir' must be a string, got integer"}),
        File("ScalarForTable", "[model]\nrfm = 5\n", {"'model.rfm' must be a table, got integer"}),
        File("ScalarForArray", "[model.rfm]\nfrequency = 5\n",
             {"'model.rfm.frequency' must be an array of 4 numbers, got integer"}),
        File("StringInArray", "[model.rfm]\nfrequency = [1, 2, \"3\", 4]\n",
             {"'model.rfm.frequency' every element must be a number, got string"}),
        File("KafkaArray", "[kafka]\n\"bootstrap.servers\" = [\"a\", \"b\"]\n",
             {"'kafka.bootstrap.servers' must be a string, number or boolean, got array"}),
        File("KafkaNotATable", "kafka = \"b:1\"\n", {"'kafka' must be a table, got string"}),
        File("KafkaTwice", "[kafka]\n\"linger.ms\" = 1\nlinger.ms = 2\n", {"'kafka.linger.ms' is given twice"}),
        File("SegmentsNotArray", "[model]\nsegments = 5\n",
             {"'model.segments' must be an array of tables ([[model.segments]]), got integer"})),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    OutOfRange, ConfigErrors,
    ::testing::Values(
        File("CommitInterval", "[runtime]\ncommit_interval_ms = 1\n",
             {"'runtime.commit_interval_ms' must be from 10 to 600000, got 1"}),
        File("MaxUncommitted", "[runtime]\nmax_uncommitted_events = 0\n", {"'runtime.max_uncommitted_events'"}),
        File("MaxEventBytes", "[runtime]\nmax_event_bytes = 512\n",
             {"'runtime.max_event_bytes' must be from 1024 to 10485760, got 512"}),
        File("ShutdownDeadline", "[runtime]\nshutdown_deadline_ms = 50\n", {"'runtime.shutdown_deadline_ms'"}),
        File("EmptyGroup", "[runtime]\ngroup_id = \"\"\n", {"'runtime.group_id' must not be empty"}),
        File("EmptyDir", "[state]\ndir = \"\"\n", {"'state.dir' must not be empty"}),
        File("MemoryBudget", "[state]\nmemory_budget_bytes = 1048576\n",
             {"'state.memory_budget_bytes' must be from 16777216"}),
        File("CacheCustomers", "[state]\ncache_customers = 999\n", {"'state.cache_customers'", "got 999"}),
        File("CacheShare", "[state]\ncache_share = 0.6\n", {"'state.cache_share' must be from 0.05 to 0.5, got 0.6"}),
        File("CacheShareType", "[state]\ncache_share = \"half\"\n", {"'state.cache_share'"}),
        File("Port", "[http]\nport = 70000\n", {"'http.port' must be from 0 to 65535, got 70000"}),
        File("TopicName", "[topics]\npurchases = \"crm purchases\"\n",
             {"'topics.purchases' must be a Kafka topic name"}),
        File("NotAscending", "[model.rfm]\nfrequency = [1, 5, 3, 9]\n",
             {"'model.rfm.frequency' must be strictly ascending"}),
        File("EqualBreakpoints", "[model.rfm]\nrecency_days = [7, 7, 30, 60]\n",
             {"'model.rfm.recency_days' must be strictly ascending"}),
        File("NegativeBreakpoint", "[model.rfm]\nmonetary = [-1, 2, 3, 4]\n",
             {"'model.rfm.monetary' every element must be from 0"}),
        File("WrongLength", "[model.rfm]\nmonetary = [1, 2]\n", {"'model.rfm.monetary' must have exactly 4 numbers, got 2"}),
        File("Prior", "[model.satisfaction]\nprior = 101\n", {"'model.satisfaction.prior' must be from 0 to 100, got 101"}),
        File("PriorWeight", "[model.satisfaction]\nprior_weight = 0\n", {"'model.satisfaction.prior_weight' must be above 0"}),
        File("HalfLife", "[model.satisfaction]\nhalf_life_days = 0\n",
             {"'model.satisfaction.half_life_days' must be above 0 days, got 0"}),
        File("PenaltyCount", "[model.satisfaction]\ncomplaint_penalty = [1, 2, 3, 4]\n",
             {"'model.satisfaction.complaint_penalty' must have exactly 5 numbers, got 4"}),
        File("PenaltyValue", "[model.satisfaction]\ncomplaint_penalty = [1, 2, 3, 4, 120]\n",
             {"'model.satisfaction.complaint_penalty' every element must be from 0 to 100, got 120"}),
        File("Recovery", "[model.satisfaction]\nresolution_recovery = 1.5\n",
             {"'model.satisfaction.resolution_recovery' must be from 0 to 1, got 1.5"}),
        File("MaxOpenComplaints", "[model.satisfaction]\nmax_open_complaints = 0\n",
             {"'model.satisfaction.max_open_complaints'", "got 0"}),
        File("SatisfiedAt", "[model.loyalty]\nsatisfied_at = -1\n", {"'model.loyalty.satisfied_at'", "got -1"}),
        File("RepeatPurchases", "[model.loyalty]\nrepeat_purchases_at = 0\n", {"'model.loyalty.repeat_purchases_at'"}),
        File("DefaultGap", "[model.churn]\ndefault_gap_days = 0\n", {"'model.churn.default_gap_days' must be above 0 days"}),
        File("OverdueMidpoint", "[model.churn]\noverdue_midpoint = 0\n", {"'model.churn.overdue_midpoint' must be above 0"}),
        File("NegativeWeight", "[model.churn]\nweight_overdue = -1\n", {"'model.churn.weight_overdue'", "got -1"}),
        File("NotFinite", "[model.churn]\nweight_complaints = inf\n", {"'model.churn.weight_complaints' must be a finite number"}),
        File("Probability", "[model.alert]\nalert_threshold = 1.5\n",
             {"'model.alert.alert_threshold' must be from 0 to 1, got 1.5"}),
        File("NegativeCooldown", "[model.alert]\ncooldown_days = -1\n", {"'model.alert.cooldown_days' must be >= 0 days"}),
        File("MinValue", "[model.alert]\nmin_value = -5\n", {"'model.alert.min_value'", "got -5"}),
        File("ThresholdOrder", "[model.alert]\nrearm_threshold = 0.9\n",
             {"config error: 'model.alert.rearm_threshold' must be below model.alert.alert_threshold (0.8), got 0.9 "
              "(in test.toml)"}),
        File("EqualThresholds", "[model.alert]\nalert_threshold = 0.6\nrearm_threshold = 0.6\n",
             {"'model.alert.rearm_threshold' must be below model.alert.alert_threshold (0.6), got 0.6 (in test.toml)"}),
        File("PriorityOrder", "[model.alert]\nmedium_value_at_risk = 600\n",
             {"'model.alert.medium_value_at_risk' must not exceed model.alert.high_value_at_risk (500), got 600"}),
        File("NoBootstrap", "[kafka]\n\"bootstrap.servers\" = \"\"\n", {"'kafka.bootstrap.servers' must be set (in test.toml)"})),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    BadSegments, ConfigErrors,
    ::testing::Values(
        File("Gap", Segment("name = \"Only\"\nr = 5\nf = \"1-5\"\nm = \"1-5\"\n"),
             {"'model.segments' is not a usable rule list", "no rule matches r=1 f=1 m=1"}),
        File("RangeOutside", Segment("name = \"X\"\nr = \"0-5\"\nf = \"1-5\"\nm = \"1-5\"\n"),
             {"'model.segments'", "r range 0-5"}),
        File("RangeReversed", Segment("name = \"X\"\nr = \"5-1\"\nf = \"1-5\"\nm = \"1-5\"\n") + kCatchAll,
             {"'model.segments'", "r range 5-1"}),
        File("ScoreTooHigh", Segment("name = \"X\"\nr = 6\nf = \"1-5\"\nm = \"1-5\"\n") + kCatchAll,
             {"'model.segments'", "r range 6-6"}),
        File("HugeInteger", Segment("name = \"X\"\nr = 4294967301\nf = 1\nm = 1\n") + kCatchAll,
             {"'model.segments' rule 1: 'r' must be a score like 4 or a range like \"3-5\", got 4294967301"}),
        File("TrailingGarbage", Segment("name = \"X\"\nr = \"4-5x\"\nf = 1\nm = 1\n") + kCatchAll,
             {"'model.segments' rule 1: 'r' must be a score like 4 or a range like \"3-5\", got \"4-5x\""}),
        File("NotAScore", Segment("name = \"X\"\nr = \"high\"\nf = 1\nm = 1\n") + kCatchAll,
             {"'model.segments' rule 1: 'r'", "got \"high\""}),
        File("FloatScore", Segment("name = \"X\"\nr = 4.5\nf = 1\nm = 1\n") + kCatchAll,
             {"'model.segments' rule 1: 'r'", "got float"}),
        File("MissingScore", kCatchAll + Segment("name = \"X\"\nr = 1\nf = 1\n"),
             {"'model.segments' rule 2: 'm' is missing"}),
        File("MissingName", Segment("r = 1\nf = 1\nm = 1\n"), {"'model.segments' rule 1: 'name' is missing"}),
        File("EmptyName", Segment("name = \"\"\nr = \"1-5\"\nf = \"1-5\"\nm = \"1-5\"\n"),
             {"'model.segments'", "name is empty"}),
        File("DuplicateName", kCatchAll + kCatchAll, {"'model.segments'", "segment rule 2 ('All')", "name used twice"})),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Syntax, ConfigErrors,
    ::testing::Values(File("UnclosedTable", "[runtime\n", {"config error: test.toml:1:"}),
                      File("SecondLine", "[runtime]\ncommit_interval_ms = = 5\n", {"test.toml:2:"}),
                      File("DuplicateKey", "[http]\nport = 1\nport = 2\n", {"test.toml:3:"})),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Environment, ConfigErrors,
    ::testing::Values(
        Env("NotAnInteger", {{"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "soon"}},
            {"'runtime.commit_interval_ms' must be an integer, got string (in environment variable "
             "CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS)"}),
        Env("OutOfRange", {{"CRMSTREAM_HTTP_PORT", "70000"}},
            {"'http.port' must be from 0 to 65535, got 70000 (in environment variable CRMSTREAM_HTTP_PORT)"}),
        Env("NotABool", {{"CRMSTREAM_RUNTIME_TRANSACTIONS", "yes"}},
            {"'runtime.transactions' must be true or false, got string", "CRMSTREAM_RUNTIME_TRANSACTIONS"}),
        Env("EmptyString", {{"CRMSTREAM_STATE_DIR", ""}}, {"'state.dir' must not be empty", "CRMSTREAM_STATE_DIR"}),
        Env("MoreThanOneValue", {{"CRMSTREAM_HTTP_PORT", "1\nx = 2"}}, {"'http.port' must be an integer, got string"}),
        Env("BadArray", {{"CRMSTREAM_MODEL_RFM_FREQUENCY", "[3, 2, 1, 0]"}},
            {"'model.rfm.frequency' must be strictly ascending", "CRMSTREAM_MODEL_RFM_FREQUENCY"}),
        Env("BadSegments", {{"CRMSTREAM_MODEL_SEGMENTS", "[{name = \"X\", r = 5, f = 5, m = 5}]"}},
            {"'model.segments' is not a usable rule list", "CRMSTREAM_MODEL_SEGMENTS"}),
        Env("CrossField", {{"CRMSTREAM_MODEL_ALERT_ALERT_THRESHOLD", "0.4"}},
            {"'model.alert.rearm_threshold' must be below model.alert.alert_threshold (0.4), got 0.65 "
             "(in environment variable CRMSTREAM_MODEL_ALERT_ALERT_THRESHOLD)"}),
        ErrorCase{"CrossFieldFileAndEnv", "[model.alert]\nrearm_threshold = 0.6\n",
                  {{"CRMSTREAM_MODEL_ALERT_ALERT_THRESHOLD", "0.55"}},
                  {"(in test.toml and environment variable CRMSTREAM_MODEL_ALERT_ALERT_THRESHOLD)"}},
        Env("Unknown", {{"CRMSTREAM_RUNTIME_COMIT_INTERVAL_MS", "1"}},
            {"unknown environment variable CRMSTREAM_RUNTIME_COMIT_INTERVAL_MS",
             "did you mean CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS?"}),
        Env("UnknownTable", {{"CRMSTREAM_VERBOSE", "1"}}, {"unknown environment variable CRMSTREAM_VERBOSE"}),
        Env("TableOnly", {{"CRMSTREAM_RUNTIME", "1"}}, {"unknown environment variable CRMSTREAM_RUNTIME"}),
        Env("EmptyKafkaProperty", {{"CRMSTREAM_KAFKA_", "x"}}, {"CRMSTREAM_KAFKA_ names no kafka property"}),
        Env("EmptyBootstrap", {{"CRMSTREAM_KAFKA_BOOTSTRAP_SERVERS", ""}},
            {"'kafka.bootstrap.servers' must be set (in environment variable CRMSTREAM_KAFKA_BOOTSTRAP_SERVERS)"})),
    [](const auto& info) { return std::string(info.param.name); });

TEST(LoadConfig, AppliesTheEnvironmentToTheFile) {
  auto c = LoadConfig(kDefaultFile, {{"CRMSTREAM_HTTP_PORT", "0"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->http.port, 0);
}

TEST(LoadConfig, ErrorsNameTheFile) {
  const std::string path = ::testing::TempDir() + "/config_test_bad.toml";
  std::ofstream(path) << "[http]\nport = \"x\"\n";
  auto c = LoadConfig(path, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("'http.port' must be an integer, got string (in " + path + ")"),
            std::string::npos)
      << c.status().message();
}

TEST(LoadConfig, MissingFileIsAClearError) {
  auto c = LoadConfig("/nonexistent/crmstream.toml", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/nonexistent/crmstream.toml"), std::string::npos);
}

}  // namespace
}  // namespace crm::config

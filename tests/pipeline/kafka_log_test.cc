// librdkafka's own log lines come out through the service's logger, in its
// format, at the matching level.
#include "pipeline/kafka/kafka_log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "pipeline/cli/log_format.h"
#include "pipeline/kafka/kafka_client.h"

namespace crm::pipeline {
namespace {

TEST(KafkaLog, SyslogLevelsMapToSpdlogLevels) {
  EXPECT_EQ(SpdlogLevelForSyslog(0), spdlog::level::critical);
  EXPECT_EQ(SpdlogLevelForSyslog(2), spdlog::level::critical);
  EXPECT_EQ(SpdlogLevelForSyslog(3), spdlog::level::err);
  EXPECT_EQ(SpdlogLevelForSyslog(4), spdlog::level::warn);
  EXPECT_EQ(SpdlogLevelForSyslog(5), spdlog::level::info);
  EXPECT_EQ(SpdlogLevelForSyslog(6), spdlog::level::info);
  EXPECT_EQ(SpdlogLevelForSyslog(7), spdlog::level::debug);
}

// Registers a "librdkafka" logger that writes to a string for the test's
// duration (the callback looks the logger up by name).
class CapturedKafkaLog {
 public:
  explicit CapturedKafkaLog(LogFormat format) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    sink->set_formatter(std::make_unique<LogLineFormatter>(format));
    spdlog::drop("librdkafka");
    auto logger = std::make_shared<spdlog::logger>("librdkafka", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::register_logger(logger);
  }
  ~CapturedKafkaLog() { spdlog::drop("librdkafka"); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

// librdkafka warns, from the creating thread, about a consumer-only
// property given to a producer ("CONFWARN").
void CreateProducerThatWarns() {
  auto conf = MakeKafkaConf({{"bootstrap.servers", "127.0.0.1:9"}, {"session.timeout.ms", "6000"}});
  ASSERT_TRUE(conf.ok()) << conf.status().message();
  auto producer = MakeKafkaClient(RD_KAFKA_PRODUCER, std::move(conf).value());
  ASSERT_TRUE(producer.ok()) << producer.status().message();
}

TEST(KafkaLog, ALibrdkafkaLineComesOutInTheServicesLogfmtFormat) {
  CapturedKafkaLog log(LogFormat::kLogfmt);
  CreateProducerThatWarns();
  const std::string text = log.text();
  const size_t at = text.find("CONFWARN");
  ASSERT_NE(at, std::string::npos) << text;
  const size_t begin = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  const std::string line = text.substr(begin, text.find('\n', at) - begin);
  EXPECT_EQ(line.rfind("ts=", 0), 0u) << line;
  EXPECT_NE(line.find(" level=warn logger=librdkafka msg=\"rdkafka#producer-"), std::string::npos) << line;
  EXPECT_NE(line.find("session.timeout.ms"), std::string::npos) << line;
  EXPECT_EQ(text.find("%4|"), std::string::npos) << "librdkafka's own format leaked: " << text;
}

TEST(KafkaLog, ALibrdkafkaLineComesOutAsAJsonObject) {
  CapturedKafkaLog log(LogFormat::kJson);
  CreateProducerThatWarns();
  std::istringstream lines(log.text());
  bool found = false;
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json parsed = nlohmann::json::parse(line);  // every line is an object
    EXPECT_EQ(parsed["logger"], "librdkafka");
    if (parsed["msg"].get<std::string>().find("CONFWARN") != std::string::npos) {
      found = true;
      EXPECT_EQ(parsed["level"], "warn");
    }
  }
  EXPECT_TRUE(found) << log.text();
}

}  // namespace
}  // namespace crm::pipeline

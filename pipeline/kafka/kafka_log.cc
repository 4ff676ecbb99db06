#include "pipeline/kafka/kafka_log.h"

#include <spdlog/spdlog.h>

namespace crm::pipeline {

int SpdlogLevelForSyslog(int syslog_level) {
  if (syslog_level <= 2) return spdlog::level::critical;
  switch (syslog_level) {
    case 3: return spdlog::level::err;
    case 4: return spdlog::level::warn;
    case 5:
    case 6: return spdlog::level::info;
    default: return spdlog::level::debug;
  }
}

std::string KafkaLogMessage(const char* client, const char* facility, const char* text) {
  std::string message = client != nullptr ? client : "rdkafka";
  message.push_back(' ');
  message += facility != nullptr ? facility : "LOG";
  message += ": ";
  message += text != nullptr ? text : "";
  return message;
}

void KafkaLogLine(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  std::shared_ptr<spdlog::logger> logger = spdlog::get("librdkafka");
  if (!logger) logger = spdlog::default_logger();
  const char* client = rk != nullptr ? rd_kafka_name(rk) : nullptr;
  logger->log(static_cast<spdlog::level::level_enum>(SpdlogLevelForSyslog(level)), "{}",
              KafkaLogMessage(client, facility, text));
}

}  // namespace crm::pipeline

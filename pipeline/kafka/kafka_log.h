// pipeline/kafka/kafka_log.h
//
// librdkafka's own log lines (connection failures, configuration warnings,
// protocol errors) routed through the service's logger, so they come out in
// the service's format (log_format.h) instead of librdkafka's "%3|..." lines
// on stderr. MakeKafkaConf (kafka_client.h) installs KafkaLogLine on every
// client configuration.
//
// The callback runs on librdkafka's internal threads. It only looks up the
// "librdkafka" spdlog logger (falling back to the default logger) and logs
// to it; spdlog's registry and loggers are thread-safe.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>

namespace crm::pipeline {

// The spdlog level for a syslog level as librdkafka reports it: 0-2
// (emergency, alert, critical) -> critical, 3 error -> error, 4 warning ->
// warn, 5 notice and 6 info -> info, 7 debug -> debug.
int SpdlogLevelForSyslog(int syslog_level);

// The message of a librdkafka line: "<client> <FAC>: <text>", e.g.
// "rdkafka#consumer-1 FAIL: [thrd:...]: Connect to ... failed".
std::string KafkaLogMessage(const char* client, const char* facility, const char* text);

// rd_kafka_conf_set_log_cb's callback.
void KafkaLogLine(const rd_kafka_t* rk, int level, const char* facility, const char* text);

}  // namespace crm::pipeline

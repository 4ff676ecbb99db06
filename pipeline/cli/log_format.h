// pipeline/cli/log_format.h
//
// How crmstream writes log lines: logfmt (the default) or JSON lines, one
// event per line on stderr, UTC timestamps. A log message or field can carry
// hostile input (a customer id, a dead letter's reason, a broker's error
// text), so every value is escaped: a logfmt value with a space, '=', '"',
// a backslash or a control character is quoted, with '"' and '\' escaped and
// newlines, tabs and other control characters written as escapes; JSON
// strings are escaped by nlohmann-json (invalid UTF-8 replaced). A line never
// contains a raw newline, so no input can start a fake log line.
//
// The pure functions (FormatLogLine and the escapers) do the work;
// LogLineFormatter plugs them into spdlog, and ConfigureLogging sets up the
// process's loggers: "crmstream" (the default logger) and "librdkafka"
// (kafka_log.h routes librdkafka's own lines to it), both on one stderr
// sink. Formatting is stateless: any thread.
#pragma once

#include <spdlog/formatter.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "operators/status.h"

namespace crm::pipeline {

enum class LogFormat { kLogfmt, kJson };

// The names the command line accepts (--log-format, --log-level).
inline const std::vector<std::string> kLogFormatNames = {"logfmt", "json"};
inline const std::vector<std::string> kLogLevelNames = {"trace", "debug", "info", "warn", "error", "critical", "off"};

Result<LogFormat> ParseLogFormat(std::string_view name);

// `value` as a logfmt value: unchanged when it is non-empty and holds only
// printable characters other than space, '=', '"' and '\'; otherwise in
// double quotes with '"' -> \", '\' -> \\, newline -> \n, CR -> \r,
// tab -> \t and any other control character (and DEL) -> \u00XX.
std::string LogfmtValue(std::string_view value);

struct LogLine {
  int64_t epoch_ms = 0;
  std::string_view level;   // "info", "warn", ...
  std::string_view logger;  // "crmstream" is left out of the line
  std::string_view msg;
  std::vector<std::pair<std::string_view, std::string_view>> fields;  // extra key=value pairs
};

// One line (with its trailing '\n'):
//   logfmt: ts=2026-12-01T16:29:34.123Z level=info logger=librdkafka msg="..." key=value
//   json:   {"ts":"2026-12-01T16:29:34.123Z","level":"info","logger":"librdkafka","msg":"...","key":"value"}
// The msg is always quoted in logfmt.
std::string FormatLogLine(LogFormat format, const LogLine& line);

// spdlog's formatter for FormatLogLine.
class LogLineFormatter : public spdlog::formatter {
 public:
  explicit LogLineFormatter(LogFormat format) : format_(format) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  LogFormat format_;
};

// Sets up the process's loggers on stderr in `format` at `level` (one of
// kLogLevelNames; the CLI checks it): "crmstream" becomes spdlog's default
// logger, and "librdkafka" takes librdkafka's lines.
void ConfigureLogging(const std::string& level, LogFormat format);

}  // namespace crm::pipeline

#include "pipeline/cli/log_format.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "pipeline/wire/output_encoder.h"

namespace crm::pipeline {
namespace {

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (unsigned char c : value) {
    if (c == ' ' || c == '=' || c == '"' || c == '\\' || IsControl(c)) return true;
  }
  return false;
}

void AppendQuoted(std::string& out, std::string_view value) {
  out.push_back('"');
  for (unsigned char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (IsControl(c)) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void AppendLogfmtPair(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out.push_back(' ');
  out.append(key);
  out.push_back('=');
  out += LogfmtValue(value);
}

// spdlog's level names, with "warning" shortened to what --log-level takes.
std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
  }
}

constexpr std::string_view kDefaultLogger = "crmstream";

}  // namespace

Result<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "logfmt") return LogFormat::kLogfmt;
  if (name == "json") return LogFormat::kJson;
  return Status::InvalidArgument("log format '" + std::string(name) + "': expected logfmt or json");
}

std::string LogfmtValue(std::string_view value) {
  if (!NeedsQuotes(value)) return std::string(value);
  std::string out;
  out.reserve(value.size() + 2);
  AppendQuoted(out, value);
  return out;
}

std::string FormatLogLine(LogFormat format, const LogLine& line) {
  const std::string ts = FormatRfc3339(line.epoch_ms);
  const bool named = !line.logger.empty() && line.logger != kDefaultLogger;
  if (format == LogFormat::kJson) {
    nlohmann::ordered_json object;
    object["ts"] = ts;
    object["level"] = std::string(line.level);
    if (named) object["logger"] = std::string(line.logger);
    object["msg"] = std::string(line.msg);
    for (const auto& [key, value] : line.fields) object[std::string(key)] = std::string(value);
    // Hostile bytes that are not UTF-8 become U+FFFD instead of an exception.
    std::string out = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.push_back('\n');
    return out;
  }
  std::string out;
  out.reserve(64 + line.msg.size());
  AppendLogfmtPair(out, "ts", ts);
  AppendLogfmtPair(out, "level", line.level);
  if (named) AppendLogfmtPair(out, "logger", line.logger);
  out += " msg=";
  AppendQuoted(out, line.msg);
  for (const auto& [key, value] : line.fields) AppendLogfmtPair(out, key, value);
  out.push_back('\n');
  return out;
}

void LogLineFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  LogLine line;
  line.epoch_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
  line.level = LevelName(msg.level);
  line.logger = std::string_view(msg.logger_name.data(), msg.logger_name.size());
  line.msg = std::string_view(msg.payload.data(), msg.payload.size());
  const std::string text = FormatLogLine(format_, line);
  dest.append(text.data(), text.data() + text.size());
}

std::unique_ptr<spdlog::formatter> LogLineFormatter::clone() const {
  return std::make_unique<LogLineFormatter>(format_);
}

void ConfigureLogging(const std::string& level, LogFormat format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(std::make_unique<LogLineFormatter>(format));
  const spdlog::level::level_enum threshold = spdlog::level::from_str(level);
  for (const char* name : {"crmstream", "librdkafka"}) {
    spdlog::drop(name);
    auto logger = std::make_shared<spdlog::logger>(name, sink);
    logger->set_level(threshold);
    spdlog::register_logger(logger);
    if (std::string_view(name) == kDefaultLogger) spdlog::set_default_logger(logger);
  }
}

}  // namespace crm::pipeline

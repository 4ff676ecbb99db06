// Log lines carry hostile input (customer ids, dead-letter reasons, broker
// error texts): in both formats every value is escaped so that a line is
// always exactly one line and a field can never be forged.
#include "pipeline/cli/log_format.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>

namespace crm::pipeline {
namespace {

// A customer id or reason crafted to start a fake log line.
const std::string kForgery =
    "c1\nts=2026-01-01T00:00:00.000Z level=error msg=\"disk full\" \\ \t\x01\x7f=";

size_t CountNewlines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(LogfmtValue, PlainValuesStayBareAndEverythingElseIsQuotedAndEscaped) {
  EXPECT_EQ(LogfmtValue("crm.purchases"), "crm.purchases");
  EXPECT_EQ(LogfmtValue("rdkafka#consumer-1"), "rdkafka#consumer-1");
  EXPECT_EQ(LogfmtValue(""), "\"\"");
  EXPECT_EQ(LogfmtValue("two words"), "\"two words\"");
  EXPECT_EQ(LogfmtValue("a=b"), "\"a=b\"");
  EXPECT_EQ(LogfmtValue("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(LogfmtValue("C:\\dir"), "\"C:\\\\dir\"");
  EXPECT_EQ(LogfmtValue("a\nb\rc\td"), "\"a\\nb\\rc\\td\"");
  EXPECT_EQ(LogfmtValue(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
  EXPECT_EQ(LogfmtValue("Müller"), "Müller");  // UTF-8 passes through
}

TEST(FormatLogLine, LogfmtLineOfAHostileMessageIsOneLineWithTheMessageEscaped) {
  const std::string line = FormatLogLine(
      LogFormat::kLogfmt, {1'764'547'200'123, "warn", "crmstream", kForgery, {{"customer", kForgery}, {"n", "3"}}});
  EXPECT_EQ(CountNewlines(line), 1u);
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line,
            "ts=2025-12-01T00:00:00.123Z level=warn msg=\"c1\\nts=2026-01-01T00:00:00.000Z level=error "
            "msg=\\\"disk full\\\" \\\\ \\t\\u0001\\u007f=\" customer=\"c1\\nts=2026-01-01T00:00:00.000Z "
            "level=error msg=\\\"disk full\\\" \\\\ \\t\\u0001\\u007f=\" n=3\n");
}

TEST(FormatLogLine, LogfmtNamesTheLoggerUnlessItIsTheServiceItself) {
  EXPECT_EQ(FormatLogLine(LogFormat::kLogfmt, {0, "info", "librdkafka", "hello", {}}),
            "ts=1970-01-01T00:00:00.000Z level=info logger=librdkafka msg=\"hello\"\n");
  EXPECT_EQ(FormatLogLine(LogFormat::kLogfmt, {0, "info", "crmstream", "hello", {}}),
            "ts=1970-01-01T00:00:00.000Z level=info msg=\"hello\"\n");
}

TEST(FormatLogLine, JsonLineOfAHostileMessageIsOneObjectThatReadsBackExactly) {
  const std::string line =
      FormatLogLine(LogFormat::kJson, {1'764'547'200'123, "error", "librdkafka", kForgery, {{"customer", kForgery}}});
  EXPECT_EQ(CountNewlines(line), 1u);
  EXPECT_EQ(line.back(), '\n');
  const nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["ts"], "2025-12-01T00:00:00.123Z");
  EXPECT_EQ(parsed["level"], "error");
  EXPECT_EQ(parsed["logger"], "librdkafka");
  EXPECT_EQ(parsed["msg"], kForgery);
  EXPECT_EQ(parsed["customer"], kForgery);
  EXPECT_EQ(line.rfind("{\"ts\":", 0), 0u);  // fields in a fixed order
}

TEST(FormatLogLine, JsonReplacesBytesThatAreNotUtf8InsteadOfThrowing) {
  const std::string broken = "id \xff\xfe end";
  std::string line;
  ASSERT_NO_THROW(line = FormatLogLine(LogFormat::kJson, {0, "info", "crmstream", broken, {}}));
  const nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["msg"], "id \xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_FALSE(parsed.contains("logger"));
}

TEST(ParseLogFormat, KnowsTheTwoFormats) {
  EXPECT_EQ(*ParseLogFormat("logfmt"), LogFormat::kLogfmt);
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("text").ok());
}

// The formatter as spdlog uses it: a message formatted from a hostile
// argument is escaped too.
TEST(LogLineFormatter, SpdlogLinesInBothFormatsStayOneLine) {
  for (LogFormat format : {LogFormat::kLogfmt, LogFormat::kJson}) {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    sink->set_formatter(std::make_unique<LogLineFormatter>(format));
    spdlog::logger logger("crmstream-test", sink);
    logger.warn("dead-lettered record of customer {}: {}", kForgery, "bad \"amount\"");
    const std::string text = out.str();
    EXPECT_EQ(CountNewlines(text), 1u) << text;
    EXPECT_NE(text.find("logger"), std::string::npos);
    if (format == LogFormat::kJson) {
      EXPECT_EQ(nlohmann::json::parse(text)["msg"],
                "dead-lettered record of customer " + kForgery + ": bad \"amount\"");
      EXPECT_EQ(nlohmann::json::parse(text)["level"], "warn");
    } else {
      EXPECT_NE(text.find(" level=warn logger=crmstream-test msg=\"dead-lettered record of customer c1\\nts="),
                std::string::npos)
          << text;
    }
  }
}

}  // namespace
}  // namespace crm::pipeline

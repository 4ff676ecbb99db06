#include "pipeline/cli/demo_call_center.h"

#include <cstdio>
#include <map>
#include <utility>

#include "operators/customer_processor.h"
#include "pipeline/wire/output_encoder.h"

namespace crm::pipeline {
namespace {

constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr double kReportShare = 0.8;      // treated alerts with an action reported
constexpr double kNoneShare = 0.1;        // of those, reviewed and left alone
constexpr double kComeBackActed = 0.40;   // customers called or emailed who buy again
constexpr double kComeBackOthers = 0.15;  // the others (control, nobody acted)

// A uniform draw in [0, 1) from the alert id and a purpose, so that each
// decision is independent and the same on every run.
double Draw(const std::string& alert_id, const char* purpose) {
  const uint64_t h = operators::StableHash64(alert_id + "/" + purpose);
  return static_cast<double>(h >> 11) / 9007199254740992.0;  // 2^53
}

// Per label value: {won back, lost}.
using Tally = std::map<std::string, std::pair<double, double>>;

void PrintRates(const char* title, const Tally& tally) {
  std::printf("  %s:", title);
  for (const auto& [label, counts] : tally) {
    const double decided = counts.first + counts.second;
    std::printf("  %s %.0f%% (%.0f of %.0f)", label.c_str(), decided > 0 ? 100 * counts.first / decided : 0.0,
                counts.first, decided);
  }
  std::printf("\n");
}

double Rate(const Tally& tally, const std::string& label) {
  auto it = tally.find(label);
  if (it == tally.end()) return 0;
  const double decided = it->second.first + it->second.second;
  return decided > 0 ? it->second.first / decided : 0;
}

}  // namespace

std::vector<DemoReply> CallCenterReplies(const nlohmann::json& alert) {
  std::vector<DemoReply> replies;
  const std::string alert_id = alert.value("id", "");
  const auto& data = alert["data"];
  const std::string customer = data.value("customer_id", "");
  int64_t at = 0;
  if (alert_id.empty() || customer.empty() || !ParseRfc3339(alert.value("time", ""), at)) return replies;
  bool acted = false;
  if (!data.value("control", false) && Draw(alert_id, "report") < kReportShare) {
    const bool none = Draw(alert_id, "none") < kNoneShare;
    const std::string action =
        none ? "none" : data.value("priority", "") == "low" ? "email" : "call";
    acted = !none;
    nlohmann::json j{{"event_id", "cc-" + alert_id + "-a"}, {"customer_id", customer},
                     {"ts", FormatRfc3339(at + kHourMs)}, {"alert_id", alert_id}, {"action", action}};
    replies.push_back({InputKind::kAction, customer, j.dump(), at + kHourMs});
  }
  if (Draw(alert_id, "back") < (acted ? kComeBackActed : kComeBackOthers)) {
    const int64_t back_at = at + kDayMs + static_cast<int64_t>(Draw(alert_id, "when") * 19 * kDayMs);
    nlohmann::json j{{"event_id", "cc-" + alert_id + "-p"}, {"customer_id", customer},
                     {"ts", FormatRfc3339(back_at)}, {"amount", 45}, {"currency", "EUR"}};
    replies.push_back({InputKind::kPurchase, customer, j.dump(), back_at});
  }
  return replies;
}

void PrintWinBack(const nlohmann::json& e) {
  const auto& d = e["data"];
  const std::string action = d["action"].is_string() ? d["action"].get<std::string>() : "no action reported";
  std::printf("[%s] WIN-BACK %s  %.1f days after a %s alert (%s)%s\n",
              e.value("time", std::string("?")).substr(0, 10).c_str(), d.value("customer_id", "").c_str(),
              d.value("days_to_return", 0.0), d.value("priority", "").c_str(), action.c_str(),
              d.value("control", false) ? "  [control]" : "");
}

void PrintOutcomeSummary(const Metrics& metrics) {
  Tally by_priority, by_action, by_acted, by_group;
  for (const auto& family : metrics.Collect()) {
    if (family.name != "crmstream_alert_outcomes_total") continue;
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& pair : metric.label) labels[pair.name] = pair.value;
      const double n = metric.counter.value;
      const bool won = labels["outcome"] == "won_back";
      auto add = [&](Tally& t, const std::string& key) { (won ? t[key].first : t[key].second) += n; };
      add(by_priority, labels["priority"]);
      add(by_action, labels["recommended_action"]);
      add(by_acted, labels["acted"] == "true" ? "acted" : "not acted");
      add(by_group, labels["group"]);
    }
  }
  double won = 0, decided = 0;
  for (const auto& [label, counts] : by_group) {
    won += counts.first;
    decided += counts.first + counts.second;
  }
  std::printf("alert outcomes: %.0f decided, %.0f won back (%.0f%%); uplift treated - control %+.0f points\n", decided,
              won, decided > 0 ? 100 * won / decided : 0.0,
              100 * (Rate(by_group, "treated") - Rate(by_group, "control")));
  if (decided == 0) return;
  PrintRates("by priority", by_priority);
  PrintRates("by group", by_group);
  PrintRates("by action reported", by_acted);
  PrintRates("by recommended action", by_action);
}

}  // namespace crm::pipeline

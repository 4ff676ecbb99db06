// pipeline/cli/demo_call_center.h
//
// The demo's simulated call center and the customers it calls
// (docs/outcomes.md): for each churn alert the feed receives it decides,
// deterministically from the alert id, whether an action is reported on
// crm.actions (never for a control alert) and whether the customer comes
// back with a purchase, more often when someone acted. Replies carry event
// times after the alert; the demo holds them until its simulated time gets
// there. Also the live-feed line for a win-back and the closing summary of
// win-back rates, read from crmstream_alert_outcomes_total. Pure apart from
// printing; one thread (the demo's feed loop).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/observe/metrics.h"
#include "pipeline/wire/event_decoder.h"

namespace crm::pipeline {

inline constexpr char kWinBackType[] = "com.crmstream.win-back.v1";

// One input record the simulation produces in reply to an alert.
struct DemoReply {
  InputKind kind = InputKind::kAction;
  std::string customer_id;
  std::string json;
  int64_t event_time_ms = 0;
  bool operator>(const DemoReply& o) const { return event_time_ms > o.event_time_ms; }
};

// The replies to one churn-alert envelope (structured mode): an action
// report an hour later for most treated alerts, and for some customers a
// purchase one to twenty days after the alert (about 40 % of those called
// or emailed, 15 % of the others).
std::vector<DemoReply> CallCenterReplies(const nlohmann::json& alert);

// "[day] WIN-BACK c0000042  4.5 days after a high alert (call)".
void PrintWinBack(const nlohmann::json& envelope);

// Win-back rates of the decided alert outcomes by priority, recommended
// action, acted or not, and treated or control, with the uplift.
void PrintOutcomeSummary(const Metrics& metrics);

}  // namespace crm::pipeline

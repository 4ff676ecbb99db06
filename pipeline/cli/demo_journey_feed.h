// pipeline/cli/demo_journey_feed.h
//
// The journey part of `crmstream demo`'s live feed (docs/journey.md): prints
// each prospect's conversion and the ladder moves a marketer acts on (up to
// supporter, advocate or partner, and every move down), counts every move,
// and prints a summary line. Reads the CloudEvents envelopes as the feed
// consumer receives them; one thread (the demo's feed loop).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace crm::pipeline {

inline constexpr char kLadderChangeType[] = "com.crmstream.ladder-change.v1";

struct JourneyFeedTotals {
  int64_t conversions = 0;
  double conversion_days = 0;  // summed, for the mean
  int64_t ladder_up = 0;
  int64_t ladder_down = 0;
  std::map<std::string, int64_t> reached;  // rung -> moves up onto it
};

// A ladder change: counted; printed when it converts a prospect, is a move
// up to supporter or higher, or any move down.
void PrintLadderChange(const nlohmann::json& envelope, JourneyFeedTotals& totals);

// "journey: N prospects converted (mean D days) ...; ladder: U up, D down ...".
void PrintJourneySummary(const JourneyFeedTotals& totals);

}  // namespace crm::pipeline

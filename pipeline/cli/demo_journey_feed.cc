#include "pipeline/cli/demo_journey_feed.h"

#include <cstdio>

namespace crm::pipeline {
namespace {

std::string Day(const nlohmann::json& envelope) { return envelope.value("time", std::string("?")).substr(0, 10); }

bool WorthPrinting(const std::string& to, bool up) {
  return !up || to == "supporter" || to == "advocate" || to == "partner";
}

// Prints and counts a conversion; false when the change is none.
bool NoteConversion(const nlohmann::json& e, JourneyFeedTotals& totals) {
  const auto& d = e["data"];
  if (!d.contains("conversion") || !d["conversion"].is_object()) return false;
  const double days = d["conversion"].value("days_to_convert", 0.0);
  ++totals.conversions;
  totals.conversion_days += days;
  std::printf("[%s] CONVERTED %s  prospect since %s bought after %.1f days  -> %s\n", Day(e).c_str(),
              d.value("customer_id", "").c_str(),
              d["conversion"].value("first_interaction", std::string("?")).substr(0, 10).c_str(), days,
              d.value("to", "").c_str());
  return true;
}

}  // namespace

void PrintLadderChange(const nlohmann::json& e, JourneyFeedTotals& totals) {
  const auto& d = e["data"];
  const bool up = d.value("direction", "") == "up";
  const std::string to = d.value("to", "");
  const std::string from = d["from"].is_string() ? d["from"].get<std::string>() : "";
  if (up) {
    ++totals.ladder_up;
    ++totals.reached[to];
  } else {
    ++totals.ladder_down;
  }
  if (NoteConversion(e, totals) || from.empty() || !WorthPrinting(to, up)) return;
  const auto& reason = d["reason"];
  std::printf("[%s] LADDER %-4s %s  %s -> %s  (%s)%s\n", Day(e).c_str(), up ? "up" : "down",
              d.value("customer_id", "").c_str(), from.c_str(), to.c_str(), reason.value("detail", "").c_str(),
              d.value("cause", "") == "timer" ? "  [silence]" : "");
}

void PrintJourneySummary(const JourneyFeedTotals& totals) {
  std::printf("journey: %lld prospects converted", static_cast<long long>(totals.conversions));
  if (totals.conversions > 0) {
    std::printf(" (mean %.1f days from first interaction)", totals.conversion_days / static_cast<double>(totals.conversions));
  }
  std::printf("; ladder: %lld moves up, %lld down;", static_cast<long long>(totals.ladder_up),
              static_cast<long long>(totals.ladder_down));
  for (const char* rung : {"prospect", "customer", "client", "supporter", "advocate", "partner"}) {
    auto it = totals.reached.find(rung);
    std::printf(" %s %lld", rung, static_cast<long long>(it == totals.reached.end() ? 0 : it->second));
  }
  std::printf(" reached\n");
}

}  // namespace crm::pipeline

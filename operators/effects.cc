#include "operators/effects.h"

namespace crm::operators {

const char* PriorityName(Priority p) {
  switch (p) {
    case Priority::kHigh: return "high";
    case Priority::kMedium: return "medium";
    case Priority::kLow: return "low";
  }
  return "low";
}

std::string OutputId(const EventOrigin& origin, const std::string& customer_id, const std::string& rule) {
  std::string id = origin.topic + "/" + std::to_string(origin.partition) + "/" + std::to_string(origin.offset) + "/";
  // Timers of many customers share a partition and a (coalesced) due time.
  if (origin.topic == kTimerOriginTopic) id += customer_id + "/";
  return id + rule;
}

}  // namespace crm::operators

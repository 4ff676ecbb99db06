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
  // Appended in place, into room reserved once: this runs for every output.
  // (The numbers' own strings fit in the small-string buffer.)
  constexpr size_t kNumbersAndSlashes = 2 * 20 + 4;
  // Timers of many customers share a partition and a (coalesced) due time.
  const bool timer = origin.topic == kTimerOriginTopic;
  std::string id;
  id.reserve(origin.topic.size() + kNumbersAndSlashes + (timer ? customer_id.size() : 0) + rule.size());
  id.append(origin.topic).append(1, '/');
  id.append(std::to_string(origin.partition)).append(1, '/');
  id.append(std::to_string(origin.offset)).append(1, '/');
  if (timer) id.append(customer_id).append(1, '/');
  return id.append(rule);
}

}  // namespace crm::operators

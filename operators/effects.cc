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

}  // namespace crm::operators

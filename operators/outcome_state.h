// operators/outcome_state.h
//
// What crmstream keeps about a customer's latest churn alert until its
// outcome is known (docs/outcomes.md): the alert's CloudEvents id and time,
// its priority and recommended action, whether it was held out as control,
// and the action a call center or marketing system reported for it. A plain
// value inside CustomerState (the state codec stores it as its own block);
// alert_outcome.h updates it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "operators/time.h"

namespace crm::operators {

enum class Priority { kLow, kMedium, kHigh };

struct OpenAlert {
  std::string alert_id;  // CloudEvents id of the churn alert
  EventTime at{};        // the alert's event time
  Priority priority = Priority::kLow;
  std::string recommended_action;
  bool control = false;  // held out: downstream systems were told not to act
  std::string action;    // the latest reported action ("" = none reported)
  bool operator==(const OpenAlert&) const = default;
};

}  // namespace crm::operators

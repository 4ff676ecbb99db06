// operators/segment.h
//
// Named segments from an ordered rule list over RFM scores; first match wins.
#pragma once

#include <string>
#include <vector>

#include "operators/customer_state.h"
#include "operators/model_config.h"
#include "operators/status.h"

namespace crm::operators {

// Name of the first rule matching `scores`; "Unclassified" when none does.
std::string ClassifySegment(const std::vector<SegmentRule>& rules, const RfmScores& scores);

// Checks a rule list: non-empty, names non-empty and unique, ranges within
// 1..5 with lo <= hi, and every (r, f, m) combination matched by some rule.
// The message names the offending rule by index and name.
Status ValidateSegmentRules(const std::vector<SegmentRule>& rules);

}  // namespace crm::operators

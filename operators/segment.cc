#include "operators/segment.h"

#include <set>

namespace crm::operators {
namespace {

bool InRange(const ScoreRange& range, int score) { return score >= range.lo && score <= range.hi; }

bool Matches(const SegmentRule& rule, const RfmScores& s) {
  return InRange(rule.r, s.r) && InRange(rule.f, s.f) && InRange(rule.m, s.m);
}

std::string RuleName(size_t index, const SegmentRule& rule) {
  return "segment rule " + std::to_string(index + 1) + " ('" + rule.name + "')";
}

}  // namespace

std::vector<SegmentRule> DefaultSegmentRules() {
  return {
      {"Champions", {4, 5}, {4, 5}, {4, 5}},
      {"Loyal", {3, 5}, {4, 5}, {1, 5}},
      {"Can't Lose Them", {1, 2}, {4, 5}, {4, 5}},
      {"At Risk", {1, 2}, {3, 5}, {1, 5}},
      {"Potential Loyalist", {4, 5}, {2, 3}, {1, 5}},
      {"New", {4, 5}, {1, 1}, {1, 5}},
      {"Promising", {3, 3}, {1, 2}, {1, 5}},
      {"Need Attention", {3, 3}, {3, 3}, {1, 5}},
      {"About to Sleep", {2, 2}, {1, 2}, {1, 5}},
      {"Hibernating", {1, 1}, {2, 5}, {1, 5}},
      {"Lost", {1, 5}, {1, 5}, {1, 5}},
  };
}

std::string ClassifySegment(const std::vector<SegmentRule>& rules, const RfmScores& scores) {
  for (const SegmentRule& rule : rules) {
    if (Matches(rule, scores)) return rule.name;
  }
  return "Unclassified";
}

Status ValidateSegmentRules(const std::vector<SegmentRule>& rules) {
  if (rules.empty()) return Status::InvalidArgument("segment rules: the list is empty");
  std::set<std::string> names;
  for (size_t i = 0; i < rules.size(); ++i) {
    const SegmentRule& rule = rules[i];
    if (rule.name.empty()) return Status::InvalidArgument(RuleName(i, rule) + ": name is empty");
    if (!names.insert(rule.name).second) {
      return Status::InvalidArgument(RuleName(i, rule) + ": name used twice");
    }
    for (const auto& [label, range] : {std::pair{"r", rule.r}, {"f", rule.f}, {"m", rule.m}}) {
      if (range.lo < 1 || range.hi > 5 || range.lo > range.hi) {
        return Status::InvalidArgument(RuleName(i, rule) + ": " + label + " range " +
                                       std::to_string(range.lo) + "-" + std::to_string(range.hi) +
                                       " must lie within 1-5 with low <= high");
      }
    }
  }
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      for (int m = 1; m <= 5; ++m) {
        if (ClassifySegment(rules, {r, f, m}) == "Unclassified") {
          return Status::InvalidArgument("segment rules: no rule matches r=" + std::to_string(r) +
                                         " f=" + std::to_string(f) + " m=" + std::to_string(m) +
                                         " (end the list with a catch-all rule)");
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace crm::operators

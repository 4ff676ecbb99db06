#include "operators/segment.h"

#include <gtest/gtest.h>

namespace crm::operators {
namespace {

TEST(DefaultSegments, EveryRuleIsReachable) {
  struct Case { RfmScores scores; const char* segment; };
  const Case cases[] = {
      {{5, 5, 5}, "Champions"},          {{4, 4, 4}, "Champions"},
      {{3, 5, 1}, "Loyal"},              {{5, 4, 2}, "Loyal"},
      {{2, 4, 4}, "Can't Lose Them"},    {{1, 5, 5}, "Can't Lose Them"},
      {{2, 3, 5}, "At Risk"},            {{1, 4, 2}, "At Risk"},
      {{5, 2, 1}, "Potential Loyalist"}, {{4, 3, 5}, "Potential Loyalist"},
      {{5, 1, 1}, "New"},                {{4, 1, 5}, "New"},
      {{3, 1, 3}, "Promising"},          {{3, 2, 1}, "Promising"},
      {{3, 3, 3}, "Need Attention"},
      {{2, 1, 1}, "About to Sleep"},     {{2, 2, 5}, "About to Sleep"},
      {{1, 2, 1}, "Hibernating"},        {{1, 3, 1}, "At Risk"},
      {{1, 1, 1}, "Lost"},               {{1, 1, 5}, "Lost"},
  };
  const auto rules = DefaultSegmentRules();
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifySegment(rules, c.scores), c.segment)
        << c.scores.r << c.scores.f << c.scores.m;
  }
  EXPECT_TRUE(ValidateSegmentRules(rules).ok());
}

TEST(SegmentRules, FirstMatchWins) {
  std::vector<SegmentRule> rules = {{"A", {1, 5}, {5, 5}, {1, 5}}, {"B", {5, 5}, {1, 5}, {1, 5}},
                                    {"Rest", {1, 5}, {1, 5}, {1, 5}}};
  EXPECT_EQ(ClassifySegment(rules, {5, 5, 5}), "A");
  EXPECT_EQ(ClassifySegment(rules, {5, 4, 5}), "B");
  EXPECT_EQ(ClassifySegment(rules, {4, 4, 4}), "Rest");
}

TEST(SegmentRules, ValidationNamesTheProblem) {
  struct Case { std::vector<SegmentRule> rules; const char* expected; };
  const SegmentRule all{"All", {1, 5}, {1, 5}, {1, 5}};
  const Case cases[] = {
      {{}, "empty"},
      {{{"", {1, 5}, {1, 5}, {1, 5}}}, "name is empty"},
      {{{"X", {1, 5}, {1, 5}, {1, 5}}, {"X", {1, 5}, {1, 5}, {1, 5}}}, "name used twice"},
      {{{"Bad", {0, 5}, {1, 5}, {1, 5}}, all}, "r range 0-5"},
      {{{"Bad", {1, 5}, {4, 2}, {1, 5}}, all}, "f range 4-2"},
      {{{"Bad", {1, 5}, {1, 5}, {1, 6}}, all}, "m range 1-6"},
      {{{"Top", {5, 5}, {1, 5}, {1, 5}}}, "no rule matches r=1 f=1 m=1"},
  };
  for (const Case& c : cases) {
    Status s = ValidateSegmentRules(c.rules);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace crm::operators

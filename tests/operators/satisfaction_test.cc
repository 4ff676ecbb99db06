#include "operators/satisfaction.h"

#include <gtest/gtest.h>

namespace crm::operators {
namespace {

TEST(Satisfaction, StartsAtThePrior) {
  SatisfactionConfig config;
  EXPECT_DOUBLE_EQ(CurrentSatisfaction(config, CustomerState{}), 70.0);
}

TEST(Satisfaction, CsatMapsLinearly) {
  EXPECT_DOUBLE_EQ(CsatToSignal(1), 0);
  EXPECT_DOUBLE_EQ(CsatToSignal(3), 50);
  EXPECT_DOUBLE_EQ(CsatToSignal(5), 100);
}

TEST(Satisfaction, OneSignalBlendsWithThePrior) {
  SatisfactionConfig config;
  CustomerState s;
  RecordSatisfactionSignal(config, 100, EventTime{0}, s);
  EXPECT_DOUBLE_EQ(CurrentSatisfaction(config, s), 85.0);  // (70*1 + 100) / 2
  EXPECT_DOUBLE_EQ(s.satisfaction_weight, 2.0);
}

TEST(Satisfaction, ASignalOneHalfLifeOldWeighsHalf) {
  SatisfactionConfig config;
  config.prior_weight = 1e-9;  // nearly no prior: isolate two signals
  CustomerState s;
  RecordSatisfactionSignal(config, 0, EventTime{0}, s);
  RecordSatisfactionSignal(config, 100, EventTime{config.half_life.ms}, s);
  // The old 0 has weight 0.5, the new 100 weight 1: mean 100 / 1.5.
  EXPECT_NEAR(CurrentSatisfaction(config, s), 100.0 / 1.5, 1e-6);
  // Without the gap both count the same.
  CustomerState t;
  RecordSatisfactionSignal(config, 0, EventTime{0}, t);
  RecordSatisfactionSignal(config, 100, EventTime{0}, t);
  EXPECT_NEAR(CurrentSatisfaction(config, t), 50.0, 1e-6);
}

TEST(Satisfaction, LateSignalDoesNotRewindTime) {
  SatisfactionConfig config;
  CustomerState s;
  RecordSatisfactionSignal(config, 100, EventTime{Days(10).ms}, s);
  RecordSatisfactionSignal(config, 0, EventTime{Days(1).ms}, s);
  EXPECT_EQ(s.satisfaction_at, EventTime{Days(10).ms});
}

TEST(Complaints, OpenThenResolveRecoversPartOfThePenalty) {
  SatisfactionConfig config;
  CustomerState s;
  ApplyComplaint(config, {"k1", ComplaintStatus::kOpened, 4, "billing"}, EventTime{0}, s);
  ASSERT_EQ(s.open_complaints.size(), 1u);
  EXPECT_EQ(s.open_complaints[0], (OpenComplaint{"k1", 4}));
  const double after_open = CurrentSatisfaction(config, s);
  EXPECT_DOUBLE_EQ(after_open, (70.0 + 20.0) / 2);  // severity 4: penalty 80
  ApplyComplaint(config, {"k1", ComplaintStatus::kResolved, 4, ""}, EventTime{0}, s);
  EXPECT_TRUE(s.open_complaints.empty());
  EXPECT_DOUBLE_EQ(CurrentSatisfaction(config, s), (after_open * 2 + 60.0) / 3);  // 20 + 0.5*80
}

TEST(Complaints, ResolvingAnUnknownComplaintChangesNothing) {
  SatisfactionConfig config;
  CustomerState s;
  ApplyComplaint(config, {"nope", ComplaintStatus::kResolved, 3, ""}, EventTime{0}, s);
  EXPECT_EQ(s, CustomerState{});
}

TEST(Complaints, OpenListIsBounded) {
  SatisfactionConfig config;
  config.max_open_complaints = 3;
  CustomerState s;
  for (int i = 0; i < 5; ++i) {
    ApplyComplaint(config, {"k" + std::to_string(i), ComplaintStatus::kOpened, 2, ""}, EventTime{i}, s);
  }
  ASSERT_EQ(s.open_complaints.size(), 3u);
  EXPECT_EQ(s.open_complaints.front().complaint_id, "k2") << "the oldest are dropped";
}

TEST(Service, OnlyRatedInteractionsCount) {
  SatisfactionConfig config;
  CustomerState s;
  ServiceInteraction unrated{"call", std::nullopt, true, 30};
  ApplyServiceInteraction(config, unrated, EventTime{0}, s);
  EXPECT_EQ(s.satisfaction_weight, 0);
  ServiceInteraction rated{"chat", 1, false, 600};
  ApplyServiceInteraction(config, rated, EventTime{0}, s);
  EXPECT_DOUBLE_EQ(CurrentSatisfaction(config, s), 35.0);
}

}  // namespace
}  // namespace crm::operators

// Every topic an output can go to has the producer's compression codec: a
// new kind of output (rewards was one) cannot be published uncompressed by
// the service or by the benchmarks' copy of its producer.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "operators/reward_event.h"
#include "pipeline/runtime/service.h"
#include "pipeline/wire/output_encoder.h"

namespace crm::pipeline {
namespace {

TEST(OutputTopicCodecs, EveryTopicAnOutputOrADeadLetterGoesToHasTheConfiguredCodec) {
  config::Config config;
  config.output.compression = "zstd";
  config.output.compression_level = 3;
  config.topics.rewards = "loyalty.rewards";  // renamed topics are followed
  const auto codecs = OutputTopicCodecs(config);
  const OutputEncoder encoder(config.topics, "unit");
  const operators::EventOrigin origin{"crm.purchases", 0, 1};
  std::vector<operators::Output> outputs;
  operators::ChurnAlert alert;
  alert.customer_id = "c";
  outputs.push_back({"churn-alert", {}, alert});
  operators::WinBack back;
  back.customer_id = "c";
  back.alert_id = "a";
  outputs.push_back({"win-back", {}, back});
  operators::LadderChange ladder;
  ladder.customer_id = "c";
  outputs.push_back({"ladder-change", {}, ladder});
  operators::SegmentChange change;
  change.customer_id = "c";
  outputs.push_back({"segment-change", {}, change});
  for (auto kind : {operators::RewardKind::kEnrolled, operators::RewardKind::kThresholdReached,
                    operators::RewardKind::kVoucherIssued}) {
    operators::RewardEvent reward;
    reward.kind = kind;
    reward.customer_id = "c";
    outputs.push_back({operators::RewardRuleName(kind), {}, reward});
  }
  std::set<std::string> topics;
  for (const operators::Output& output : outputs) topics.insert(encoder.Encode(output, origin).topic);
  topics.insert(encoder.DeadLetter(origin, "k", "v", "invalid_json", "r").topic);
  EXPECT_EQ(topics.size(), 4u);  // alerts, segment changes, rewards, dead letters
  for (const std::string& topic : topics) {
    ASSERT_TRUE(codecs.contains(topic)) << topic;
    EXPECT_EQ(codecs.at(topic).codec, "zstd") << topic;
    EXPECT_EQ(codecs.at(topic).level, 3) << topic;
  }
}

// The default level (-1) is gzip's fastest, and every other codec's own.
TEST(OutputTopicCodecs, TheDefaultLevelIsGzipsFastestAndOtherCodecsOwnDefault) {
  config::Config config;
  ASSERT_EQ(config.output.compression, "gzip");
  ASSERT_EQ(config.output.compression_level, -1);
  EXPECT_EQ(OutputTopicCodecs(config).at(config.topics.churn_alerts).level, 1);
  config.output.compression = "lz4";
  EXPECT_EQ(OutputTopicCodecs(config).at(config.topics.churn_alerts).level, -1);
  config.output.compression = "gzip";
  config.output.compression_level = 6;
  EXPECT_EQ(OutputTopicCodecs(config).at(config.topics.churn_alerts).level, 6);
}

}  // namespace
}  // namespace crm::pipeline

// The [rewards] section: its defaults are the supermarket case, every key is
// read from the file and the environment, and a bad value stops start-up
// with a message naming the key.
#include <gtest/gtest.h>

#include "tests/config/config_test_support.h"

namespace crm::config {
namespace {

TEST(RewardsConfig, DefaultsAreTheSupermarketCase) {
  const Config c;
  EXPECT_TRUE(c.model.rewards.enabled);
  EXPECT_EQ(c.model.rewards.year_start_month, 1);
  EXPECT_EQ(c.model.rewards.year_start_day, 1);
  EXPECT_EQ(c.model.rewards.entry_purchase, 100);
  EXPECT_EQ(c.model.rewards.threshold, 4000);
  EXPECT_EQ(c.model.rewards.rate, 0.01);
  EXPECT_EQ(c.model.rewards.claim_window_days, 7);
  EXPECT_EQ(c.topics.rewards, "crm.rewards");
}

TEST(RewardsConfig, EveryKeyIsRead) {
  auto c = Parse(R"(
[topics]
rewards = "loyalty.vouchers"
[rewards]
enabled = false
year_start_month = 4
year_start_day = 30
entry_purchase = 50
threshold = 2500.5
rate = 0.02
claim_window_days = 14
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->topics.rewards, "loyalty.vouchers");
  EXPECT_FALSE(c->model.rewards.enabled);
  EXPECT_EQ(c->model.rewards.year_start_month, 4);
  EXPECT_EQ(c->model.rewards.year_start_day, 30);
  EXPECT_EQ(c->model.rewards.entry_purchase, 50);
  EXPECT_EQ(c->model.rewards.threshold, 2500.5);
  EXPECT_EQ(c->model.rewards.rate, 0.02);
  EXPECT_EQ(c->model.rewards.claim_window_days, 14);
}

TEST(RewardsConfig, TheEnvironmentOverridesTheFile) {
  auto c = Parse("[rewards]\nthreshold = 3000\n", {{"CRMSTREAM_REWARDS_THRESHOLD", "5000"},
                                                    {"CRMSTREAM_REWARDS_ENABLED", "false"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->model.rewards.threshold, 5000);
  EXPECT_FALSE(c->model.rewards.enabled);
}

struct BadValue {
  const char* name;
  std::string toml;
  std::string expected;  // a substring of the message
};

class RewardsConfigErrors : public ::testing::TestWithParam<BadValue> {};

TEST_P(RewardsConfigErrors, NameTheKey) {
  auto c = Parse(GetParam().toml);
  ASSERT_FALSE(c.ok()) << "should have been rejected";
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find(GetParam().expected), std::string::npos) << c.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Rewards, RewardsConfigErrors,
    ::testing::Values(
        BadValue{"Month13", "[rewards]\nyear_start_month = 13\n", "'rewards.year_start_month' must be from 1 to 12, got 13"},
        BadValue{"Day0", "[rewards]\nyear_start_day = 0\n", "'rewards.year_start_day' must be from 1 to 31, got 0"},
        BadValue{"April31", "[rewards]\nyear_start_month = 4\nyear_start_day = 31\n",
                 "'rewards.year_start_day' must be a day of month 4 in every year (1 to 30), got 31 (in test.toml)"},
        BadValue{"February29", "[rewards]\nyear_start_month = 2\nyear_start_day = 29\n",
                 "'rewards.year_start_day' must be a day of month 2 in every year (1 to 28), got 29"},
        BadValue{"ZeroThreshold", "[rewards]\nthreshold = 0\n", "'rewards.threshold' must be above 0"},
        BadValue{"NegativeEntry", "[rewards]\nentry_purchase = -1\n", "'rewards.entry_purchase' must be from 0"},
        BadValue{"RateAboveOne", "[rewards]\nrate = 1.5\n", "'rewards.rate' must be above 0 to 1, got 1.5"},
        BadValue{"ZeroRate", "[rewards]\nrate = 0\n", "'rewards.rate' must be above 0"},
        BadValue{"NoClaimWindow", "[rewards]\nclaim_window_days = 0\n",
                 "'rewards.claim_window_days' must be from 1 to 364, got 0"},
        BadValue{"EnabledAsString", "[rewards]\nenabled = \"yes\"\n", "'rewards.enabled' must be true or false"},
        BadValue{"Typo", "[rewards]\nthreshhold = 4000\n", "unknown key 'rewards.threshhold'"},
        BadValue{"BadTopic", "[topics]\nrewards = \"crm rewards\"\n", "'topics.rewards' must be a Kafka topic name"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace crm::config

// The service with fitted model parameters, as an operator runs it: the
// parameters file from `crmstream fit` is named in the config, loaded at
// start (a bad file stops start-up with a message naming the problem) and
// reloaded on SIGHUP (a bad file keeps the old parameters); alerts then carry
// the BG/NBD P(alive) and the CLV of the fitted models.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <fstream>

#include "operators/model_params.h"
#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kStart = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::string ParamsJson(double r) {
  nlohmann::json j{{"bgnbd", {{"r", r}, {"alpha", 4.414}, {"a", 0.793}, {"b", 2.426}}},
                   {"gamma_gamma", {{"p", 6.25}, {"q", 3.74}, {"gamma", 15.44}}},
                   {"time_unit", "weeks"}};
  return j.dump(2);
}

TEST(ModelParams, BadFileStopsStartUpNamingTheProblem) {
  TempDir dir;
  const std::string params = dir.path() + "/params.json";
  WriteText(params, R"({"bgnbd": {"r": -1, "alpha": 1, "a": 1, "b": 1},
                       "gamma_gamma": {"p": 1, "q": 2, "gamma": 1}, "time_unit": "weeks"})");
  const std::string config = WriteServiceConfig(dir.path(), "127.0.0.1:1", dir.path() + "/state",
                                                "[model]\nparams_file = \"" + params + "\"\n");
  ChildProcess run({CrmstreamBinary(), "run", "--config", config}, {}, /*capture_stderr=*/true);
  const std::string output = run.ReadAll();
  EXPECT_EQ(run.Wait(std::chrono::seconds(30)), 2);
  EXPECT_NE(output.find(params + ": bgnbd.r must be a positive finite number"), std::string::npos) << output;
}

TEST(ModelParams, AlertsCarryTheFittedPAliveAndClv) {
  BrokerProcess broker(2);
  TempDir dir;
  // Weekly purchases for six weeks, then six weeks of silence and a bad call.
  std::vector<InputMessage> log;
  for (int i = 0; i < 6; ++i) log.push_back(PurchaseMessage("dora", kStart + i * 7 * kDay, 120, i));
  const int64_t call_at = kStart + 80 * kDay;
  log.push_back(ServiceMessage("dora", call_at, 1));
  ProduceAll(broker.bootstrap(), log);

  const std::string params = dir.path() + "/params.json";
  WriteText(params, ParamsJson(0.243));
  const std::string config = WriteServiceConfig(dir.path(), broker.bootstrap(), dir.path() + "/state",
                                                "[model]\nparams_file = \"" + params + "\"\n");
  ASSERT_EQ(RunServiceToEnd(config), 0);
  auto alerts = ReadTopic(broker.bootstrap(), "crm.churn-alerts");
  ASSERT_EQ(alerts.size(), 1u);
  const auto data = nlohmann::json::parse(alerts[0].value)["data"];

  // What the model says about dora just before the call.
  operators::ModelParams p;
  p.bgnbd = {0.243, 4.414, 0.793, 2.426};
  p.gamma_gamma = {6.25, 3.74, 15.44};
  operators::CustomerState dora;
  dora.purchase_count = 6;
  dora.total_spend = 720;
  dora.first_purchase = operators::EventTime{kStart};
  dora.last_purchase = operators::EventTime{kStart + 35 * kDay};
  const operators::EventTime at{call_at};
  // Outputs are rounded to six decimals.
  const double p_alive = operators::PAliveAt(p, dora, at);
  const operators::CustomerValue value = operators::ValueAt(p, operators::ValueConfig{}, dora, at);
  const double clv = value.clv;
  EXPECT_NEAR(data["p_alive"].get<double>(), p_alive, 1e-5 * p_alive);
  EXPECT_NEAR(data["clv"].get<double>(), clv, 1e-5 * clv);
  // Value at risk: the value if retained (CLV of an alive customer) x risk.
  EXPECT_NEAR(data["value_at_risk"].get<double>(), value.clv_if_alive * data["risk"].get<double>(),
              1e-4 * value.clv_if_alive);
  // The bad call (satisfaction far below the prior) weighs more than
  // the low P(alive); both are named, largest first.
  ASSERT_GE(data["reasons"].size(), 2u);
  EXPECT_EQ(data["reasons"][0]["code"], "low_satisfaction");
  EXPECT_EQ(data["reasons"][1]["code"], "low_p_alive");
}

TEST(ModelParams, SighupReloadsAndABadFileKeepsTheOldParameters) {
  TempDir dir;
  const std::string params = dir.path() + "/params.json";
  WriteText(params, ParamsJson(0.243));
  BrokerProcess broker(1);
  const std::string config = WriteServiceConfig(dir.path(), broker.bootstrap(), dir.path() + "/state",
                                                "[model]\nparams_file = \"" + params + "\"\n");
  ChildProcess service({CrmstreamBinary(), "run", "--config", config}, {}, /*capture_stderr=*/true);
  ASSERT_TRUE(service.WaitForLine("BG/NBD r=0.243", std::chrono::seconds(30)));

  WriteText(params, "{ not json");
  service.Signal(SIGHUP);
  ASSERT_TRUE(service.WaitForLine("not valid JSON; keeping the parameters in use", std::chrono::seconds(30)));

  WriteText(params, ParamsJson(0.5));
  service.Signal(SIGHUP);
  ASSERT_TRUE(service.WaitForLine("BG/NBD r=0.5", std::chrono::seconds(30)));

  service.Signal(SIGTERM);
  EXPECT_EQ(service.Wait(std::chrono::seconds(30)), 0);
}

}  // namespace
}  // namespace crm::testing

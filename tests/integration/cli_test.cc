// The command line as a user meets it: help on every level, version, and the
// documented exit codes for bad usage and bad configuration.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

struct Outcome {
  std::optional<int> code;
  std::string out;
};

Outcome RunCrmstream(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> argv = {CrmstreamBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, env);
  Outcome o;
  o.out = p.ReadAll();
  o.code = p.Wait(std::chrono::seconds(30));
  return o;
}

TEST(Cli, HelpOnEveryLevel) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"run", "--help"}, {"broker", "--help"}, {"demo", "--help"},
           {"state", "--help"}, {"state", "dump", "--help"}}) {
    Outcome o = RunCrmstream(args);
    EXPECT_EQ(o.code, 0) << args.front();
    EXPECT_NE(o.out.find("Usage"), std::string::npos) << args.front();
  }
  Outcome v = RunCrmstream({"--version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("crmstream ", 0), 0u);
}

TEST(Cli, BadUsageExitsWithTwo) {
  EXPECT_EQ(RunCrmstream({}).code, 2);
  EXPECT_EQ(RunCrmstream({"frobnicate"}).code, 2);
  EXPECT_EQ(RunCrmstream({"broker", "--partitions", "0"}).code, 2);
  EXPECT_EQ(RunCrmstream({"demo", "--speed", "-1"}).code, 2);
}

TEST(Cli, BadConfigExitsWithTwoBeforeStartingAnything) {
  TempDir dir;
  std::string path = dir.path() + "/bad.toml";
  std::ofstream(path) << "[runtime]\ncommit_interval_ms = \"soon\"\n";
  EXPECT_EQ(RunCrmstream({"run", "--config", path}).code, 2);
  EXPECT_EQ(RunCrmstream({"state", "dump", "--config", path}).code, 2);
  EXPECT_EQ(RunCrmstream({"run", "--config", dir.path() + "/missing.toml"}).code, 2);
  EXPECT_EQ(RunCrmstream({"run"}, {{"CRMSTREAM_HTTP_PORT", "-4"}}).code, 2);
}

}  // namespace
}  // namespace crm::testing

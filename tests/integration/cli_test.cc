// The command line as a user meets it: help on every level, version, and the
// documented exit codes for bad usage and bad configuration.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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

// A port that was free a moment ago (the kernel picks it).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(Cli, BrokerListensOnTheRequestedPort) {
  const int port = FreePort();
  ChildProcess broker({CrmstreamBinary(), "broker", "--port", std::to_string(port), "--partitions", "2"});
  auto line = broker.ReadLine(std::chrono::seconds(30));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line, "bootstrap.servers=127.0.0.1:" + std::to_string(port));
  // A real client finds the topics there.
  ChildProcess kcat({"/bin/sh", "-c", "command -v kcat >/dev/null || exit 77; kcat -L -b 127.0.0.1:" +
                                          std::to_string(port) + " -t crm.purchases"});
  std::string listing = kcat.ReadAll();
  auto code = kcat.Wait(std::chrono::seconds(30));
  if (code == 77) GTEST_SKIP() << "kcat is not installed (deploy/setup.sh installs it)";
  EXPECT_EQ(code, 0);
  EXPECT_NE(listing.find("topic \"crm.purchases\" with 2 partitions"), std::string::npos) << listing;
}

}  // namespace
}  // namespace crm::testing

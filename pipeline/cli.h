// pipeline/cli.h
//
// The `crmstream` command line: subcommands run, broker, demo, state dump, fit,
// reset, each with --help; --version; --log-level and --log-format. Exit
// codes: 0 ok, 1 runtime failure, 2 bad usage (an unknown option value
// included) or bad config. main() wires process-wide pieces (environment, broker
// socket hooks) and calls RunCli; nothing here reads globals.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace crm::pipeline {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct CliContext {
  std::map<std::string, std::string> environment;
  // Called before an embedded broker starts listening: tunes its sockets
  // (TCP_NODELAY) and requests a fixed port (0 = any).
  std::function<void(uint16_t port)> prepare_broker_sockets = [](uint16_t) {};
};

int RunCli(int argc, char** argv, const CliContext& context);

}  // namespace crm::pipeline

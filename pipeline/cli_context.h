// pipeline/cli_context.h
//
// What every `crmstream` subcommand gets from main() besides its options:
// the process environment and the broker socket hook, and the exit codes
// they return (0 ok, 1 runtime failure, 2 bad usage or bad config). Shared
// by the command line parser (cli.h) and the subcommand bodies
// (commands.h), so that neither needs the other's header.
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

}  // namespace crm::pipeline

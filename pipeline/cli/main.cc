// The crmstream executable: collects the process environment and the broker
// socket hooks, then hands over to the command line.
#include <cstring>
#include <exception>
#include <iostream>

#include "pipeline/cli/cli.h"
#include "pipeline/embedded/broker_socket_hooks.h"

extern char** environ;

int main(int argc, char** argv) {
  crm::pipeline::CliContext context;
  for (char** e = environ; *e != nullptr; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq != nullptr) context.environment.emplace(std::string(*e, static_cast<size_t>(eq - *e)), std::string(eq + 1));
  }
  context.prepare_broker_sockets = [](uint16_t port) {
    crm::pipeline::EnableBrokerNoDelay();
    crm::pipeline::RequestBrokerListenPort(port);
  };
  try {
    return crm::pipeline::RunCli(argc, argv, context);
  } catch (const std::exception& e) {
    std::cerr << "crmstream: fatal: " << e.what() << "\n";
    return crm::pipeline::kExitFailure;
  }
}

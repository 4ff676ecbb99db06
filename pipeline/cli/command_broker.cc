// `crmstream broker`: the embedded broker as a standalone process.
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "pipeline/cli/commands.h"
#include "pipeline/cli/shutdown_signals.h"
#include "pipeline/embedded/broker_control.h"
#include "pipeline/embedded/mock_broker.h"

namespace crm::pipeline {

int RunBrokerCommand(const BrokerCommandOptions& options, const CliContext& context) {
  std::atomic<bool> stop{false};
  ShutdownSignals signals(stop);
  context.prepare_broker_sockets(static_cast<uint16_t>(options.port));
  auto broker = MockBroker::Create(MockBrokerOptions{1, options.partitions, options.topics});
  if (!broker.ok()) {
    std::cerr << "crmstream: " << broker.status().message() << "\n";
    return kExitFailure;
  }
  std::string bootstrap = (*broker)->bootstrap_servers();
  if (options.port != 0 && bootstrap.find(":" + std::to_string(options.port)) == std::string::npos) {
    std::cerr << "crmstream: could not listen on port " << options.port << " (got " << bootstrap
              << ")\n";
    return kExitFailure;
  }
  // First line of stdout, so scripts and tests can read the address.
  std::cout << "bootstrap.servers=" << bootstrap << std::endl;
  spdlog::info("embedded broker on {} with {} partitions per topic; TCP_NODELAY on accepted "
               "sockets", bootstrap, options.partitions);
  spdlog::info("limits of the embedded broker: it keeps at most ~5 MiB or 100,000 message sets per "
               "partition and silently drops older records; aborted transactions stay visible; "
               "use enough partitions for large logs");
  // Fault-injection commands on stdin (broker_control.h), answered on stdout.
  // The reader is detached: it may block in getline until the process ends.
  rd_kafka_mock_cluster_t* cluster = (*broker)->cluster();
  std::thread([cluster] {
    for (std::string line; std::getline(std::cin, line);) {
      if (line.empty()) continue;
      Status s = ApplyBrokerCommand(cluster, line);
      std::cout << (s.ok() ? "ok " + line : "error: " + s.message()) << std::endl;
      spdlog::info("fault injection: {} -> {}", line, s.ok() ? "ok" : s.message());
    }
  }).detach();
  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spdlog::info("broker stopped");
  return kExitOk;
}

}  // namespace crm::pipeline

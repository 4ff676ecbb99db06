// `crmstream run` and `crmstream state dump`.
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <iostream>

#include "config/config.h"
#include "pipeline/cli/commands.h"
#include "pipeline/cli/shutdown_signals.h"
#include "pipeline/observe/http_server.h"
#include "pipeline/observe/metrics.h"
#include "pipeline/runtime/service.h"
#include "pipeline/state/state_codec.h"
#include "pipeline/state/state_store.h"
#include "pipeline/wire/state_json.h"

namespace crm::pipeline {

// The config named on the command line, else $CRMSTREAM_CONFIG, else
// built-in defaults; errors are printed and mapped to exit code 2.
bool LoadConfigOrReport(const std::string& path, const CliContext& context, config::Config& out) {
  std::string chosen = path;
  if (chosen.empty()) {
    auto it = context.environment.find("CRMSTREAM_CONFIG");
    if (it != context.environment.end()) chosen = it->second;
  }
  Result<config::Config> loaded = config::LoadConfig(chosen, context.environment);
  if (!loaded.ok()) {
    std::cerr << "crmstream: " << loaded.status().message() << "\n";
    return false;
  }
  out = std::move(loaded).value();
  return true;
}

int RunServiceCommand(const RunCommandOptions& options, const CliContext& context) {
  config::Config config;
  if (!LoadConfigOrReport(options.config_path, context, config)) return kExitUsage;

  std::atomic<bool> stop{false};
  std::atomic<bool> reload{false};
  ShutdownSignals signals(stop, &reload);
  // Read before the service connects anywhere: a bad http.auth_token_file
  // is a config error (exit 2), reported at once.
  Result<HttpServerOptions> http_options = HttpServerOptions{};
  if (config.http.port != 0) {
    http_options = HttpServerOptionsFromConfig(config.http);
    if (!http_options.ok()) {
      std::cerr << "crmstream: " << http_options.status().message() << "\n";
      return kExitUsage;
    }
  }
  const SystemClock clock;
  Metrics metrics;
  ServiceHealth health(clock);
  auto service = Service::Create(config, metrics, health, clock);
  if (!service.ok()) {
    spdlog::error("start-up failed: {}", service.status().message());
    return service.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  std::unique_ptr<HttpServer> http;
  if (config.http.port != 0) {
    Service* svc = service->get();
    auto started = HttpServer::Start(
        *http_options, metrics, health, [svc](const std::string& id) { return svc->CustomerProfile(id); },
        [svc] { return svc->SegmentsReport(); });
    if (!started.ok()) {
      spdlog::error("{}", started.status().message());
      return kExitFailure;
    }
    http = std::move(started).value();
    spdlog::info("serving /metrics /healthz /readyz /customers/{{id}} /segments on http://{}:{}",
                 config.http.listen_address, http->port());
  }
  Status status = (*service)->Run(RunOptions{options.stop_at_end, &reload}, stop);
  if (!status.ok()) {
    spdlog::error("stopped: {}", status.message());
    return kExitFailure;
  }
  spdlog::info("stopped cleanly");
  return kExitOk;
}

int RunStateDumpCommand(const std::string& config_path, const CliContext& context) {
  config::Config config;
  if (!LoadConfigOrReport(config_path, context, config)) return kExitUsage;
  auto store = StateStore::Open(
      StateStoreOptions{config.state.dir, config::StoreBudgetBytes(config.state), /*read_only=*/true});
  if (!store.ok()) {
    std::cerr << "crmstream: " << store.status().message() << "\n";
    return kExitFailure;
  }
  Status status = (*store)->ForEachCustomer([](const std::string& id, const std::string& bytes) {
    ASSIGN_OR_RETURN(operators::CustomerState state, DecodeState(bytes));
    std::string line = CustomerStateJson(id, state);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
    return Status::Ok();
  });
  std::fflush(stdout);
  if (!status.ok()) {
    std::cerr << "crmstream: " << status.message() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace crm::pipeline

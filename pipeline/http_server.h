// pipeline/http_server.h
//
// The HTTP endpoints beside the pipeline (cpp-httplib, its own thread):
//   GET /metrics          Prometheus text format
//   GET /healthz          200 while the processing loop turns
//   GET /readyz           200 while it also owns partitions and commits succeed
//   GET /customers/{id}   the customer's committed profile as JSON (state_json.h), 404 if unknown
// Start() binds (port 0 picks a free port) and returns; Stop() or the
// destructor joins the thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "operators/status.h"
#include "pipeline/metrics.h"
#include "pipeline/service_health.h"

namespace crm::pipeline {

// The profile JSON of a customer, nullopt when unknown. Called on the HTTP
// thread, so it must be safe beside the processing thread.
using CustomerProfiles = std::function<Result<std::optional<std::string>>(const std::string& customer_id)>;

class HttpServer {
 public:
  // Without `profiles` there is no /customers endpoint.
  static Result<std::unique_ptr<HttpServer>> Start(const std::string& address, int port,
                                                   const Metrics& metrics,
                                                   const ServiceHealth& health,
                                                   CustomerProfiles profiles);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace crm::pipeline

// pipeline/observe/http_server.h
//
// The HTTP endpoints beside the pipeline (Boost.Beast on Boost.Asio):
//   GET /metrics          Prometheus text format
//   GET /healthz          200 while the processing loop turns
//   GET /readyz           200 while it also owns partitions and commits succeed
//   GET /customers/{id}   the customer's committed profile as JSON (state_json.h), 404 if unknown;
//                         {id} is one percent-encoded path segment (http_customer_id.h); with a
//                         token configured, 401 without `Authorization: Bearer <token>`
//   GET /segments         the Markov view of the customer base over the partitions this instance
//                         owns (pipeline/runtime/segments_view.h), same authentication
// HEAD works wherever GET does; other methods get 405, other paths 404.
//
// Hostile clients cannot starve the endpoints: one thread runs every
// connection asynchronously, so idle or slow connections cost memory, not
// threads. Connections are capped (max_connections; more are closed as soon
// as they are accepted), a request's header must arrive whole within
// request_timeout of the connection (or the previous response) whatever the
// client trickles in, and a header over 8 KiB gets 431. Profile lookups run
// on a second thread so that a slow store never delays /healthz.
//
// Start() binds (port 0 picks a free port) and returns; Stop() or the
// destructor stops both threads; no callback runs after Stop() returns.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "operators/status.h"
#include "pipeline/observe/metrics.h"
#include "pipeline/observe/service_health.h"

namespace crm::pipeline {

// The profile JSON of a customer, nullopt when unknown. Called on the HTTP
// server's lookup thread, so it must be safe beside the processing thread.
using CustomerProfiles = std::function<Result<std::optional<std::string>>(const std::string& customer_id)>;
// The JSON body of GET /segments; called on the lookup thread too.
using SegmentsReport = std::function<Result<std::string>()>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  int port = 0;  // 0 picks a free port
  // Open connections at most; further ones are closed at once.
  int max_connections = 4096;
  // Total time to receive one request's header (and to send its response).
  std::chrono::milliseconds request_timeout{5000};
  // Bearer token for /customers; empty: no authentication.
  std::string auth_token;
};

// The options of the [http] config table; reads http.auth_token_file, so a
// bad token file is an InvalidArgument naming that key.
[[nodiscard]] Result<HttpServerOptions> HttpServerOptionsFromConfig(const config::HttpConfig& http);

class HttpServer {
 public:
  // Without `profiles` there is no /customers endpoint, without `segments`
  // no /segments.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options, const Metrics& metrics,
                                                   const ServiceHealth& health, CustomerProfiles profiles,
                                                   SegmentsReport segments = nullptr);
  // The default limits, no authentication.
  static Result<std::unique_ptr<HttpServer>> Start(const std::string& address, int port,
                                                   const Metrics& metrics,
                                                   const ServiceHealth& health,
                                                   CustomerProfiles profiles, SegmentsReport segments = nullptr);
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

#include "pipeline/observe/http_server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <memory>
#include <string>
#include <thread>

#include "pipeline/observe/http_auth.h"
#include "pipeline/observe/http_server_core.h"

namespace crm::pipeline {
namespace http_internal {
namespace {

// accept() failing (out of file descriptors) retries after this pause
// instead of spinning.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
// File descriptors the rest of the process wants beside HTTP connections
// (RocksDB files, librdkafka sockets); only used for a start-up warning.
constexpr rlim_t kFdsForTheRest = 1024;

Status Listen(ServerCore& core) {
  const HttpServerOptions& o = core.options;
  const std::string where = o.address + ":" + std::to_string(o.port);
  beast::error_code ec;
  tcp::resolver resolver(core.ioc);
  auto endpoints = resolver.resolve(o.address, std::to_string(o.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return Status::IoError("http: cannot listen on " + where + ": " + (ec ? ec.message() : "no address"));
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  core.acceptor.open(endpoint.protocol(), ec);
  if (!ec) core.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) core.acceptor.bind(endpoint, ec);
  if (!ec) core.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IoError("http: cannot listen on " + where + ": " + ec.message());
  core.port = core.acceptor.local_endpoint().port();
  return Status::Ok();
}

void WarnIfFewFileDescriptors(int max_connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  if (static_cast<rlim_t>(max_connections) + kFdsForTheRest > limit.rlim_cur) {
    spdlog::warn("http: http.max_connections={} leaves little of the {} file descriptors (ulimit -n) for the rest",
                 max_connections, limit.rlim_cur);
  }
}

}  // namespace

void ServerCore::Accept() {
  acceptor.async_accept(ioc, [this](beast::error_code ec, tcp::socket socket) { OnAccepted(ec, std::move(socket)); });
}

void ServerCore::OnAccepted(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted) return;
  if (ec) {
    if (!accept_failing) {
      spdlog::warn("http: accept failed: {}; retrying every {} ms", ec.message(), kAcceptRetry.count());
    }
    accept_failing = true;
    accept_retry.expires_after(kAcceptRetry);
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) Accept();
    });
    return;
  }
  if (accept_failing) {
    spdlog::info("http: accepting again");
    accept_failing = false;
  }
  if (open_connections.load() >= options.max_connections) {
    // Cheapest refusal: reset at once, no TIME_WAIT, no parsing.
    if (refused++ == 0) {
      spdlog::warn("http: {} connections open (http.max_connections); refusing new ones", options.max_connections);
    }
    beast::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
  } else {
    if (refused > 0) {
      spdlog::info("http: accepting connections again after refusing {}", refused);
      refused = 0;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    StartSession(std::move(socket), *this);
  }
  Accept();
}

}  // namespace http_internal

using http_internal::Listen;
using http_internal::ServerCore;
using http_internal::WarnIfFewFileDescriptors;

Result<HttpServerOptions> HttpServerOptionsFromConfig(const config::HttpConfig& http) {
  HttpServerOptions options;
  options.address = http.listen_address;
  options.port = static_cast<int>(http.port);
  options.max_connections = static_cast<int>(http.max_connections);
  options.request_timeout = std::chrono::milliseconds(http.request_timeout_ms);
  if (!http.auth_token_file.empty()) {
    ASSIGN_OR_RETURN(options.auth_token, LoadBearerToken(http.auth_token_file));
  }
  return options;
}

struct HttpServer::Impl {
  explicit Impl(std::unique_ptr<ServerCore> c) : core(std::move(c)) {}
  std::unique_ptr<ServerCore> core;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::port() const { return impl_->core->port; }

void HttpServer::Stop() {
  ServerCore& core = *impl_->core;
  if (!core.thread.joinable()) return;
  core.ioc.stop();
  core.thread.join();
  // A lookup already running finishes (its reply is queued on the stopped
  // io_context and dropped); queued ones never run.
  core.lookups.stop();
  core.lookups.join();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options, const Metrics& metrics,
                                                      const ServiceHealth& health, CustomerProfiles profiles,
                                                      SegmentsReport segments) {
  if (options.max_connections < 1 || options.request_timeout.count() < 1) {
    return Status::InvalidArgument("http: max_connections and request_timeout must be positive");
  }
  auto core = std::make_unique<ServerCore>(options, metrics, health, std::move(profiles), std::move(segments));
  RETURN_IF_ERROR(Listen(*core));
  WarnIfFewFileDescriptors(options.max_connections);
  core->Accept();
  ServerCore* raw = core.get();
  core->thread = std::thread([raw] {
    // Handlers do not throw by design; should a library call throw anyway
    // (allocation), log it and go on serving: run() resumes where it was.
    for (;;) {
      try {
        raw->ioc.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http: request handler failed: {}", e.what());
      }
    }
  });
  return std::unique_ptr<HttpServer>(new HttpServer(std::make_unique<Impl>(std::move(core))));
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& address, int port, const Metrics& metrics,
                                                      const ServiceHealth& health, CustomerProfiles profiles,
                                                      SegmentsReport segments) {
  HttpServerOptions options;
  options.address = address;
  options.port = port;
  return Start(options, metrics, health, std::move(profiles), std::move(segments));
}

}  // namespace crm::pipeline

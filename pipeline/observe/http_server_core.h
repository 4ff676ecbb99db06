// pipeline/observe/http_server_core.h
//
// The inside of the HTTP server, shared by its two halves: http_server.cc
// (listening, accepting, the connection cap, start and stop) and
// http_session.cc (one connection: read a request, answer it, repeat).
// ServerCore is touched only on the server's io thread, apart from the
// immutable options and the lookup pool. Included by those two files only.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>
#include <thread>

#include "pipeline/observe/http_server.h"

namespace crm::pipeline::http_internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Response = http::response<http::string_body>;

Response PlainResponse(http::status status, std::string body, beast::string_view type = "text/plain");

// State shared by the acceptor and every connection; touched only on the
// io thread, apart from the immutable options and the lookup pool.
struct ServerCore {
  ServerCore(HttpServerOptions o, const Metrics& m, const ServiceHealth& h, CustomerProfiles p, SegmentsReport s)
      : options(std::move(o)), metrics(m), health(h), profiles(std::move(p)), segments(std::move(s)) {}

  void Accept();
  void OnAccepted(beast::error_code ec, tcp::socket socket);
  Response Health(bool readiness) const;

  const HttpServerOptions options;
  const Metrics& metrics;
  const ServiceHealth& health;
  const CustomerProfiles profiles;
  const SegmentsReport segments;
  int port = 0;
  std::atomic<int> open_connections{0};
  int64_t refused = 0;  // since the last time we were under the cap
  bool accept_failing = false;
  // Declared after the state that sessions use in their destructors, so that
  // sessions still queued in these die while that state exists.
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer accept_retry{ioc};
  asio::thread_pool lookups{1};
  std::thread thread;
};

// Serves `socket` on `core`'s io thread until the client or a deadline
// closes it; the session keeps itself alive through its handlers.
void StartSession(tcp::socket socket, ServerCore& core);

}  // namespace crm::pipeline::http_internal

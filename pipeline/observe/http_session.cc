#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <memory>
#include <optional>
#include <string_view>

#include "pipeline/observe/http_auth.h"
#include "pipeline/observe/http_customer_id.h"
#include "pipeline/observe/http_server_core.h"

namespace crm::pipeline::http_internal {
namespace {

// A loop turn takes at most a poll timeout plus one commit; longer is a stall.
constexpr int64_t kStallMs = 30000;
// Request line plus header fields; a legitimate probe or curl sends < 1 KiB.
constexpr uint32_t kMaxHeaderBytes = 8 * 1024;
// Room for pipelined bytes after a header, beyond the header itself.
constexpr size_t kReadBufferBytes = 2 * kMaxHeaderBytes;
// After a closing response: how long and how much to read and discard, so
// that unread request bytes do not turn our close into a reset that could
// destroy the response before the client reads it.
constexpr auto kMaxLinger = std::chrono::milliseconds(1000);
constexpr size_t kMaxLingerBytes = 64 * 1024;
constexpr std::string_view kCustomersPrefix = "/customers/";

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

// One connection: read a header under a total deadline, answer, repeat while
// the client keeps the connection alive. Owned by the handlers in flight.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerCore& core) : stream_(std::move(socket)), core_(core) {
    ++core_.open_connections;
  }
  ~Session() { --core_.open_connections; }

  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    // One expiry for the whole header: every byte trickled in does not
    // extend it (beast::tcp_stream keeps the time point across reads).
    stream_.expires_after(core_.options.request_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

 private:
  void OnHeader(beast::error_code ec) {
    if (ec) {
      // A timeout has already closed the socket; end of stream and socket
      // errors leave nobody to answer. Only a malformed request gets a reply.
      const bool parse_error = ec.category() == http::make_error_code(http::error::end_of_stream).category();
      if (!parse_error || ec == http::error::end_of_stream) return;
      const bool too_large = ec == http::error::header_limit || ec == http::error::buffer_overflow;
      Send(too_large ? PlainResponse(http::status::request_header_fields_too_large, "request header too large\n")
                     : PlainResponse(http::status::bad_request, "bad request\n"),
           /*keep_alive=*/false, /*head=*/false);
      return;
    }
    const auto& req = parser_->get();
    // A body we do not read would be taken for the next request: answer, close.
    const bool keep_alive = req.keep_alive() && parser_->is_done();
    const bool head = req.method() == http::verb::head;
    if (req.method() != http::verb::get && !head) {
      Response res = PlainResponse(http::status::method_not_allowed, "method not allowed\n");
      res.set(http::field::allow, "GET, HEAD");
      Send(std::move(res), false, false);
      return;
    }
    std::string_view path = View(req.target());
    path = path.substr(0, path.find('?'));
    if (path == "/metrics") {
      Send(PlainResponse(http::status::ok, core_.metrics.Serialize(), "text/plain; version=0.0.4"), keep_alive, head);
    } else if (path == "/healthz" || path == "/readyz") {
      Send(core_.Health(path == "/readyz"), keep_alive, head);
    } else if (core_.profiles && path.starts_with(kCustomersPrefix)) {
      Customer(req, path.substr(kCustomersPrefix.size()), keep_alive, head);
    } else if (core_.segments && path == "/segments") {
      Segments(req, keep_alive, head);
    } else {
      Send(PlainResponse(http::status::not_found, "not found\n"), keep_alive, head);
    }
  }

  // With a token configured: true when the request carries it, else answers 401.
  bool Authorized(const http::request<http::empty_body>& req, bool keep_alive, bool head) {
    const std::string& token = core_.options.auth_token;
    if (token.empty() || BearerTokenMatches(View(req[http::field::authorization]), token)) return true;
    Response res = PlainResponse(http::status::unauthorized, "authentication required\n");
    res.set(http::field::www_authenticate, "Bearer realm=\"crmstream\"");
    Send(std::move(res), keep_alive, head);
    return false;
  }

  void Segments(const http::request<http::empty_body>& req, bool keep_alive, bool head) {
    if (!Authorized(req, keep_alive, head)) return;
    // It reads the store: on the lookup thread, like profiles.
    asio::post(core_.lookups, [self = shared_from_this(), keep_alive, head]() mutable {
      Result<std::string> report = self->core_.segments();
      auto executor = self->stream_.get_executor();
      asio::post(executor, [self = std::move(self), report = std::move(report), keep_alive, head]() mutable {
        if (!report.ok()) {
          spdlog::error("http: segments report failed: {}", report.status().message());
          self->Send(PlainResponse(http::status::internal_server_error, "internal error\n"), keep_alive, head);
        } else {
          self->Send(PlainResponse(http::status::ok, std::move(report).value(), "application/json"), keep_alive, head);
        }
      });
    });
  }

  void Customer(const http::request<http::empty_body>& req, std::string_view segment, bool keep_alive, bool head) {
    if (!Authorized(req, keep_alive, head)) return;
    Result<std::string> id = CustomerIdFromPathSegment(segment);
    if (!id.ok()) {
      Send(PlainResponse(http::status::bad_request, id.status().message() + "\n"), keep_alive, head);
      return;
    }
    // The store may be slow (disk, compaction): look up on the other thread
    // so that health probes on this one never wait behind it.
    asio::post(core_.lookups, [self = shared_from_this(), id = std::move(id).value(), keep_alive, head]() mutable {
      Result<std::optional<std::string>> profile = self->core_.profiles(id);
      auto executor = self->stream_.get_executor();
      // `self` moves along, so the session is never destroyed on this thread.
      asio::post(executor, [self = std::move(self), profile = std::move(profile), keep_alive, head]() mutable {
        self->SendProfile(std::move(profile), keep_alive, head);
      });
    });
  }

  void SendProfile(Result<std::optional<std::string>> profile, bool keep_alive, bool head) {
    if (!profile.ok()) {
      // The message names files and keys: for the log, not for the client.
      spdlog::error("http: customer profile lookup failed: {}", profile.status().message());
      Send(PlainResponse(http::status::internal_server_error, "internal error\n"), keep_alive, head);
    } else if (!profile->has_value()) {
      Send(PlainResponse(http::status::not_found, "{\"error\":\"unknown customer\"}", "application/json"), keep_alive,
           head);
    } else {
      Send(PlainResponse(http::status::ok, std::move(**profile), "application/json"), keep_alive, head);
    }
  }

  void Send(Response res, bool keep_alive, bool head) {
    res.set(http::field::server, "crmstream");
    res.keep_alive(keep_alive);
    res.prepare_payload();
    if (head) {
      const size_t length = res.body().size();
      res.body().clear();
      res.content_length(length);
    }
    response_ = std::move(res);
    stream_.expires_after(core_.options.request_timeout);
    http::async_write(stream_, *response_, [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
      if (ec) return;
      if (keep_alive) {
        self->ReadRequest();
      } else {
        self->Linger();
      }
    });
  }

  void Linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::min<std::chrono::steady_clock::duration>(kMaxLinger, core_.options.request_timeout));
    Discard();
  }

  void Discard() {
    stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->lingered_ += n;
      if (!ec && self->lingered_ < kMaxLingerBytes) self->Discard();
    });
  }

  beast::tcp_stream stream_;
  ServerCore& core_;
  beast::flat_buffer buffer_{kReadBufferBytes};
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::optional<Response> response_;
  std::array<char, 4096> discard_{};
  size_t lingered_ = 0;
};

}  // namespace

Response PlainResponse(http::status status, std::string body, beast::string_view type) {
  Response res{status, 11};
  res.set(http::field::content_type, type);
  res.body() = std::move(body);
  return res;
}

Response ServerCore::Health(bool readiness) const {
  if (!readiness) {
    const bool live = health.Live(kStallMs);
    return PlainResponse(live ? http::status::ok : http::status::service_unavailable,
                         live ? "ok\n" : "processing loop stalled\n");
  }
  const bool ready = health.Ready(kStallMs);
  std::string why = ready ? "ready\n"
                    : !health.Live(kStallMs) ? "processing loop not running\n"
                    : health.restoring.load() ? "restoring state from the changelog\n"
                    : !health.assigned.load() ? "no partitions assigned yet\n"
                                              : "last commit failed\n";
  return PlainResponse(ready ? http::status::ok : http::status::service_unavailable, std::move(why));
}

void StartSession(tcp::socket socket, ServerCore& core) { std::make_shared<Session>(std::move(socket), core)->ReadRequest(); }

}  // namespace crm::pipeline::http_internal

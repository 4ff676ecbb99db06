#include "pipeline/http_server.h"

#include <httplib.h>

#include <thread>


namespace crm::pipeline {
namespace {

// A loop turn takes at most a poll timeout plus one commit; longer is a stall.
constexpr int64_t kStallMs = 30000;

}  // namespace

struct HttpServer::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  if (impl_->thread.joinable()) {
    impl_->server.stop();
    impl_->thread.join();
  }
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& address, int port,
                                                      const Metrics& metrics,
                                                      const ServiceHealth& health,
                                                      CustomerProfiles profiles) {
  auto impl = std::make_unique<Impl>();
  httplib::Server& server = impl->server;
  server.Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.Serialize(), "text/plain; version=0.0.4");
  });
  server.Get("/healthz", [&health](const httplib::Request&, httplib::Response& res) {
    bool live = health.Live(kStallMs);
    res.status = live ? 200 : 503;
    res.set_content(live ? "ok\n" : "processing loop stalled\n", "text/plain");
  });
  server.Get("/readyz", [&health](const httplib::Request&, httplib::Response& res) {
    bool ready = health.Ready(kStallMs);
    res.status = ready ? 200 : 503;
    std::string why = ready ? "ready\n"
                      : !health.Live(kStallMs) ? "processing loop not running\n"
                      : health.restoring.load() ? "restoring state from the changelog\n"
                      : !health.assigned.load() ? "no partitions assigned yet\n"
                                                : "last commit failed\n";
    res.set_content(why, "text/plain");
  });
  if (profiles) {
    server.Get(R"(/customers/([^/]{1,64}))", [profiles](const httplib::Request& req, httplib::Response& res) {
      auto profile = profiles(req.matches[1]);
      if (!profile.ok()) {
        res.status = 500;
        res.set_content(profile.status().message() + "\n", "text/plain");
      } else if (!profile->has_value()) {
        res.status = 404;
        res.set_content("{\"error\":\"unknown customer\"}", "application/json");
      } else {
        res.set_content(**profile, "application/json");
      }
    });
  }
  if (port == 0) {
    impl->port = server.bind_to_any_port(address);
  } else {
    impl->port = server.bind_to_port(address, port) ? port : -1;
  }
  if (impl->port < 0) {
    return Status::IoError("http: cannot listen on " + address + ":" + std::to_string(port));
  }
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace crm::pipeline

// tests/pipeline/http_test_client.h
//
// A raw-socket HTTP/1.1 client for the HTTP server tests: it sends exactly
// the bytes a test writes (hostile ones included) and waits on deadlines,
// never on sleeps. Blocking calls on the calling thread; each socket belongs
// to one thread at a time.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace crm::pipeline::testing {

using Clock = std::chrono::steady_clock;

// A connected socket to 127.0.0.1:port, or -1.
inline int ConnectLocal(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Sends all of `bytes` before `deadline`; false on error or timeout.
inline bool SendAll(int fd, std::string_view bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, RemainingMs(deadline)) <= 0) return false;
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// True once the peer has closed (EOF or reset) before `deadline`; bytes the
// server sends meanwhile are read and dropped.
inline bool WaitPeerClosed(int fd, Clock::time_point deadline) {
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, RemainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
  }
}

// True while the peer has neither closed nor sent anything (checked now).
inline bool StillOpenAndSilent(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

struct HttpReply {
  int status = 0;
  std::string head;  // status line and header fields
  std::string body;
  std::string Header(std::string_view name) const;  // value of the first field `name` (any case), or ""
};

inline std::string HttpReply::Header(std::string_view name) const {
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos + 2 < head.size()) {
    const size_t start = pos + 2;
    const size_t end = head.find("\r\n", start);
    std::string_view line(head.data() + start, (end == std::string::npos ? head.size() : end) - start);
    const size_t colon = line.find(':');
    if (colon == name.size()) {
      bool same = true;
      for (size_t i = 0; i < colon; ++i) {
        if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i]))) {
          same = false;
        }
      }
      if (same) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        return std::string(value);
      }
    }
    pos = end;
  }
  return "";
}

// Sends `request` on a new connection and reads the reply until the server
// closes (requests should say `Connection: close`). nullopt when the reply is
// not complete before `timeout`, or is not HTTP.
inline std::optional<HttpReply> Exchange(int port, std::string_view request,
                                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  const Clock::time_point deadline = Clock::now() + timeout;
  int fd = ConnectLocal(port);
  if (fd < 0) return std::nullopt;
  std::string raw;
  bool ok = SendAll(fd, request, deadline);
  char buf[8192];
  while (ok) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, RemainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      ok = false;
      break;
    }
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;  // closed (a reset after the reply counts as closed)
    raw.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t end_of_head = raw.find("\r\n\r\n");
  if (!ok || raw.rfind("HTTP/1.1 ", 0) != 0 || end_of_head == std::string::npos) return std::nullopt;
  HttpReply reply;
  reply.status = std::stoi(raw.substr(9, 3));
  reply.head = raw.substr(0, end_of_head);
  reply.body = raw.substr(end_of_head + 4);
  return reply;
}

// GET `target` with `extra_headers` (each ending in \r\n), one request per connection.
inline std::optional<HttpReply> Get(int port, std::string_view target, std::string_view extra_headers = "",
                                    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  std::string request = "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                        std::string(extra_headers) + "\r\n";
  return Exchange(port, request, timeout);
}

}  // namespace crm::pipeline::testing

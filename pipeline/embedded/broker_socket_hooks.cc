#include "pipeline/embedded/broker_socket_hooks.h"

#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>

namespace crm::pipeline {
namespace {

// Interposition cannot take collaborators: these two flags are the whole of
// its state, set once by the broker command before the cluster starts.
std::atomic<bool> g_no_delay{false};
std::atomic<uint16_t> g_listen_port{0};

using AcceptFn = int (*)(int, sockaddr*, socklen_t*);
using BindFn = int (*)(int, const sockaddr*, socklen_t);

AcceptFn RealAccept() {
  static AcceptFn fn = reinterpret_cast<AcceptFn>(dlsym(RTLD_NEXT, "accept"));
  return fn;
}
BindFn RealBind() {
  static BindFn fn = reinterpret_cast<BindFn>(dlsym(RTLD_NEXT, "bind"));
  return fn;
}

}  // namespace

void EnableBrokerNoDelay() { g_no_delay.store(true); }
void RequestBrokerListenPort(uint16_t port) { g_listen_port.store(port); }

}  // namespace crm::pipeline

extern "C" int accept(int fd, sockaddr* addr, socklen_t* len) {
  int s = crm::pipeline::RealAccept()(fd, addr, len);
  if (s >= 0 && crm::pipeline::g_no_delay.load()) {
    int one = 1;
    // Not a TCP socket (e.g. a Unix socket): setsockopt fails harmlessly.
    (void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return s;
}

extern "C" int bind(int fd, const sockaddr* addr, socklen_t len) {
  uint16_t port = crm::pipeline::g_listen_port.load();
  if (port != 0 && addr != nullptr && addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    sockaddr_in in = *reinterpret_cast<const sockaddr_in*>(addr);
    if (in.sin_port == 0 && in.sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
      in.sin_port = htons(port);
      crm::pipeline::g_listen_port.store(0);
      return crm::pipeline::RealBind()(fd, reinterpret_cast<const sockaddr*>(&in), sizeof in);
    }
  }
  return crm::pipeline::RealBind()(fd, addr, len);
}

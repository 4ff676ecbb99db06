// pipeline/embedded/broker_socket_hooks.h
//
// Socket tuning for the embedded broker process, which librdkafka's mock
// cluster gives no option for. The `crmstream` executable (only it: this file
// is compiled into the executable, not the library) interposes the libc
// `accept` and `bind` calls the mock cluster makes:
// - every accepted TCP socket gets TCP_NODELAY, as real brokers do, so small
//   requests are not held back by Nagle + delayed ACK (~43 ms per commit);
// - a requested listen port replaces port 0 in the next bind to 127.0.0.1,
//   so `crmstream broker --port N` listens on N.
// This is process-wide by nature (symbol interposition); it is enabled
// explicitly by the broker command and touches nothing else.
#pragma once

#include <cstdint>

namespace crm::pipeline {

// Sets TCP_NODELAY on accepted sockets from now on.
void EnableBrokerNoDelay();

// The next bind() of 127.0.0.1:0 uses `port` instead (0: leave as is).
void RequestBrokerListenPort(uint16_t port);

}  // namespace crm::pipeline

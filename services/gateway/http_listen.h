// Helpers of the HTTP server's listener and connection accounting, kept
// apart from the session logic in http_session.cc.
#ifndef KAIZEN_SERVICES_GATEWAY_HTTP_LISTEN_H_
#define KAIZEN_SERVICES_GATEWAY_HTTP_LISTEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "boost/asio/ip/tcp.hpp"

namespace kaizen::gateway {

// "host:port" (IP literal, "localhost", or "[v6]") as an endpoint, else
// INVALID_ARGUMENT INVALID_FLAG on the field http_listen.
absl::StatusOr<boost::asio::ip::tcp::endpoint> ParseListenEndpoint(const std::string& address);

// The connection cap, lowered to leave descriptors for everything else the
// process opens (gRPC port and its clients, backend channels, files, and
// the three each I/O thread's io_context holds: epoll, eventfd, timerfd):
// RLIMIT_NOFILE minus a reserve of up to 128 plus 3 per I/O thread, at
// least 1.
int EffectiveMaxConnections(int configured, int io_threads);

// The per-address key: IPv4-mapped IPv6 peers count as their IPv4 address.
std::string ClientAddress(const boost::asio::ip::tcp::endpoint& endpoint);

// steady_clock now, in nanoseconds.
int64_t MonotonicNanos();

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_HTTP_LISTEN_H_

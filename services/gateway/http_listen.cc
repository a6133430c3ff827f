#include "services/gateway/http_listen.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>

#include "absl/strings/numbers.h"
#include "boost/asio/ip/address.hpp"
#include "common/server/listen_endpoint.h"
#include "common/status/errors.h"

namespace kaizen::gateway {

namespace net = boost::asio;
using tcp = net::ip::tcp;

absl::StatusOr<tcp::endpoint> ParseListenEndpoint(const std::string& address) {
  return server::ParseListenEndpoint(address, "http_listen", "expected host:port");
}

int EffectiveMaxConnections(int configured, int io_threads) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return configured;
  }
  const int64_t fds = static_cast<int64_t>(limit.rlim_cur);
  const int64_t reserve = std::min<int64_t>(128, fds / 2) + 3 * int64_t{std::max(1, io_threads)};
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(configured, fds - reserve)));
}

std::string ClientAddress(const tcp::endpoint& endpoint) {
  net::ip::address address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

int64_t MonotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace kaizen::gateway

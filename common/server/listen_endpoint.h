// "host:port" listen addresses of the HTTP listeners (the gateway's front and
// every service's metrics port) as Boost.Asio endpoints: one parser for both,
// and one way to start listening on them.
#ifndef KAIZEN_COMMON_SERVER_LISTEN_ENDPOINT_H_
#define KAIZEN_COMMON_SERVER_LISTEN_ENDPOINT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/ip/tcp.hpp"

namespace kaizen::server {

// `address` is an IP literal, "localhost" (127.0.0.1) or "[v6]", a colon and
// a port 0..65535. Else INVALID_ARGUMENT INVALID_FLAG on field `flag`, with
// `expected` (e.g. "expected host:port") as the description of a malformed
// address.
absl::StatusOr<boost::asio::ip::tcp::endpoint> ParseListenEndpoint(const std::string& address,
                                                                   absl::string_view flag,
                                                                   absl::string_view expected);

// Opens `acceptor` for `endpoint` with SO_REUSEADDR, binds and listens: the
// first error, or none.
boost::system::error_code OpenAndListen(boost::asio::ip::tcp::acceptor& acceptor,
                                        const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_LISTEN_ENDPOINT_H_

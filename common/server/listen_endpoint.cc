#include "common/server/listen_endpoint.h"

#include "absl/strings/numbers.h"
#include "boost/asio/ip/address.hpp"
#include "common/status/errors.h"

namespace kaizen::server {

absl::StatusOr<boost::asio::ip::tcp::endpoint> ParseListenEndpoint(const std::string& address,
                                                                   absl::string_view flag,
                                                                   absl::string_view expected) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return errors::InvalidField(flag, expected, "INVALID_FLAG");
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  boost::asio::ip::address ip = boost::asio::ip::make_address(host, ec);
  if (ec) return errors::InvalidField(flag, "the host must be an IP address", "INVALID_FLAG");
  return boost::asio::ip::tcp::endpoint(ip, static_cast<unsigned short>(port));
}

boost::system::error_code OpenAndListen(boost::asio::ip::tcp::acceptor& acceptor,
                                        const boost::asio::ip::tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  return ec;
}

}  // namespace kaizen::server

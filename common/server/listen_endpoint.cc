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

}  // namespace kaizen::server

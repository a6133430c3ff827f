#include "services/gateway/test_http_client.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace kaizen::gateway::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

class TestHttpClient::Impl {
 public:
  explicit Impl(int port) : endpoint_(net::ip::make_address("127.0.0.1"), port) {}

  bool Connect() {
    stream_.emplace(ioc_);
    beast::error_code ec;
    stream_->socket().connect(endpoint_, ec);
    if (ec) {
      stream_.reset();
      return false;
    }
    stream_->socket().set_option(tcp::no_delay(true), ec);
    ++connections_;
    buffer_.clear();
    return true;
  }

  // Runs the io_context until `op` has completed, with a 30 s timeout.
  template <typename Op>
  beast::error_code Run(Op op) {
    beast::error_code result = net::error::timed_out;
    stream_->expires_after(std::chrono::seconds(30));
    op([&](beast::error_code ec, std::size_t) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  TestResponse Exchange(const std::string& bytes_or_empty,
                        http::request<http::string_body>* request) {
    TestResponse out;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!stream_.has_value() && !Connect()) return out;
      beast::error_code ec;
      if (request != nullptr) {
        ec = Run([&](auto handler) { http::async_write(*stream_, *request, handler); });
      } else {
        ec = Run([&](auto handler) {
          net::async_write(*stream_, net::buffer(bytes_or_empty), handler);
        });
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      if (!ec) {
        ec = Run([&](auto handler) { http::async_read(*stream_, buffer_, parser, handler); });
      }
      if (ec) {
        stream_.reset();
        if (attempt == 0 && request != nullptr) continue;  // stale keep-alive connection
        return out;
      }
      auto res = parser.release();
      out.status = static_cast<int>(res.result_int());
      for (const auto& f : res) {
        out.headers[absl::AsciiStrToLower(std::string(f.name_string()))] = std::string(f.value());
      }
      out.body = std::move(res.body());
      out.keep_alive = res.keep_alive();
      if (!out.keep_alive) stream_.reset();
      return out;
    }
    return out;
  }

  net::io_context ioc_;
  tcp::endpoint endpoint_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  int connections_ = 0;
};

TestHttpClient::TestHttpClient(int port) : impl_(std::make_unique<Impl>(port)) {}
TestHttpClient::~TestHttpClient() = default;

TestResponse TestHttpClient::Send(
    const std::string& method, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() && req.find(http::field::content_type) == req.end()) {
    req.set(http::field::content_type, "application/json");
  }
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();
  return impl_->Exchange("", &req);
}

TestResponse TestHttpClient::SendRaw(const std::string& bytes) {
  impl_->stream_.reset();
  return impl_->Exchange(bytes, nullptr);
}

int TestHttpClient::connections_opened() const { return impl_->connections_; }

}  // namespace kaizen::gateway::testing

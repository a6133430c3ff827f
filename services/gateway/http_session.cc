// The connection side of the HTTP server (http_server.h): internal::Session
// reads one request at a time within the header, body and framing limits and
// timeouts, hands it (or its transport error) to the handler, writes the
// answer, then reads the next request or closes gracefully. The listener,
// accept loop and connection caps are in http_server.cc.
#include "services/gateway/http_server_impl.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "boost/asio/bind_executor.hpp"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/post.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "services/gateway/gateway_errors.h"
#include "services/gateway/http_framing.h"
#include "services/gateway/http_listen.h"
#include "services/gateway/http_types.h"

namespace kaizen::gateway {
namespace {

// Bytes read and discarded after a "Connection: close" answer.
constexpr size_t kMaxLingerBytes = 64 << 10;
// Read-buffer room beyond max_header_bytes. Body bytes move from the buffer
// into the parser's body as they arrive, but Beast 1.74 bounds neither a
// chunk-size line (chunk extensions) nor the trailer section: the parser
// waits for their CRLF and the buffer would grow without end. A line that
// does not fit is refused (buffer_overflow, 400 INVALID_MESSAGE_FRAMING).
constexpr size_t kMaxChunkLineBytes = 64 << 10;

}  // namespace

namespace internal {

Session::Session(tcp::socket socket, HttpServer::Impl* server, std::string remote_ip)
    : stream_(std::move(socket)),
      server_(server),
      remote_ip_(std::move(remote_ip)),
      buffer_(server->options().max_header_bytes + kMaxChunkLineBytes) {
  beast::error_code ec;
  stream_.socket().set_option(tcp::no_delay(true), ec);
}

Session::~Session() { server_->Unregister(this); }

void Session::Start(absl::Status refusal) {
  net::dispatch(stream_.get_executor(),
                [self = shared_from_this(), refusal = std::move(refusal)]() mutable {
                  if (!refusal.ok()) return self->Refuse(std::move(refusal));
                  self->ReadHeader(/*first=*/true);
                });
}

void Session::Drop() {
  beast::error_code ec;
  stream_.socket().close(ec);
}

void Session::CloseIfIdle() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (!self->busy_) self->Close();
  });
}

void Session::Shed() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->idle_since() != 0) self->Close();
  });
}

void Session::ForceClose() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
}

void Session::ReadHeader(bool first) {
  if (server_->stopping()) return Close();
  parser_.emplace();
  parser_->body_limit(server_->options().max_body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(server_->options().max_header_bytes));
  const auto now = std::chrono::steady_clock::now();
  if (first) head_deadline_ = now + absl::ToChronoNanoseconds(server_->options().header_timeout);
  if (buffer_.size() > 0) {  // pipelined: the next request has begun
    head_deadline_ = now + absl::ToChronoNanoseconds(server_->options().header_timeout);
    return ReadHead();
  }
  // Wait for the first byte (the idle phase: keep-alive idle timeout, or
  // the header timeout on a new connection), then for the rest of the
  // head (header timeout from that byte).
  idle_since_.store(MonotonicNanos(), std::memory_order_release);
  if (first) {
    stream_.expires_at(head_deadline_);
  } else {
    stream_.expires_after(absl::ToChronoNanoseconds(server_->options().idle_timeout));
  }
  stream_.async_read_some(
      buffer_.prepare(4096),
      [self = shared_from_this(), first](beast::error_code ec, std::size_t n) {
        self->idle_since_.store(0, std::memory_order_release);
        if (ec) return self->Close();  // EOF, reset, idle timeout, shed
        self->buffer_.commit(n);
        if (!first) {
          self->head_deadline_ =
              std::chrono::steady_clock::now() +
              absl::ToChronoNanoseconds(self->server_->options().header_timeout);
        }
        self->ReadHead();
      });
}

void Session::ReadHead() {
  stream_.expires_at(head_deadline_);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
}

void Session::OnHeader(beast::error_code ec, std::size_t) {
  if (ec) return OnReadError(ec);
  busy_ = true;
  const auto& head = parser_->get();
  std::vector<std::pair<absl::string_view, absl::string_view>> fields;
  for (const auto& field : head) {
    fields.emplace_back(absl::string_view(field.name_string().data(), field.name_string().size()),
                        absl::string_view(field.value().data(), field.value().size()));
  }
  head_fields_ = fields.size();
  absl::Status framing = CheckRequestFraming(head.version(), fields);
  if (!framing.ok()) return Refuse(std::move(framing));
  auto expect = head[http::field::expect];
  if (absl::EqualsIgnoreCase(absl::string_view(expect.data(), expect.size()), "100-continue")) {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(absl::ToChronoNanoseconds(server_->options().idle_timeout));
    net::async_write(stream_, net::buffer(kContinue),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->Close();
                       self->ReadBody();
                     });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  stream_.expires_after(absl::ToChronoNanoseconds(server_->options().idle_timeout));
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::OnRead, shared_from_this()));
}

void Session::OnReadError(beast::error_code ec) {
  absl::Status error;
  if (ec == http::error::body_limit) {
    error = BodyTooLarge(server_->options().max_body_bytes);
  } else if (ec == http::error::header_limit ||
             (ec == http::error::buffer_overflow && !parser_->is_header_done())) {
    error = HeadersTooLarge();
  } else if (ec == http::error::buffer_overflow) {
    error = InvalidMessageFraming("a chunk-size line or the trailer section is too long");
  } else if (ec == http::error::bad_content_length) {
    error = InvalidMessageFraming("Content-Length is malformed, repeated or sent with "
                                  "Transfer-Encoding");
  } else if (ec == http::error::bad_transfer_encoding) {
    error = InvalidMessageFraming("Transfer-Encoding is repeated or sent with Content-Length");
  } else if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
             ec != http::error::end_of_stream && ec != http::error::partial_message) {
    error = MalformedRequest();
  } else {
    return Close();  // EOF, reset, header timeout (slowloris), cancelled
  }
  Refuse(std::move(error));
}

void Session::Refuse(absl::Status error) {
  busy_ = true;
  keep_alive_ = false;
  version_ = 11;
  HttpRequest request;
  request.remote_ip = remote_ip_;
  request.transport_error = std::move(error);
  Dispatch(std::move(request));
}

void Session::OnRead(beast::error_code ec, std::size_t) {
  if (ec) return OnReadError(ec);
  http::request<http::string_body> req = parser_->release();
  // Beast adds chunked trailer fields to the header fields: refused, so
  // that nothing after the body (e.g. Authorization) is taken as a header.
  if (static_cast<size_t>(std::distance(req.begin(), req.end())) != head_fields_) {
    return Refuse(InvalidMessageFraming("trailer fields after a chunked body are not accepted"));
  }
  keep_alive_ = req.keep_alive();
  version_ = req.version();
  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  request.remote_ip = remote_ip_;
  for (const auto& field : req) {
    request.headers.emplace_back(absl::AsciiStrToLower(std::string(field.name_string())),
                                 std::string(field.value()));
  }
  request.body = std::move(req.body());
  Dispatch(std::move(request));
}

void Session::Dispatch(HttpRequest request) {
  // No timer while the application works: backend calls carry their own
  // deadline.
  stream_.expires_never();
  auto self = shared_from_this();
  server_->handler()(std::move(request), [self](HttpResponse response) {
    net::post(self->stream_.get_executor(),
              [self, response = std::move(response)]() mutable {
                self->Write(std::move(response));
              });
  });
}

void Session::Write(HttpResponse response) {
  auto res = std::make_shared<http::response<http::string_body>>();
  res->version(version_);
  res->result(static_cast<unsigned>(response.status));
  for (auto& [name, value] : response.headers) res->set(name, value);
  res->body() = std::move(response.body);
  res->keep_alive(keep_alive_ && !server_->stopping());
  res->prepare_payload();
  stream_.expires_after(absl::ToChronoNanoseconds(server_->options().idle_timeout));
  http::async_write(stream_, *res,
                    [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                      self->busy_ = false;
                      if (ec) return self->Close();
                      if (!res->keep_alive()) return self->Linger();
                      self->ReadHeader(/*first=*/false);
                    });
}

void Session::Linger() {
  buffer_.clear();
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(absl::ToChronoNanoseconds(server_->options().linger_timeout));
  Drain();
}

void Session::Drain() {
  stream_.async_read_some(net::buffer(discard_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->lingered_ += n;
                            if (ec || self->lingered_ > kMaxLingerBytes) return self->Close();
                            self->Drain();
                          });
}

void Session::Close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

}  // namespace internal
}  // namespace kaizen::gateway

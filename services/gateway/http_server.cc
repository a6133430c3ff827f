#include "services/gateway/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <iterator>
#include <cstdio>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/bind_executor.hpp"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "common/status/errors.h"
#include "services/gateway/gateway_errors.h"
#include "services/gateway/http_framing.h"
#include "services/gateway/http_listen.h"

namespace kaizen::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

class Session;

// Idle connections closed per failed accept() when descriptors run out.
constexpr int kShedOnExhaustion = 4;
// Connections from one address beyond its cap that still get a 429 answer;
// further ones are closed unanswered.
constexpr int kAnsweredRefusals = 8;
// Bytes read and discarded after a "Connection: close" answer.
constexpr size_t kMaxLingerBytes = 64 << 10;
// Read-buffer room beyond max_header_bytes. Body bytes move from the buffer
// into the parser's body as they arrive, but Beast 1.74 bounds neither a
// chunk-size line (chunk extensions) nor the trailer section: the parser
// waits for their CRLF and the buffer would grow without end. A line that
// does not fit is refused (buffer_overflow, 400 INVALID_MESSAGE_FRAMING).
constexpr size_t kMaxChunkLineBytes = 64 << 10;

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpHandler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        max_connections_(EffectiveMaxConnections(options_.max_connections)),
        ioc_(std::max(1, options_.io_threads)),
        work_(net::make_work_guard(ioc_)),
        acceptor_(net::make_strand(ioc_)),
        accept_pause_(acceptor_.get_executor()) {}

  ~Impl() { Shutdown(absl::ZeroDuration()); }

  absl::Status Listen() {
    absl::StatusOr<tcp::endpoint> endpoint = ParseListenEndpoint(options_.listen_address);
    if (!endpoint.ok()) return endpoint.status();
    beast::error_code ec;
    acceptor_.open(endpoint->protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(*endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return errors::Unavailable(
          "PORT_IN_USE", absl::StrCat("cannot listen on ", options_.listen_address,
                                      " (is the port taken?)"));
    }
    port_ = acceptor_.local_endpoint(ec).port();
    if (max_connections_ < options_.max_connections) {
      std::fprintf(stderr,
                   "{\"service\":\"gateway\",\"event\":\"max_connections_lowered\","
                   "\"max_connections\":%d,\"reason\":\"RLIMIT_NOFILE\"}\n",
                   max_connections_);
    }
    return absl::OkStatus();
  }

  void Run() {
    Accept();
    for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
      threads_.emplace_back([this] {
        for (;;) {
          try {
            ioc_.run();
            return;
          } catch (const std::exception& e) {
            // A handler threw (e.g. bad_alloc): log without details and go on.
            std::fprintf(stderr, "{\"service\":\"gateway\",\"event\":\"io_error\"}\n");
          }
        }
      });
    }
  }

  void Shutdown(absl::Duration drain);

  const HttpServerOptions& options() const { return options_; }
  const HttpHandler& handler() const { return handler_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  int port() const { return port_; }
  int max_connections() const { return max_connections_; }

  void Unregister(Session* s) {
    absl::MutexLock lock(&mu_);
    auto it = sessions_.find(s);
    if (it == sessions_.end()) return;
    auto count = per_ip_.find(it->second.ip);
    if (count != per_ip_.end() && --count->second <= 0) per_ip_.erase(count);
    sessions_.erase(it);
  }
  int open_connections() const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(sessions_.size());
  }

 private:
  struct Entry {
    std::weak_ptr<Session> session;
    std::string ip;
  };
  using SessionMap = std::map<Session*, Entry>;

  void Accept();
  void Admit(tcp::socket socket);
  // Up to `n` live sessions waiting for a request, the longest-waiting
  // first. The caller drops the pointers after releasing mu_ (a last
  // reference runs ~Session, which takes mu_).
  std::vector<std::shared_ptr<Session>> OldestIdleLocked(int n)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ShedIdle(int n);

  const HttpServerOptions options_;
  const HttpHandler handler_;
  const int max_connections_;
  // Declared before ioc_: sessions unregister while the io_context is
  // destroyed.
  mutable absl::Mutex mu_;
  SessionMap sessions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> per_ip_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> stopping_{false};
  net::io_context ioc_;
  // Keeps run() going while every session waits for the application (no
  // socket operation pending), e.g. after the acceptor closed on shutdown.
  net::executor_work_guard<net::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  // On the acceptor's strand: the pause after a failed accept().
  net::steady_timer accept_pause_;
  bool accept_paused_ = false;  // acceptor strand only
  std::vector<std::thread> threads_;
  int port_ = 0;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server, std::string remote_ip)
      : stream_(std::move(socket)),
        server_(server),
        remote_ip_(std::move(remote_ip)),
        buffer_(server->options().max_header_bytes + kMaxChunkLineBytes) {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }
  ~Session() { server_->Unregister(this); }

  // Serves requests; with a non-OK `refusal` answers it at once and closes.
  void Start(absl::Status refusal) {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this(), refusal = std::move(refusal)]() mutable {
                    if (!refusal.ok()) return self->Refuse(std::move(refusal));
                    self->ReadHeader(/*first=*/true);
                  });
  }

  // Not closed and unregistered: for a connection refused before it starts.
  void Drop() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  // Monotonic time since which the connection waits for the first byte of
  // a request; 0 while a request is read, handled or answered.
  int64_t idle_since() const { return idle_since_.load(std::memory_order_acquire); }

  // From any thread: closes the connection unless a request is in flight.
  void CloseIfIdle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }
  // From any thread: closes the connection if it still waits for a request
  // of which no byte has arrived.
  void Shed() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_since() != 0) self->Close();
    });
  }
  void ForceClose() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }

 private:
  void ReadHeader(bool first) {
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

  void ReadHead() {
    stream_.expires_at(head_deadline_);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
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

  void ReadBody() {
    stream_.expires_after(absl::ToChronoNanoseconds(server_->options().idle_timeout));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
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

  // Answers `error` through the application, then closes (no keep-alive).
  void Refuse(absl::Status error) {
    busy_ = true;
    keep_alive_ = false;
    version_ = 11;
    HttpRequest request;
    request.remote_ip = remote_ip_;
    request.transport_error = std::move(error);
    Dispatch(std::move(request));
  }

  void OnRead(beast::error_code ec, std::size_t) {
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

  void Dispatch(HttpRequest request) {
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

  void Write(HttpResponse response) {
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

  // Graceful close after "Connection: close": send FIN, then read and drop
  // what the client still sends (bounded in time and bytes) before closing,
  // so unread input does not turn the close into a reset that could destroy
  // the answer in flight. Nothing read here is parsed.
  void Linger() {
    buffer_.clear();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(absl::ToChronoNanoseconds(server_->options().linger_timeout));
    Drain();
  }
  void Drain() {
    stream_.async_read_some(net::buffer(discard_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kMaxLingerBytes) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  const std::string remote_ip_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  size_t head_fields_ = 0;  // header fields of the request being read
  std::chrono::steady_clock::time_point head_deadline_;
  std::atomic<int64_t> idle_since_{0};
  std::array<char, 4096> discard_;
  size_t lingered_ = 0;
  bool busy_ = false;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open() || stopping()) return;
    if (ec && ec != net::error::connection_aborted) {
      // Out of descriptors (or another persistent failure): the pending
      // connection keeps the listener readable, so retrying at once would
      // spin. Free idle connections, pause, retry.
      if (!accept_paused_) {
        accept_paused_ = true;
        std::fprintf(stderr,
                     "{\"service\":\"gateway\",\"event\":\"accept_paused\",\"errno\":%d}\n",
                     ec.value());
      }
      ShedIdle(kShedOnExhaustion);
      accept_pause_.expires_after(absl::ToChronoNanoseconds(options_.accept_backoff));
      accept_pause_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !stopping()) Accept();
      });
      return;
    }
    if (!ec) {
      if (accept_paused_) {
        accept_paused_ = false;
        std::fprintf(stderr, "{\"service\":\"gateway\",\"event\":\"accept_resumed\"}\n");
      }
      Admit(std::move(socket));
    }
    Accept();
  });
}

void HttpServer::Impl::Admit(tcp::socket socket) {
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return;  // already gone; the socket closes here
  const std::string ip = ClientAddress(peer);
  auto session = std::make_shared<Session>(std::move(socket), this, ip);
  const int per_ip_cap = options_.max_connections_per_ip;
  std::vector<std::shared_ptr<Session>> shed;
  bool admitted = false;
  bool over_ip_cap = false;
  {
    absl::MutexLock lock(&mu_);
    auto count = per_ip_.find(ip);
    const int from_ip = count == per_ip_.end() ? 0 : count->second;
    over_ip_cap = per_ip_cap > 0 && from_ip >= per_ip_cap;
    const bool answer = !over_ip_cap || from_ip < per_ip_cap + kAnsweredRefusals;
    if (answer && static_cast<int>(sessions_.size()) >= max_connections_) {
      shed = OldestIdleLocked(1);  // make room by closing the longest idle
    }
    if (answer && (shed.size() == 1 || static_cast<int>(sessions_.size()) < max_connections_)) {
      admitted = true;
      ++per_ip_[ip];
      sessions_.emplace(session.get(), Entry{session, ip});
    }
  }
  for (auto& s : shed) s->Shed();
  if (!admitted) return session->Drop();
  session->Start(over_ip_cap ? TooManyConnections(per_ip_cap) : absl::OkStatus());
}

std::vector<std::shared_ptr<Session>> HttpServer::Impl::OldestIdleLocked(int n) {
  std::vector<std::pair<int64_t, Session*>> idle;
  for (const auto& [ptr, entry] : sessions_) {
    const int64_t since = ptr->idle_since();  // alive: ~Session waits for mu_
    if (since != 0) idle.emplace_back(since, ptr);
  }
  std::sort(idle.begin(), idle.end());
  std::vector<std::shared_ptr<Session>> out;
  for (const auto& [since, ptr] : idle) {
    if (static_cast<int>(out.size()) >= n) break;
    if (auto s = sessions_[ptr].session.lock()) out.push_back(std::move(s));
  }
  return out;
}

void HttpServer::Impl::ShedIdle(int n) {
  std::vector<std::shared_ptr<Session>> idle;
  {
    absl::MutexLock lock(&mu_);
    idle = OldestIdleLocked(n);
  }
  for (auto& s : idle) s->Shed();
}

void HttpServer::Impl::Shutdown(absl::Duration drain) {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  stopping_.store(true, std::memory_order_release);
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_pause_.cancel();
  });
  auto each_session = [this](auto fn) {
    std::vector<std::shared_ptr<Session>> live;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [ptr, entry] : sessions_) {
        if (auto s = entry.session.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) fn(*s);
  };
  each_session([](Session& s) { s.CloseIfIdle(); });
  auto empty = +[](SessionMap* m) { return m->empty(); };
  {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(empty, &sessions_), drain);
  }
  // Whatever is left is closed on its own strand; give those closes a
  // moment to run before the threads stop.
  each_session([](Session& s) { s.ForceClose(); });
  {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(empty, &sessions_), absl::Seconds(1));
  }
  work_.reset();
  ioc_.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { impl_->Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                              HttpHandler handler) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  absl::Status s = impl->Listen();
  if (!s.ok()) return s;
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port(); }

void HttpServer::Shutdown(absl::Duration drain) { impl_->Shutdown(drain); }

int HttpServer::open_connections() const { return impl_->open_connections(); }

int HttpServer::max_connections() const { return impl_->max_connections(); }

}  // namespace kaizen::gateway

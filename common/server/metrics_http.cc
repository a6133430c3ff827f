#include "common/server/metrics_http.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "common/server/listen_endpoint.h"
#include "common/status/errors.h"
#include "common/util/thread_name.h"

namespace kaizen::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

class Session;

}  // namespace

class MetricsHttpServer::Impl {
 public:
  Impl(MetricsHttpOptions options, std::function<std::string()> render)
      : options_(std::move(options)), render_(std::move(render)), acceptor_(ioc_), accept_pause_(ioc_) {}

  ~Impl() { Shutdown(); }

  absl::Status Listen() {
    absl::StatusOr<tcp::endpoint> endpoint =
        ParseListenEndpoint(options_.listen_address, options_.flag_name,
                            "expected host:port, e.g. 0.0.0.0:9100");
    if (!endpoint.ok()) return endpoint.status();
    beast::error_code ec = OpenAndListen(acceptor_, *endpoint);
    if (ec) {
      return errors::Unavailable(
          "PORT_IN_USE", absl::StrCat("cannot listen on ", options_.listen_address, " (--",
                                      options_.flag_name, "; is the port taken?)"));
    }
    port_ = acceptor_.local_endpoint(ec).port();
    return absl::OkStatus();
  }

  void Run() {
    Accept();
    thread_ = std::thread([this] {
      NameThisThread(kThreadMetrics);
      for (;;) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception&) {
          // A handler threw (e.g. bad_alloc while rendering): that connection
          // is gone; the listener goes on.
          std::fprintf(stderr, "{\"event\":\"metrics_http_error\"}\n");
        }
      }
    });
  }

  void Shutdown() {
    {
      absl::MutexLock lock(&mu_);
      if (shut_down_) return;
      shut_down_ = true;
    }
    // Everything below runs on the I/O thread; once the acceptor and the
    // sockets are closed no work is left and run() returns.
    net::post(ioc_, [this] {
      beast::error_code ec;
      acceptor_.close(ec);
      accept_pause_.cancel();
      for (Session* s : sessions_) CloseSession(s);
    });
    if (thread_.joinable()) thread_.join();
  }

  int port() const { return port_; }
  const MetricsHttpOptions& options() const { return options_; }
  std::string Render() const { return render_(); }

  // I/O thread only.
  void Register(Session* s) { sessions_.insert(s); }
  void Unregister(Session* s) { sessions_.erase(s); }

 private:
  void Accept();
  static void CloseSession(Session* s);

  const MetricsHttpOptions options_;
  const std::function<std::string()> render_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  // Declared before ioc_: sessions unregister while the io_context is
  // destroyed.
  std::set<Session*> sessions_;
  net::io_context ioc_{1};
  tcp::acceptor acceptor_;
  // The pause after a failed accept() (I/O thread only, like the flag).
  static constexpr std::chrono::milliseconds kAcceptBackoff{100};
  net::steady_timer accept_pause_;
  bool accept_paused_ = false;
  std::thread thread_;
  int port_ = 0;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, MetricsHttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {
    server_->Register(this);
  }
  ~Session() { server_->Unregister(this); }

  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options().max_header_bytes));
    parser_->body_limit(0);
    stream_.expires_after(absl::ToChronoNanoseconds(server_->options().idle_timeout));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

 private:
  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::header_limit) {
      return Refuse(http::status::request_header_fields_too_large, "request head too large\n");
    }
    if (ec == http::error::body_limit || ec == http::error::unexpected_body) {
      return Refuse(http::status::bad_request, "a request to /metrics has no body\n");
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return Refuse(http::status::bad_request, "malformed request\n");
    }
    if (ec) return Close();  // EOF, reset, timeout, shutdown
    const auto& req = parser_->get();
    const bool keep_alive = req.keep_alive();
    version_ = req.version();
    const bool head = req.method() == http::verb::head;
    if (req.method() != http::verb::get && !head) {
      return Answer(http::status::method_not_allowed, "only GET and HEAD\n", head, keep_alive);
    }
    absl::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));
    if (target != "/metrics") {
      return Answer(http::status::not_found, "not found; metrics are at /metrics\n", head,
                    keep_alive);
    }
    Answer(http::status::ok, server_->Render(), head, keep_alive,
           "text/plain; version=0.0.4; charset=utf-8");
  }

  // Answers a request that cannot be read, then closes: the send side first,
  // while what the client still sends is read and dropped (at most
  // kLingerBytes, within the idle timeout), so that closing with unread input
  // does not reset the connection and lose the answer on its way.
  void Refuse(http::status status, std::string body) {
    Answer(status, std::move(body), /*head=*/false, /*keep_alive=*/false,
           "text/plain; charset=utf-8", /*linger=*/true);
  }

  void Linger(std::size_t dropped) {
    if (dropped > kLingerBytes) return Close();
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this(), dropped](beast::error_code ec,
                                                                 std::size_t n) {
                              if (ec) return self->Close();
                              self->Linger(dropped + n);
                            });
  }

  void Answer(http::status status, std::string body, bool head, bool keep_alive,
              const char* content_type = "text/plain; charset=utf-8", bool linger = false) {
    auto res = std::make_shared<http::response<http::string_body>>(status, version_);
    res->set(http::field::content_type, content_type);
    res->set(http::field::cache_control, "no-store");
    if (status == http::status::method_not_allowed) res->set(http::field::allow, "GET, HEAD");
    res->keep_alive(keep_alive);
    // HEAD: the length of what GET would send, and no body.
    res->content_length(body.size());
    if (!head) res->body() = std::move(body);
    stream_.expires_after(absl::ToChronoNanoseconds(server_->options().idle_timeout));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, linger](beast::error_code ec,
                                                               std::size_t) {
                        if (!ec && linger) {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          return self->Linger(0);
                        }
                        if (ec || !res->keep_alive()) return self->Close();
                        self->ReadRequest();
                      });
  }

  static constexpr std::size_t kLingerBytes = 1 << 20;

  beast::tcp_stream stream_;
  MetricsHttpServer::Impl* server_;
  beast::flat_buffer buffer_{64 * 1024};  // bounded: headers are limited further
  std::optional<http::request_parser<http::empty_body>> parser_;
  char scratch_[4096];
  unsigned version_ = 11;
};

}  // namespace

void MetricsHttpServer::Impl::CloseSession(Session* s) { s->Close(); }

void MetricsHttpServer::Impl::Accept() {
  acceptor_.async_accept(ioc_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec && ec != net::error::connection_aborted) {
      // Out of descriptors (EMFILE, ENFILE, ENOBUFS, ENOMEM) or another
      // persistent failure: the pending connection keeps the listener
      // readable, so retrying at once would spin a core. Pause, then retry;
      // logged once per episode.
      if (!accept_paused_) {
        accept_paused_ = true;
        std::fprintf(stderr, "{\"event\":\"metrics_accept_paused\",\"errno\":%d}\n",
                     ec.value());
      }
      accept_pause_.expires_after(kAcceptBackoff);
      accept_pause_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open()) Accept();
      });
      return;
    }
    if (!ec) {
      if (accept_paused_) {
        accept_paused_ = false;
        std::fprintf(stderr, "{\"event\":\"metrics_accept_resumed\"}\n");
      }
      if (static_cast<int>(sessions_.size()) >= options_.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), this)->ReadRequest();
      }
    }
    Accept();
  });
}

MetricsHttpServer::MetricsHttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsHttpServer::~MetricsHttpServer() { impl_->Shutdown(); }

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    MetricsHttpOptions options, std::function<std::string()> render) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(render));
  absl::Status s = impl->Listen();
  if (!s.ok()) return s;
  impl->Run();
  return std::unique_ptr<MetricsHttpServer>(new MetricsHttpServer(std::move(impl)));
}

int MetricsHttpServer::port() const { return impl_->port(); }

void MetricsHttpServer::Shutdown() { impl_->Shutdown(); }

}  // namespace kaizen::server

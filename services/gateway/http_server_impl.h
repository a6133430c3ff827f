// Internal to services/gateway:http_server. HttpServer::Impl (the listener,
// the accept loop, connection caps and shedding, shutdown: http_server.cc) and
// internal::Session, one connection it admits (reading a request within the
// limits and timeouts, answering, keep-alive and lingering close:
// http_session.cc).
#ifndef KAIZEN_SERVICES_GATEWAY_HTTP_SERVER_IMPL_H_
#define KAIZEN_SERVICES_GATEWAY_HTTP_SERVER_IMPL_H_

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "services/gateway/http_listen.h"
#include "services/gateway/http_server.h"
#include "services/gateway/http_types.h"

namespace kaizen::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace internal {
class Session;
}  // namespace internal

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpHandler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        max_connections_(EffectiveMaxConnections(options_.max_connections, options_.io_threads)),
        iocs_(MakeContexts(std::max(1, options_.io_threads))),
        acceptor_(iocs_.front()->get_executor()),
        accept_pause_(acceptor_.get_executor()) {
    for (auto& ioc : iocs_) work_.push_back(net::make_work_guard(*ioc));
  }

  ~Impl() { Shutdown(absl::ZeroDuration()); }

  absl::Status Listen();

  void Run();

  void Shutdown(absl::Duration drain);

  const HttpServerOptions& options() const { return options_; }
  const HttpHandler& handler() const { return handler_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  int port() const { return port_; }
  int max_connections() const { return max_connections_; }

  void Unregister(internal::Session* s) {
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
    std::weak_ptr<internal::Session> session;
    std::string ip;
  };
  using SessionMap = std::map<internal::Session*, Entry>;

  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (int i = 0; i < n; ++i) {
      out.push_back(std::make_unique<net::io_context>(1));
      // Asio creates an io_context's reactor (three descriptors) with its
      // first socket; created now, so that a connection accepted while
      // descriptors run out is not lost to a reactor that cannot be made.
      tcp::socket reactor_now(*out.back());
    }
    return out;
  }
  void Accept();
  void Admit(tcp::socket socket);
  // Up to `n` live sessions waiting for a request, the longest-waiting
  // first. The caller drops the pointers after releasing mu_ (a last
  // reference runs ~Session, which takes mu_).
  std::vector<std::shared_ptr<internal::Session>> OldestIdleLocked(int n)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ShedIdle(int n);

  const HttpServerOptions options_;
  const HttpHandler handler_;
  const int max_connections_;
  // Declared before iocs_: sessions unregister while an io_context is
  // destroyed.
  mutable absl::Mutex mu_;
  SessionMap sessions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> per_ip_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> stopping_{false};
  // One io_context per I/O thread (each run by that thread alone, so a
  // connection's handlers never run concurrently without a strand, and the
  // threads never contend for one scheduler's lock); new connections go to
  // them in turn. The acceptor lives on the first.
  std::vector<std::unique_ptr<net::io_context>> iocs_;
  size_t next_ioc_ = 0;  // acceptor's thread only
  // Keep run() going while every session waits for the application (no
  // socket operation pending), e.g. after the acceptor closed on shutdown.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work_;
  tcp::acceptor acceptor_;
  // On the acceptor's thread: the pause after a failed accept().
  net::steady_timer accept_pause_;
  bool accept_paused_ = false;  // acceptor's thread only
  std::vector<std::thread> threads_;
  int port_ = 0;
};

namespace internal {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server, std::string remote_ip);
  ~Session();

  // Serves requests; with a non-OK `refusal` answers it at once and closes.
  void Start(absl::Status refusal);

  // Not closed and unregistered: for a connection refused before it starts.
  void Drop();

  // Monotonic time since which the connection waits for the first byte of
  // a request; 0 while a request is read, handled or answered.
  int64_t idle_since() const { return idle_since_.load(std::memory_order_acquire); }

  // From any thread: closes the connection unless a request is in flight.
  void CloseIfIdle();
  // From any thread: closes the connection if it still waits for a request
  // of which no byte has arrived.
  void Shed();
  void ForceClose();

 private:
  void ReadHeader(bool first);
  void ReadHead();
  void OnHeader(beast::error_code ec, std::size_t);
  void ReadBody();
  void OnReadError(beast::error_code ec);

  // Answers `error` through the application, then closes (no keep-alive).
  void Refuse(absl::Status error);

  void OnRead(beast::error_code ec, std::size_t);
  void Dispatch(HttpRequest request);
  void Write(HttpResponse response);

  // Graceful close after "Connection: close": send FIN, then read and drop
  // what the client still sends (bounded in time and bytes) before closing,
  // so unread input does not turn the close into a reset that could destroy
  // the answer in flight. Nothing read here is parsed.
  void Linger();
  void Drain();

  void Close();

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

}  // namespace internal
}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_HTTP_SERVER_IMPL_H_

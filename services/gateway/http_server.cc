// The HTTP server's listener and connections (http_server.h): HttpServer,
// its Impl's listen, accept loop, admission under the per-address and total
// caps, idle shedding when descriptors run out, and graceful shutdown. One
// connection's requests are read and answered in http_session.cc.
#include "services/gateway/http_server.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "boost/asio/post.hpp"
#include "boost/beast/core.hpp"
#include "common/server/listen_endpoint.h"
#include "common/status/errors.h"
#include "services/gateway/gateway_errors.h"
#include "services/gateway/http_listen.h"
#include "services/gateway/http_server_impl.h"

namespace kaizen::gateway {

using internal::Session;

namespace {

// Idle connections closed per failed accept() when descriptors run out.
constexpr int kShedOnExhaustion = 4;
// Connections from one address beyond its cap that still get a 429 answer;
// further ones are closed unanswered.
constexpr int kAnsweredRefusals = 8;

}  // namespace

absl::Status HttpServer::Impl::Listen() {
  absl::StatusOr<tcp::endpoint> endpoint = ParseListenEndpoint(options_.listen_address);
  if (!endpoint.ok()) return endpoint.status();
  beast::error_code ec = kaizen::server::OpenAndListen(acceptor_, *endpoint);
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

void HttpServer::Impl::Run() {
  Accept();
  for (auto& ioc : iocs_) {
    threads_.emplace_back([ioc = ioc.get()] {
      for (;;) {
        try {
          ioc->run();
          return;
        } catch (const std::exception& e) {
          // A handler threw (e.g. bad_alloc): log without details and go on.
          std::fprintf(stderr, "{\"service\":\"gateway\",\"event\":\"io_error\"}\n");
        }
      }
    });
  }
}

void HttpServer::Impl::Accept() {
  net::io_context& ioc = *iocs_[next_ioc_];
  next_ioc_ = (next_ioc_ + 1) % iocs_.size();
  acceptor_.async_accept(ioc, [this](beast::error_code ec, tcp::socket socket) {
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
  // Whatever is left is closed on its own thread; give those closes a
  // moment to run before the threads stop.
  each_session([](Session& s) { s.ForceClose(); });
  {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(empty, &sessions_), absl::Seconds(1));
  }
  work_.clear();
  for (auto& ioc : iocs_) ioc->stop();
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

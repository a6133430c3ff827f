// A tiny HTTP/1.1 listener that serves one thing: GET (or HEAD) /metrics, the
// process's metrics in the Prometheus text format 0.0.4. gRPC services start
// it next to their gRPC port when --metrics_listen is set (server.h); the
// gateway serves /metrics on its own HTTP port instead.
//
//   GET|HEAD /metrics (a query string is ignored)   200 text/plain; version=0.0.4
//   GET|HEAD any other path                         404
//   any other method                                405 (Allow: GET, HEAD)
//   a request with a body, a malformed request      400, then the connection closes
//   a request head over max_header_bytes            431, then the connection closes
//
// Threading: one I/O thread runs everything (Boost.Beast/Asio, asynchronous,
// so a slow client never holds up another). `render` runs on that thread for
// each GET and must be thread-safe and quick (MetricsRegistry is both).
// Bounds: at most max_connections open connections (more are closed at
// once), idle_timeout to read a request or write a response, keep-alive for
// scrapers that reuse a connection. Answers carry no request data, and
// nothing about a request is logged.
#ifndef KAIZEN_COMMON_SERVER_METRICS_HTTP_H_
#define KAIZEN_COMMON_SERVER_METRICS_HTTP_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kaizen::server {

struct MetricsHttpOptions {
  // host:port. The host is an IP literal or "localhost" ("[::1]:9100" for
  // IPv6); port 0 picks a free port (see port()).
  std::string listen_address = "127.0.0.1:0";
  // The flag the address came from, for error messages.
  std::string flag_name = "metrics_listen";
  size_t max_header_bytes = 8 * 1024;
  int max_connections = 16;
  absl::Duration idle_timeout = absl::Seconds(10);
};

class MetricsHttpServer {
 public:
  // Binds, listens and starts the I/O thread. INVALID_ARGUMENT INVALID_FLAG
  // (field: options.flag_name) for an address that is not host:port with an
  // IP host; UNAVAILABLE PORT_IN_USE when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      MetricsHttpOptions options, std::function<std::string()> render);

  // Shutdown().
  ~MetricsHttpServer();

  // The bound port.
  int port() const;

  // Closes the listener and every connection and joins the thread; a
  // response being written is cut off. Idempotent; thread-safe.
  void Shutdown();

  class Impl;

 private:
  explicit MetricsHttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_METRICS_HTTP_H_

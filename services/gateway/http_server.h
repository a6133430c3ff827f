// A small HTTP/1.1 server on Boost.Beast/Asio: keep-alive, bounded in every
// dimension, exceptions stop here.
//
// Threading: one io_context run by `io_threads` threads; each connection is a
// session on its own strand, so its handlers never run concurrently. The
// HttpHandler is called on an I/O thread and must not block: it answers
// through the HttpResponder, from any thread, and the response is written on
// the session's strand. Requests on one connection are handled one at a
// time (the next is read after the response is written).
//
// Bounds: request head <= max_header_bytes (else 431), body <= max_body_bytes
// (else 413, checked against Content-Length before the body is read, so a
// large upload is refused without reading it), at most max_connections open
// connections (more are closed at once), idle_timeout for reading a request
// and writing a response. "Expect: 100-continue" is answered.
// Transport errors (413, 431, malformed requests) are passed to the handler
// as HttpRequest::transport_error so the application formats them; the
// connection closes after that response.
#ifndef KAIZEN_SERVICES_GATEWAY_HTTP_SERVER_H_
#define KAIZEN_SERVICES_GATEWAY_HTTP_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/http_types.h"

namespace kaizen::gateway {

struct HttpServerOptions {
  // host:port; port 0 picks a free port. Host is an IP literal or
  // "localhost" (IPv6 literals in brackets: "[::1]:8080").
  std::string listen_address = "127.0.0.1:0";
  int io_threads = 2;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  int max_connections = 1024;
  absl::Duration idle_timeout = absl::Seconds(60);
};

class HttpServer {
 public:
  // Binds, listens and starts the I/O threads. UNAVAILABLE PORT_IN_USE when
  // the address cannot be bound; INVALID_ARGUMENT for a bad address.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                           HttpHandler handler);
  // Shutdown(0) if not done yet, then releases the io_context: responders
  // still held after this must not be called (the gateway waits for its
  // backend calls first).
  ~HttpServer();

  int port() const;

  // Graceful stop: closes the listener and idle connections, lets requests
  // in flight be answered (their connections then close) until `drain`
  // has passed, closes whatever is left and joins the I/O threads.
  // Idempotent; thread-safe; must not be called from an I/O thread.
  void Shutdown(absl::Duration drain);

  int open_connections() const;

  // Implementation detail; public only so that the .cc's session type can
  // name it.
  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_HTTP_SERVER_H_

// A small HTTP/1.1 server on Boost.Beast/Asio: keep-alive, bounded in every
// dimension, exceptions stop here.
//
// Threading: `io_threads` threads, each running its own io_context; new
// connections are spread over them in turn and a connection stays on its
// thread, so its handlers never run concurrently and the threads share no
// scheduler lock. The price: work on one connection's thread delays the
// other connections of that thread (no idle thread takes them over), so the
// handler must be quick as well as non-blocking. The HttpHandler is called
// on an I/O thread and must not block: it answers through the
// HttpResponder, from any thread, and the response is written on the
// connection's thread. Requests on one connection are handled one at a time
// (the next is read after the response is written).
//
// Bounds: request head <= max_header_bytes (else 431), body <= max_body_bytes
// (else 413, checked against Content-Length before the body is read, so a
// large upload is refused without reading it). "Expect: 100-continue" is
// answered. Framing is strict (http_framing.h): an ambiguous length is
// refused with 400 INVALID_MESSAGE_FRAMING before the body is read. The read
// buffer holds at most max_header_bytes + 64 KiB: a longer chunk-size line
// (chunk extensions) or trailer line is refused with 400
// INVALID_MESSAGE_FRAMING, and so is any chunked request with trailer
// fields (Beast would merge them into the headers).
// Transport errors (413, 431, 400 framing or malformed requests, 429 too
// many connections) are passed to the handler as
// HttpRequest::transport_error so the application formats them; the
// response then says "Connection: close" and the connection is closed
// gracefully: our side is shut down first and whatever the client still
// sends is read and discarded (for at most `linger_timeout`, 64 KiB), so the
// client reads the answer instead of a reset, and none of those bytes is
// ever read as a request.
//
// Connections and time:
//   header_timeout   a request head must arrive within this from its first
//                    byte (from the connection's start for the first
//                    request): a client trickling header bytes (slowloris)
//                    is closed, without an answer.
//   idle_timeout     a keep-alive connection waiting for its next request
//                    is closed after this; also the inactivity limit for
//                    reading a body and writing a response.
//   max_connections_per_ip   connections from one client address; over it
//                    the new connection is answered 429 TOO_MANY_CONNECTIONS
//                    and closed (a few more beyond that are closed at once,
//                    unanswered). 0: no per-address cap. IPv4-mapped IPv6
//                    peers count as their IPv4 address.
//   max_connections  all connections. At the cap, the connection idle the
//                    longest (waiting for a request, no byte of it read) is
//                    closed to make room; with none idle the new connection
//                    is closed at once. The cap is lowered at start to stay
//                    clear of the descriptor limit (RLIMIT_NOFILE minus a
//                    reserve for gRPC, backends and files, and 3 per I/O
//                    thread).
// When accept() fails for lack of descriptors (EMFILE, ENFILE, ENOBUFS,
// ENOMEM) the server closes up to four idle connections and pauses
// accepting for `accept_backoff` instead of retrying at once (a listening
// socket with a pending connection stays readable, so an immediate retry
// spins a core); the first failure of an episode and the recovery are
// logged once each on stderr. /healthz keeps answering as soon as a
// descriptor is free.
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
  int max_connections_per_ip = 64;  // 0: no per-address cap
  absl::Duration header_timeout = absl::Seconds(10);
  absl::Duration idle_timeout = absl::Seconds(60);
  absl::Duration accept_backoff = absl::Milliseconds(100);
  absl::Duration linger_timeout = absl::Seconds(2);
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

  // The connection cap in force (max_connections, lowered to fit the
  // descriptor limit seen at start).
  int max_connections() const;

  // Implementation detail; public only so that the .cc's session type can
  // name it.
  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_HTTP_SERVER_H_

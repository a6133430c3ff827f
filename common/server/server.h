// The gRPC server bootstrap every Kaizen service uses.
//
// Threading model: gRPC's callback API. gRPC's own few threads read and
// write the sockets and only queue each call on the server's CallExecutor
// (call_executor.h): ServerOptions::handler_threads workers (default 64) run
// the handlers in arrival order; they may block on SQLite (reads on pooled
// reader connections, writes funnelled into the single writer's group commit,
// common/storage/database.h). Up to ServerOptions::max_queued_calls calls
// (default 1024) wait for a worker; past that bound a call is answered
// RESOURCE_EXHAUSTED SERVER_OVERLOADED with retry advice (unary_call.h).
// Services derive from server::ExecutorBound; Start binds them to the
// executor. (A synchronous service, e.g. a test fake, still works: gRPC then
// runs it on its own sync thread pool.)
//
// Every server gets: the standard grpc.health.v1 service (overall "" and one
// status per registered service; with a readiness probe, NOT_SERVING while
// the probe fails, see readiness.h), server reflection only when
// options.reflection is set (off by default: it is unauthenticated and lists
// every method), keepalive and connection age limits
// (connection_options.h), request ids, JSON access
// logs and metrics (common/server/interceptors.h), and message size limits.
// With options.metrics_listen set it also serves GET /metrics over HTTP on
// that address (common/server/metrics_http.h): the gRPC request families, the
// in-flight gauge and the process metrics (process_metrics.h).
#ifndef KAIZEN_COMMON_SERVER_SERVER_H_
#define KAIZEN_COMMON_SERVER_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/server/call_executor.h"
#include "common/server/interceptors.h"
#include "common/server/metrics.h"
#include "common/server/metrics_http.h"
#include "common/server/options.h"
#include "common/server/readiness.h"
#include "grpcpp/server.h"

namespace kaizen::server {

// A service to register, with its full proto name for health checks
// (e.g. EnrollmentService::service_full_name()).
struct RegisteredService {
  std::string full_name;
  grpc::Service* service;  // not owned
};

class GrpcServer {
 public:
  // Builds and starts the server with `services` (not owned; they must
  // outlive the server). UNAVAILABLE with reason PORT_IN_USE when the address
  // cannot be bound. `sink` overrides the access-log sink (tests).
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const ServerOptions& options,
      const std::vector<RegisteredService>& services, LogSink sink = nullptr,
      ReadinessProbe readiness = nullptr);

  ~GrpcServer();

  // The bound port (useful with port 0).
  int port() const { return port_; }
  // The bound port of the GET /metrics listener (options.metrics_listen),
  // 0 when there is none.
  int metrics_port() const { return metrics_http_ == nullptr ? 0 : metrics_http_->port(); }
  Metrics& metrics() { return *metrics_; }

  // Graceful stop: every health status turns NOT_SERVING, the listener
  // closes, in-flight calls may finish until drain_deadline, then the rest
  // are cancelled. Idempotent and thread-safe. With no client connected this
  // returns in milliseconds; with idle clients still connected, gRPC's
  // graceful GOAWAY handshake measured ~4-5 s here (always bounded by
  // drain_deadline).
  void Shutdown();

  // Blocks until the server has shut down.
  void Wait();

  // Runs the readiness probe now and applies it (tests; the server also
  // polls every second). No effect without a probe or after Shutdown().
  void RefreshReadiness() {
    if (readiness_ != nullptr) readiness_->Refresh();
  }

 private:
  GrpcServer() = default;

  ServerOptions options_;
  std::unique_ptr<Metrics> metrics_;
  // Declared before server_: destroyed after it, since the server's drain
  // waits for the calls still queued here to finish.
  std::unique_ptr<CallExecutor> executor_;
  std::unique_ptr<grpc::Server> server_;
  // Declared after server_: stopped after the drain (scrapes still work
  // while calls finish), destroyed before the metrics it renders.
  std::unique_ptr<MetricsHttpServer> metrics_http_;
  std::vector<std::string> service_names_;
  std::unique_ptr<ReadinessPoller> readiness_;  // null without a probe
  int port_ = 0;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

// Returns the heap pages freed after start-up (descriptor tables, the
// OpenAPI document's scratch, migration text) to the kernel (malloc_trim, and
// jemalloc's arena purge in a binary linked with it), so
// an idle process's RSS is what it really keeps. Called once by
// ServeUntilSignal and by the gateway's main() after they listen.
void ReleaseStartupMemory();

// SIGTERM/SIGINT handling through a self-pipe: the signal handler only
// writes a byte; WaitForShutdownSignal reads it on an ordinary thread.
// InstallShutdownSignalHandlers is idempotent.
void InstallShutdownSignalHandlers();
// Blocks until SIGTERM or SIGINT arrives (after installation); returns it.
int WaitForShutdownSignal();

// The standard tail of every main(): start, log the address, wait for a
// signal, drain, return the process exit code. Start errors are printed
// (without secrets) and give exit code 1.
// storage::ProcessStorageHealth (common/storage/storage_stats.h): every
// Database open in this process.
ReadinessProbe DefaultReadinessProbe();

// Readiness follows `readiness`, by default the process's storage health,
// polled every second.
int ServeUntilSignal(const ServerOptions& options,
                     const std::vector<RegisteredService>& services,
                     ReadinessProbe readiness = DefaultReadinessProbe());

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_SERVER_H_

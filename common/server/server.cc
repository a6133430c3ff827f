#include "common/server/server.h"

#include <dlfcn.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/auth/tls.h"
#include "common/server/principal_context.h"
#include "common/server/unary_call.h"
#include "common/server/process_metrics.h"
#include "common/server/connection_options.h"
#include "common/status/errors.h"
#include "common/storage/storage_stats.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/impl/codegen/service_type.h"

namespace kaizen::server {
namespace {

int g_signal_pipe[2] = {-1, -1};

void OnSignal(int signo) {
  const char byte = static_cast<char>(signo);
  // write() is async-signal-safe; nothing else happens here.
  (void)!write(g_signal_pipe[1], &byte, 1);
}

// gRPC's reflection library adds its plugin to every ServerBuilder of the
// process from a static initializer, as soon as the library is loaded; there
// is no way to leave it off one server. So binaries do not link it, and it is
// loaded here only when reflection is asked for (from then on every server
// of this process has it; a service binary builds one).
absl::Status LoadReflectionPlugin() {
  static void* const handle = [] {
    void* h = dlopen("libgrpc++_reflection.so.1.51", RTLD_NOW | RTLD_GLOBAL);
    return h != nullptr ? h : dlopen("libgrpc++_reflection.so", RTLD_NOW | RTLD_GLOBAL);
  }();
  if (handle == nullptr) {
    return errors::Unavailable("REFLECTION_UNAVAILABLE",
                               "--reflection needs libgrpc++_reflection.so (Debian package "
                               "libgrpc++-dev), which cannot be loaded");
  }
  return absl::OkStatus();
}

// Queue depth and refusals of the handler executor, read at scrape time.
void AddExecutorMetrics(const CallExecutor* executor, MetricsRegistry* registry) {
  registry->AddCollector([executor](std::string* out) {
    const CallExecutor::Stats s = executor->stats();
    AppendPrometheusSample(out, "gauge", "kaizen_grpc_server_queued_calls",
                           "Calls waiting for a handler thread.", static_cast<double>(s.queued));
    AppendPrometheusSample(out, "gauge", "kaizen_grpc_server_running_calls",
                           "Calls on a handler thread now.", static_cast<double>(s.running));
    AppendPrometheusSample(out, "counter", "kaizen_grpc_server_overloaded_total",
                           "Calls refused with SERVER_OVERLOADED (the queue was full).",
                           static_cast<double>(s.rejected_total));
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const ServerOptions& options,
    const std::vector<RegisteredService>& services, LogSink sink,
    ReadinessProbe readiness) {
  std::unique_ptr<GrpcServer> server(new GrpcServer());
  server->options_ = options;
  server->metrics_ = std::make_unique<Metrics>("kaizen_grpc_server");
  AddProcessMetrics(&server->metrics_->registry());
  // Storage health of every database in the process, rendered at scrape time.
  server->metrics_->registry().AddCollector([](std::string* out) {
    const storage::StorageStatsSnapshot s = storage::GlobalStorageStats();
    const struct {
      const char* name;
      const char* help;
      int64_t value;
    } counters[] = {
        {"kaizen_storage_commits_total",
         "Durable commits (one fsync each; a group commit counts once).", s.commits},
        {"kaizen_storage_write_requests_total",
         "Write transactions asked for (RunInTransaction calls, refused ones included).",
         s.write_requests},
        {"kaizen_storage_write_batches_total",
         "Group-commit batches led (requests / batches = mean batch size).", s.write_batches},
        {"kaizen_storage_rollbacks_total", "Write requests whose writes were discarded (any reason).",
         s.rollbacks},
        {"kaizen_storage_busy_total", "Operations that gave up with DATABASE_BUSY.", s.busy},
        {"kaizen_storage_errors_total", "Operations failed by SQLite or the file system.",
         s.errors},
        {"kaizen_storage_corrupt_total", "Times a database was found corrupt.", s.corrupt},
        {"kaizen_storage_disk_full_total", "Times a database's disk was full.", s.disk_full},
        {"kaizen_storage_read_only_total", "Times a database was found read-only.", s.read_only},
        {"kaizen_storage_missing_total", "Times a database file was found deleted.", s.missing},
    };
    for (const auto& c : counters) {
      AppendPrometheusSample(out, "counter", c.name, c.help, static_cast<double>(c.value));
    }
    AppendPrometheusSample(out, "gauge", "kaizen_storage_healthy",
                           "1 when every database of the process is healthy.", s.healthy ? 1 : 0);
  });
  if (!options.metrics_listen.empty()) {
    // Before the gRPC port, so a taken metrics port stops the start cleanly.
    MetricsHttpOptions http;
    http.listen_address = options.metrics_listen;
    Metrics* metrics = server->metrics_.get();
    absl::StatusOr<std::unique_ptr<MetricsHttpServer>> metrics_http =
        MetricsHttpServer::Start(http, [metrics] { return metrics->RenderPrometheus(); });
    if (!metrics_http.ok()) return metrics_http.status();
    server->metrics_http_ = std::move(*metrics_http);
  }

  grpc::EnableDefaultHealthCheckService(true);
  if (options.reflection) {
    absl::Status loaded = LoadReflectionPlugin();
    if (!loaded.ok()) return loaded;
  }

  grpc::ServerBuilder builder;
  // TLS when options.tls has a certificate (common/auth/tls.h), else plaintext.
  builder.AddListeningPort(options.listen_address, auth::ServerCredentialsFor(options.tls),
                           &server->port_);
  // gRPC sets SO_REUSEPORT by default, which would let a second server
  // silently share a taken port; we want "port in use" instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  ApplyConnectionOptions(options.connection, &builder);
  // Every Kaizen service runs on the callback API (unary_call.h): gRPC's
  // threads only queue calls on this executor, whose workers run them.
  server->executor_ = std::make_unique<CallExecutor>(
      CallExecutor::Options{options.handler_threads, options.max_queued_calls});
  AddExecutorMetrics(server->executor_.get(), &server->metrics_->registry());
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  for (const RegisteredService& s : services) {
    if (auto* bound = dynamic_cast<ExecutorBound*>(s.service); bound != nullptr) {
      bound->BindExecutor(server->executor_.get());
    }
    builder.RegisterService(s.service);
    server->service_names_.push_back(s.full_name);
  }

  if (!sink && options.access_log) sink = StderrSink();
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  // Records the called method, which PrincipalFromContext verifies the
  // forwarded principal's credential against.
  interceptors.push_back(MakeCalledMethodInterceptorFactory());
  interceptors.push_back(MakeObservabilityInterceptorFactory(
      options.service_name, server->metrics_.get(), std::move(sink)));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return errors::Unavailable(
        "PORT_IN_USE",
        absl::StrCat("cannot listen on ", options.listen_address,
                     " (is the port taken?)"));
  }
  grpc::HealthCheckServiceInterface* health =
      server->server_->GetHealthCheckService();
  for (const auto& name : server->service_names_) {
    health->SetServingStatus(name, true);
  }
  health->SetServingStatus(true);
  // Liveness: SERVING until Shutdown() (which sets every status NOT_SERVING);
  // the ReadinessPoller never flips it (readiness.h).
  health->SetServingStatus(kLivenessService, true);
  if (readiness) {
    server->readiness_ = std::make_unique<ReadinessPoller>(
        std::move(readiness), health, server->service_names_, options.service_name,
        absl::Seconds(1));
    server->readiness_->Refresh();
  }
  return server;
}

GrpcServer::~GrpcServer() {
  Shutdown();
  Wait();
}

void GrpcServer::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_ || server_ == nullptr) return;
    shut_down_ = true;
  }
  // First, so no poll turns a draining server SERVING again.
  if (readiness_ != nullptr) readiness_->Stop();
  if (auto* health = server_->GetHealthCheckService(); health != nullptr) {
    health->SetServingStatus(false);
  }
  server_->Shutdown(
      absl::ToChronoTime(absl::Now() + options_.drain_deadline));
  if (metrics_http_ != nullptr) metrics_http_->Shutdown();
}

void GrpcServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

void ReleaseStartupMemory() {
  malloc_trim(0);
  // A binary linked with jemalloc (the enrollment server, third_party/BUILD)
  // allocates outside glibc's heap, which malloc_trim does not reach: ask
  // jemalloc, when it is there, to return every arena's unused pages
  // (MALLCTL_ARENAS_ALL = 4096).
  using Mallctl = int (*)(const char*, void*, size_t*, void*, size_t);
  if (auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"))) {
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
  }
}

void InstallShutdownSignalHandlers() {
  static const bool installed = [] {
    if (pipe(g_signal_pipe) != 0) return false;
    struct sigaction action = {};
    action.sa_handler = OnSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    return true;
  }();
  (void)installed;
}

int WaitForShutdownSignal() {
  InstallShutdownSignalHandlers();
  char byte = 0;
  while (read(g_signal_pipe[0], &byte, 1) != 1) {
    if (errno != EINTR) return 0;
  }
  return byte;
}

ReadinessProbe DefaultReadinessProbe() { return storage::ProcessStorageHealth; }

int ServeUntilSignal(const ServerOptions& options,
                     const std::vector<RegisteredService>& services,
                     ReadinessProbe readiness) {
  // Debian builds Abseil with mutex deadlock detection on: a graph update
  // per lock, visible in profiles. Production binaries turn it off; tests
  // (which never come through here) keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  InstallShutdownSignalHandlers();
  absl::StatusOr<std::unique_ptr<GrpcServer>> server =
      GrpcServer::Start(options, services, nullptr, std::move(readiness));
  if (!server.ok()) {
    std::fprintf(stderr, "%s: %s\n", options.service_name.c_str(),
                 std::string(server.status().message()).c_str());
    return 1;
  }
  if (!options.port_file.empty()) {
    // Write then rename, so a reader never sees a half-written file.
    const std::string tmp = options.port_file + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr || std::fprintf(f, "%d\n", (*server)->port()) < 0 ||
        std::fclose(f) != 0 || std::rename(tmp.c_str(), options.port_file.c_str()) != 0) {
      std::fprintf(stderr, "%s: cannot write the port file\n", options.service_name.c_str());
      return 1;
    }
  }
  std::fprintf(stderr,
               "{\"service\":\"%s\",\"event\":\"listening\",\"port\":%d}\n",
               options.service_name.c_str(), (*server)->port());
  if ((*server)->metrics_port() != 0) {
    std::fprintf(stderr,
                 "{\"service\":\"%s\",\"event\":\"metrics_listening\",\"port\":%d}\n",
                 options.service_name.c_str(), (*server)->metrics_port());
  }
  ReleaseStartupMemory();
  const int signo = WaitForShutdownSignal();
  std::fprintf(stderr,
               "{\"service\":\"%s\",\"event\":\"draining\",\"signal\":%d}\n",
               options.service_name.c_str(), signo);
  (*server)->Shutdown();
  (*server)->Wait();
  std::fprintf(stderr, "{\"service\":\"%s\",\"event\":\"stopped\"}\n",
               options.service_name.c_str());
  return 0;
}

}  // namespace kaizen::server

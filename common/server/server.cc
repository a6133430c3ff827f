#include "common/server/server.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace kaizen::server {
namespace {

int g_signal_pipe[2] = {-1, -1};

void OnSignal(int signo) {
  const char byte = static_cast<char>(signo);
  // write() is async-signal-safe; nothing else happens here.
  (void)!write(g_signal_pipe[1], &byte, 1);
}

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const ServerOptions& options,
    const std::vector<RegisteredService>& services, LogSink sink) {
  std::unique_ptr<GrpcServer> server(new GrpcServer());
  server->options_ = options;
  server->metrics_ = std::make_unique<Metrics>("kaizen_grpc_server");

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address,
                           grpc::InsecureServerCredentials(), &server->port_);
  // gRPC sets SO_REUSEPORT by default, which would let a second server
  // silently share a taken port; we want "port in use" instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  grpc::ResourceQuota quota(absl::StrCat(options.service_name, "-quota"));
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  for (const RegisteredService& s : services) {
    builder.RegisterService(s.service);
    server->service_names_.push_back(s.full_name);
  }

  if (!sink && options.access_log) sink = StderrSink();
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
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
  if (auto* health = server_->GetHealthCheckService(); health != nullptr) {
    health->SetServingStatus(false);
  }
  server_->Shutdown(
      absl::ToChronoTime(absl::Now() + options_.drain_deadline));
}

void GrpcServer::Wait() {
  if (server_ != nullptr) server_->Wait();
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

int ServeUntilSignal(const ServerOptions& options,
                     const std::vector<RegisteredService>& services) {
  // Debian builds Abseil with mutex deadlock detection on: a graph update
  // per lock, visible in profiles. Production binaries turn it off; tests
  // (which never come through here) keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  InstallShutdownSignalHandlers();
  absl::StatusOr<std::unique_ptr<GrpcServer>> server =
      GrpcServer::Start(options, services);
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

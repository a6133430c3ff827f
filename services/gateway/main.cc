// The gateway: flags -> GatewayOptions -> Gateway::Start -> serve until
// SIGTERM/SIGINT -> drain -> exit 0.
#include <cstdio>
#include <string>

#include "absl/flags/parse.h"
#include "absl/synchronization/mutex.h"
#include "common/server/interceptors.h"
#include "common/server/server.h"
#include "common/util/clock.h"
#include "services/gateway/gateway.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/linked_apis.h"

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // Debian's libabsl is built with Mutex deadlock detection on (a debug
  // aid that shows up in profiles): off for the gateway's hot paths.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  namespace gw = kaizen::gateway;
  absl::StatusOr<gw::GatewayOptions> options = gw::GatewayOptionsFromFlags();
  if (!options.ok()) {  // INVALID_FLAG: names the flag, never a secret
    std::fprintf(stderr, "gateway: %s\n", std::string(options.status().message()).c_str());
    return 2;
  }
  options->api_descriptor_sets = &gw::LinkedApiDescriptorSets();  // OpenAPI's descriptions
  kaizen::server::InstallShutdownSignalHandlers();
  absl::StatusOr<std::unique_ptr<gw::Gateway>> gateway = gw::Gateway::Start(
      *options, kaizen::Clock::Real(),
      options->access_log ? kaizen::server::StderrSink() : kaizen::server::LogSink());
  if (!gateway.ok()) {
    std::fprintf(stderr, "gateway: %s\n", std::string(gateway.status().message()).c_str());
    return 1;
  }
  for (const auto& [path, port] :
       {std::pair{options->http_port_file, (*gateway)->http_port()},
        std::pair{options->grpc_port_file, (*gateway)->grpc_port()}}) {
    if (!path.empty() && !gw::WritePortFile(path, port).ok()) {
      std::fprintf(stderr, "gateway: cannot write the port file\n");
      return 1;
    }
  }
  std::fprintf(stderr,
               "{\"service\":\"gateway\",\"event\":\"listening\",\"http_port\":%d,"
               "\"grpc_port\":%d,\"routes\":%zu,\"apis\":%zu}\n",
               (*gateway)->http_port(), (*gateway)->grpc_port(),
               (*gateway)->routes().routes().size(), gw::LinkedApiFiles().size());
  kaizen::server::ReleaseStartupMemory();
  const int signo = kaizen::server::WaitForShutdownSignal();
  std::fprintf(stderr, "{\"service\":\"gateway\",\"event\":\"draining\",\"signal\":%d}\n", signo);
  (*gateway)->Shutdown();
  gateway->reset();
  std::fprintf(stderr, "{\"service\":\"gateway\",\"event\":\"stopped\"}\n");
  return 0;
}

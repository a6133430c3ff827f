// kaizen_health_probe: asks a gRPC server's standard health service
// (grpc.health.v1.Health/Check) whether it is SERVING. Debian ships no
// grpc_health_probe, and the images have no shell tools to speak gRPC, so
// compose healthchecks (and anyone with `podman exec`) use this one.
// Kubernetes does not need it: its probes speak gRPC natively.
//
//   kaizen_health_probe [--addr=127.0.0.1:50051] [--service=NAME] [--timeout_ms=1000]
//
// Exit codes: 0 SERVING; 1 answered, but not SERVING; 2 no answer (refused,
// deadline, UNIMPLEMENTED, ...); 3 bad arguments. One line on stderr says why
// whenever the exit code is not 0.
#include <chrono>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"

ABSL_FLAG(std::string, addr, "127.0.0.1:50051", "host:port of the gRPC server");
ABSL_FLAG(std::string, service, "",
          "service name to check (empty: the server as a whole)");
ABSL_FLAG(int, timeout_ms, 1000, "deadline of the check, 1..60000 ms");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Checks grpc.health.v1.Health/Check; exit 0 when SERVING.");
  absl::ParseCommandLine(argc, argv);
  const std::string addr = absl::GetFlag(FLAGS_addr);
  const int timeout_ms = absl::GetFlag(FLAGS_timeout_ms);
  if (addr.empty() || addr.find(':') == std::string::npos) {
    std::fprintf(stderr, "health_probe: --addr must be host:port, got '%s'\n",
                 addr.c_str());
    return 3;
  }
  if (timeout_ms < 1 || timeout_ms > 60000) {
    std::fprintf(stderr, "health_probe: --timeout_ms must be 1..60000, got %d\n",
                 timeout_ms);
    return 3;
  }

  auto channel =
      grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(timeout_ms));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(absl::GetFlag(FLAGS_service));
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "health_probe: %s: no answer: code %d: %s\n",
                 addr.c_str(), static_cast<int>(status.error_code()),
                 status.error_message().c_str());
    return 2;
  }
  if (response.status() !=
      grpc::health::v1::HealthCheckResponse::SERVING) {
    std::fprintf(stderr, "health_probe: %s: %s\n", addr.c_str(),
                 grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                     response.status())
                     .c_str());
    return 1;
  }
  return 0;
}

// kaizen_health_probe: asks a gRPC server's standard health service
// (grpc.health.v1.Health/Check) whether it is SERVING. Debian ships no
// grpc_health_probe, and the images have no shell tools to speak gRPC, so
// compose healthchecks (and anyone with `podman exec`) use this one.
// Kubernetes' native gRPC probes speak plaintext only: with TLS between
// services, exec probes run this one with the --tls_* flags.
//
//   kaizen_health_probe [--addr=127.0.0.1:50051] [--service=NAME] [--timeout_ms=1000]
//       [--tls_ca_file=CA.pem [--tls_cert_file=C.pem --tls_key_file=K.pem]
//        [--tls_server_name=NAME]]
//
// --service=kaizen.liveness asks whether the process is alive (SERVING until
// shutdown); "" (the default) whether it is ready (NOT_SERVING on storage
// faults), common/server/readiness.h.
//
// Exit codes: 0 SERVING; 1 answered, but not SERVING; 2 no answer (refused,
// deadline, UNIMPLEMENTED, ...); 3 bad arguments. One line on stderr says why
// whenever the exit code is not 0.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/security/credentials.h"

ABSL_FLAG(std::string, addr, "127.0.0.1:50051", "host:port of the gRPC server");
ABSL_FLAG(std::string, service, "",
          "service name to check (empty: the server as a whole)");
ABSL_FLAG(int, timeout_ms, 1000, "deadline of the check, 1..60000 ms");
ABSL_FLAG(std::string, tls_ca_file, "",
          "PEM CA that signed the server's certificate; set: speak TLS (empty: plaintext)");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM client certificate, for a server that requires one (needs --tls_key_file)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(std::string, tls_server_name, "",
          "name to verify the server's certificate against (empty: the host of --addr)");

namespace {

// The whole file, or false with `error` set.
bool ReadFile(const std::string& flag, const std::string& path, std::string* out,
              std::string* error) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in.good() && !in.eof()) {
    *error = "--" + flag + ": cannot read '" + path + "'";
    return false;
  }
  *out = buffer.str();
  if (out->empty()) {
    *error = "--" + flag + ": '" + path + "' is missing or empty";
    return false;
  }
  return true;
}

// Plaintext without --tls_ca_file; else TLS (mutual with a client pair).
bool Credentials(std::shared_ptr<grpc::ChannelCredentials>* creds, std::string* error) {
  const std::string ca = absl::GetFlag(FLAGS_tls_ca_file);
  const std::string cert = absl::GetFlag(FLAGS_tls_cert_file);
  const std::string key = absl::GetFlag(FLAGS_tls_key_file);
  if (ca.empty()) {
    if (!cert.empty() || !key.empty() || !absl::GetFlag(FLAGS_tls_server_name).empty()) {
      *error = "--tls_cert_file, --tls_key_file and --tls_server_name need --tls_ca_file";
      return false;
    }
    *creds = grpc::InsecureChannelCredentials();
    return true;
  }
  if (cert.empty() != key.empty()) {
    *error = "--tls_cert_file and --tls_key_file go together";
    return false;
  }
  grpc::SslCredentialsOptions options;
  if (!ReadFile("tls_ca_file", ca, &options.pem_root_certs, error)) return false;
  if (!cert.empty() &&
      (!ReadFile("tls_cert_file", cert, &options.pem_cert_chain, error) ||
       !ReadFile("tls_key_file", key, &options.pem_private_key, error))) {
    return false;
  }
  *creds = grpc::SslCredentials(options);
  return true;
}

}  // namespace

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

  std::shared_ptr<grpc::ChannelCredentials> creds;
  std::string error;
  if (!Credentials(&creds, &error)) {
    std::fprintf(stderr, "health_probe: %s\n", error.c_str());
    return 3;
  }
  grpc::ChannelArguments args;
  if (const std::string name = absl::GetFlag(FLAGS_tls_server_name); !name.empty()) {
    args.SetSslTargetNameOverride(name);
  }
  auto channel = grpc::CreateCustomChannel(addr, creds, args);
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

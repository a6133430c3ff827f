// Starting the servers (the measured stack and the timed single starts).
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "tools/bench/scenarios.h"

namespace kaizen::bench {
namespace {

std::string Address(int port) { return absl::StrCat("127.0.0.1:", port); }

// The port in `file` once the child has written it whole, else 0.
int ReadPortFile(const std::string& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  int port = 0;
  return absl::SimpleAtoi(absl::StripAsciiWhitespace(text.str()), &port) && port > 0 ? port : 0;
}

}  // namespace

testkit::ChildProcess::Env ServerEnv() { return {{"KAIZEN_INTERNAL_SECRET", kInternalSecret}}; }

std::vector<std::string> ServiceArgs(const Stack& stack, const std::string& service,
                                     const std::string& db, const std::string& port_file) {
  std::vector<std::string> args = {stack.bin_dir + "/" + service + "_server",
                                   "--listen=127.0.0.1:0", "--db=" + db,
                                   "--port_file=" + port_file, "--access_log=false"};
  // Enrollment calls the others only for purges (lazy channels): none here.
  if (service == "scheduling") {
    args.push_back("--enrollment=" + Address(stack.enrollment_port));
  } else if (service == "plans" || service == "survey") {
    args.push_back("--enrollment=" + Address(stack.enrollment_port));
    args.push_back("--scheduling=" + Address(stack.scheduling_port));
  }
  return args;
}

std::vector<std::string> GatewayArgs(const Stack& stack, const std::string& http_port_file,
                                     const std::string& grpc_port_file) {
  return {stack.bin_dir + "/gateway_server",
          "--http_listen=127.0.0.1:0",
          "--grpc_listen=127.0.0.1:0",
          "--http_port_file=" + http_port_file,
          "--grpc_port_file=" + grpc_port_file,
          absl::StrCat("--backends=kaizen.enrollment.v1.EnrollmentService=",
                       Address(stack.enrollment_port), ",kaizen.scheduling.v1.SchedulingService=",
                       Address(stack.scheduling_port), ",kaizen.plans.v1.PlansService=",
                       Address(stack.plans_port), ",kaizen.survey.v1.SurveyService=",
                       Address(stack.survey_port)),
          "--jwt_hs256_secret_file=" + stack.dir + "/jwt-secret",
          "--rate_limit_per_second=0",
          "--access_log=false"};
}

void StartStack(Stack& stack) {
  std::ofstream(stack.dir + "/jwt-secret") << kJwtSecret;
  std::ofstream(stack.dir + "/internal-secret") << kInternalSecret;
  auto start = [&](const std::string& name, int* port) {
    const std::string port_file = stack.dir + "/" + name + ".port";
    const std::string log = stack.dir + "/" + name + ".log";
    auto child = StartChild(ServiceArgs(stack, name, stack.dir + "/" + name + ".db", port_file),
                            log, ServerEnv());
    *port = WaitForPort(*child, port_file, name, log);
    return child;
  };
  stack.enrollment = start("enrollment", &stack.enrollment_port);
  stack.scheduling = start("scheduling", &stack.scheduling_port);
  stack.plans = start("plans", &stack.plans_port);
  stack.survey = start("survey", &stack.survey_port);
  const std::string log = stack.dir + "/gateway.log";
  stack.gateway = StartChild(
      GatewayArgs(stack, stack.dir + "/gateway-http.port", stack.dir + "/gateway-grpc.port"), log,
      ServerEnv());
  stack.http_port = WaitForPort(*stack.gateway, stack.dir + "/gateway-http.port", "gateway", log);
  stack.grpc_port = WaitForPort(*stack.gateway, stack.dir + "/gateway-grpc.port", "gateway", log);
  const std::string mint = absl::StrCat(stack.bin_dir, "/mint_token --jwt_hs256_secret_file=",
                                        stack.dir, "/jwt-secret --sub=bench-secretariat ",
                                        "--roles=secretariat --ttl=8h");
  if (FILE* pipe = popen(mint.c_str(), "r"); pipe != nullptr) {
    char buf[4096];
    while (fgets(buf, sizeof buf, pipe) != nullptr) stack.secretariat_jwt += buf;
    pclose(pipe);
  }
  stack.secretariat_jwt = std::string(absl::StripAsciiWhitespace(stack.secretariat_jwt));
  if (stack.secretariat_jwt.empty()) {
    std::fprintf(stderr, "bench: %s/mint_token printed no token\n", stack.bin_dir.c_str());
    std::exit(1);
  }
}

void AddPrincipal(grpc::ClientContext* ctx, const kaizen::type::Principal& principal,
                  const std::string& method) {
  static const auth::PrincipalSigner* signer = new auth::PrincipalSigner(kInternalSecret);
  const auto signed_principal = signer->Sign(principal, method);
  ctx->AddMetadata(auth::kPrincipalMetadataKey, signed_principal.principal_bytes);
  ctx->AddMetadata(auth::kSignatureMetadataKey, signed_principal.signature);
}

kaizen::type::Principal Secretariat() {
  kaizen::type::Principal p;
  p.set_subject("bench-secretariat");
  p.add_roles(kaizen::type::ROLE_SECRETARIAT);
  return p;
}

StartResult MeasureStart(const Stack& stack, const std::string& service, int attempt,
                         double idle_seconds) {
  const std::string dir = absl::StrCat(stack.dir, "/start-", service, "-", attempt);
  mkdir(dir.c_str(), 0700);
  const std::string port_file = dir + "/grpc.port";
  const std::string log = dir + "/" + service + ".log";
  const std::vector<std::string> args =
      service == "gateway" ? GatewayArgs(stack, dir + "/http.port", port_file)
                           : ServiceArgs(stack, service, dir + "/" + service + ".db", port_file);
  StartResult r;
  const auto begin = Clock::now();
  auto child = StartChild(args, log, ServerEnv());
  const auto give_up = begin + std::chrono::seconds(20);
  std::unique_ptr<grpc::health::v1::Health::Stub> stub;
  // Poll every millisecond: first for the port file, then for SERVING.
  while (Clock::now() < give_up) {
    if (stub == nullptr) {
      if (const int port = ReadPortFile(port_file); port > 0) {
        stub = grpc::health::v1::Health::NewStub(Channel(port, 0));
      }
    }
    if (stub != nullptr) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
      grpc::health::v1::HealthCheckRequest request;
      grpc::health::v1::HealthCheckResponse response;
      if (stub->Check(&ctx, request, &response).ok() &&
          response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
        r.serving_ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (r.serving_ms >= 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(idle_seconds));
    r.idle_rss_kib = RssKib(child->pid());
  } else {
    std::fprintf(stderr, "bench: %s did not serve within 20 s; see %s\n", service.c_str(),
                 log.c_str());
  }
  child->Terminate();
  return r;
}

}  // namespace kaizen::bench

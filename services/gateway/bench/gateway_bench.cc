// Measures the same read (EnrollmentService.GetCohort) three ways in one run:
//   direct        gRPC straight to the enrollment server (signed principal
//                 precomputed, as the gateway would attach it)
//   gateway gRPC  gRPC through the gateway's proxy port (Bearer JWT)
//   gateway HTTP  GET /v1/cohorts/bench through the gateway (Bearer JWT,
//                 keep-alive)
// at several concurrency levels (closed loop: each client thread sends its
// next request when the previous answer arrives), and prints p50, p99,
// throughput and the gateway/direct ratios as Markdown. Every answer is
// checked (gRPC status OK / HTTP 200 with the cohort), so errors cannot
// pass as throughput.
//
// It starts both servers itself (binaries given by flags; use -c opt builds,
// see run.sh), seeds one cohort, and stops them at the end.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "boost/beast/http.hpp"
#include "common/auth/principal.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "services/gateway/jwt.h"
#include "tools/bench/bench_kit.h"

ABSL_FLAG(std::string, enrollment_binary, "", "path of enrollment_server (-c opt)");
ABSL_FLAG(std::string, gateway_binary, "", "path of gateway_server (-c opt)");
ABSL_FLAG(double, seconds, 5, "measurement time per mode and concurrency");
ABSL_FLAG(double, warmup_seconds, 1, "warm-up time per mode and concurrency");
ABSL_FLAG(std::string, concurrency, "1,16", "client threads, comma-separated");
ABSL_FLAG(bool, external_tools, true, "also run wrk and h2load when installed");


namespace {

namespace http = boost::beast::http;
namespace v1 = kaizen::enrollment::v1;
using kaizen::bench::Channel;
using kaizen::bench::HttpClient;
using kaizen::bench::LoadResult;
using kaizen::bench::StartChild;
using kaizen::bench::WaitForPort;

constexpr char kInternalSecret[] = "bench-internal-secret-0123456789abcdef";
constexpr char kJwtSecret[] = "bench-jwt-secret-0123456789abcdef-0123456789";

// One example of what went wrong, per mode (for the report).
kaizen::bench::ErrorNote g_errors;
void NoteError(std::string e) { g_errors.Note(std::move(e)); }

struct Result {
  std::string mode;
  std::string example_error;
  int concurrency = 0;
  int64_t ok = 0;
  int64_t errors = 0;
  double seconds = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0;
  double rps() const { return ok / seconds; }
};

// The shared closed loop with blocking clients (tools/bench/bench_kit.h).
template <typename MakeFn>
Result Measure(const std::string& mode, int threads, double warmup, double seconds, MakeFn make) {
  const LoadResult load = kaizen::bench::MeasureBlocking(threads, warmup, seconds, make);
  Result r;
  r.mode = mode;
  r.example_error = g_errors.Take();
  r.concurrency = threads;
  r.ok = load.ok;
  r.errors = load.errors;
  r.seconds = load.seconds;
  r.p50_us = kaizen::bench::Percentile(load.latencies_us, 0.5);
  r.p90_us = kaizen::bench::Percentile(load.latencies_us, 0.9);
  r.p99_us = kaizen::bench::Percentile(load.latencies_us, 0.99);
  return r;
}

std::string Run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  pclose(pipe);
  return out;
}

std::string Grep(const std::string& text, const std::vector<std::string>& needles) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    for (const auto& n : needles) {
      if (line.find(n) != absl::string_view::npos) {
        absl::StrAppend(&out, "    ", line, "\n");
        break;
      }
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = kaizen::bench::TempDir();
  const std::string jwt_file = dir + "/jwt-secret";
  std::ofstream(jwt_file) << kJwtSecret;
  setenv("KAIZEN_INTERNAL_SECRET", kInternalSecret, 1);

  auto enrollment = StartChild({absl::GetFlag(FLAGS_enrollment_binary), "--listen=127.0.0.1:0",
                    "--db=" + dir + "/enrollment.db", "--port_file=" + dir + "/enrollment.port",
                    "--access_log=false"},
                   dir + "/enrollment.log");
  const int enrollment_port =
      WaitForPort(*enrollment, dir + "/enrollment.port", "enrollment", dir + "/enrollment.log");
  auto gateway = StartChild({absl::GetFlag(FLAGS_gateway_binary), "--http_listen=127.0.0.1:0",
                 "--grpc_listen=127.0.0.1:0", "--http_port_file=" + dir + "/http.port",
                 "--grpc_port_file=" + dir + "/grpc.port",
                 absl::StrCat("--backends=kaizen.enrollment.v1.EnrollmentService=127.0.0.1:",
                              enrollment_port),
                 "--jwt_hs256_secret_file=" + jwt_file, "--rate_limit_per_second=0",
                 "--access_log=false"},
                dir + "/gateway.log");
  const int http_port = WaitForPort(*gateway, dir + "/http.port", "gateway", dir + "/gateway.log");
  const int grpc_port = WaitForPort(*gateway, dir + "/grpc.port", "gateway", dir + "/gateway.log");

  // The caller: a secretariat user (token for the gateway, the equivalent
  // signed principal for direct calls).
  kaizen::gateway::JwtClaims claims;
  claims.subject = "bench-secretariat";
  claims.roles = {"secretariat"};
  claims.issued_at = absl::Now();
  claims.expires_at = absl::Now() + absl::Hours(2);
  const std::string token = kaizen::gateway::MintHs256Jwt(kJwtSecret, claims);
  const std::string bearer = "Bearer " + token;
  kaizen::type::Principal principal;
  principal.set_subject("bench-secretariat");
  principal.add_roles(kaizen::type::ROLE_SECRETARIAT);
  // Credentials are bound to the method and expire (common/auth/principal.h):
  // the direct loop signs per call, as a service does; h2load's static
  // headers get the longest lifetime a service accepts (5 min).
  kaizen::auth::PrincipalSignerOptions signer_options;
  signer_options.lifetime = signer_options.max_lifetime;
  const kaizen::auth::PrincipalSigner signer(
      kaizen::auth::KeyRing::Derive({kInternalSecret},
                                    kaizen::auth::KeyPurpose::kPrincipalForwarding),
      signer_options);
  const auto sign = [&] {
    return signer.Sign(principal, "/kaizen.enrollment.v1.EnrollmentService/GetCohort");
  };

  // Seed one open cohort through the gateway.
  {
    HttpClient client(http_port);
    const absl::Time now = absl::Now();
    auto fmt = [](absl::Time t) {
      return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
    };
    auto created = client.Send(
        http::verb::post, "/v1/cohorts?cohortId=bench", bearer,
        absl::StrCat(R"({"title":"ベンチマーク 研究会","fiscalYear":2026,"capacity":100,)",
                     R"("maxMunicipalities":50,"fee":{"currencyCode":"JPY","units":"10000"},)",
                     R"("applicationOpenTime":")", fmt(now - absl::Hours(1)),
                     R"(","applicationCloseTime":")", fmt(now + absl::Hours(24)), R"("})"));
    if (created.first != 200) {
      std::fprintf(stderr, "bench: seeding failed: %d %s\n", created.first,
                   created.second.c_str());
      return 1;
    }
  }

  v1::GetCohortRequest get;
  get.set_name("cohorts/bench");
  const double warmup = absl::GetFlag(FLAGS_warmup_seconds);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  std::vector<Result> results;
  for (absl::string_view c : absl::StrSplit(absl::GetFlag(FLAGS_concurrency), ',')) {
    int threads = 1;
    if (!absl::SimpleAtoi(c, &threads) || threads < 1) continue;
    results.push_back(Measure("direct gRPC", threads, warmup, seconds, [&](int t) {
      auto stub = v1::EnrollmentService::NewStub(Channel(enrollment_port, t));
      return [&, stub = std::shared_ptr<v1::EnrollmentService::Stub>(std::move(stub))] {
        grpc::ClientContext ctx;
        const auto signed_principal = sign();
        ctx.AddMetadata(kaizen::auth::kPrincipalMetadataKey, signed_principal.principal_bytes);
        ctx.AddMetadata(kaizen::auth::kSignatureMetadataKey, signed_principal.signature);
        v1::Cohort cohort;
        grpc::Status s = stub->GetCohort(&ctx, get, &cohort);
        if (!s.ok()) NoteError(absl::StrCat("gRPC ", s.error_code(), ": ", s.error_message()));
        return s.ok() && cohort.name() == "cohorts/bench";
      };
    }));
    results.push_back(Measure("gateway gRPC", threads, warmup, seconds, [&](int t) {
      auto stub = v1::EnrollmentService::NewStub(Channel(grpc_port, t));
      return [&, stub = std::shared_ptr<v1::EnrollmentService::Stub>(std::move(stub))] {
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", bearer);
        v1::Cohort cohort;
        grpc::Status s = stub->GetCohort(&ctx, get, &cohort);
        if (!s.ok()) NoteError(absl::StrCat("gRPC ", s.error_code(), ": ", s.error_message()));
        return s.ok() && cohort.name() == "cohorts/bench";
      };
    }));
    results.push_back(Measure("gateway HTTP/JSON", threads, warmup, seconds, [&](int) {
      auto client = std::make_shared<HttpClient>(http_port);
      return [&, client] {
        auto r = client->Send(http::verb::get, "/v1/cohorts/bench", bearer);
        if (r.first != 200) NoteError(absl::StrCat("HTTP ", r.first, ": ", r.second.substr(0, 200)));
        return r.first == 200 && r.second.find("\"name\":\"cohorts/bench\"") != std::string::npos;
      };
    }));
  }

  std::printf("| mode | clients | requests | errors | throughput (req/s) | p50 (µs) | p90 (µs) | p99 (µs) |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Result& r : results) {
    std::printf("| %s | %d | %lld | %lld | %.0f | %.0f | %.0f | %.0f |\n", r.mode.c_str(),
                r.concurrency, static_cast<long long>(r.ok), static_cast<long long>(r.errors),
                r.rps(), r.p50_us, r.p90_us, r.p99_us);
  }
  for (const Result& r : results) {
    if (r.errors > 0) {
      std::printf("\nErrors in %s at %d clients, e.g.: %s\n", r.mode.c_str(), r.concurrency,
                  r.example_error.c_str());
    }
  }
  std::printf("\n| clients | path | added p50 (µs) | added p99 (µs) | throughput vs direct |\n");
  std::printf("|---:|---|---:|---:|---:|\n");
  for (size_t i = 0; i + 2 < results.size(); i += 3) {
    const Result& d = results[i];
    for (size_t k = 1; k <= 2; ++k) {
      const Result& g = results[i + k];
      std::printf("| %d | %s | %+.0f | %+.0f | %.0f%% |\n", d.concurrency, g.mode.c_str(),
                  g.p50_us - d.p50_us, g.p99_us - d.p99_us, 100.0 * g.rps() / d.rps());
    }
  }

  if (absl::GetFlag(FLAGS_external_tools)) {
    std::printf("\nCross-check with standard tools (same servers, same request):\n\n```\n");
    if (std::system("command -v wrk >/dev/null 2>&1") == 0) {
      const std::string cmd = absl::StrCat(
          "wrk -t2 -c16 -d", static_cast<int>(seconds), "s --latency -H 'Authorization: ",
          bearer, "' http://127.0.0.1:", http_port, "/v1/cohorts/bench 2>&1");
      std::printf("$ wrk -t2 -c16 -d%ds --latency -H 'Authorization: Bearer <jwt>' "
                  "http://127.0.0.1:<http>/v1/cohorts/bench\n%s",
                  static_cast<int>(seconds),
                  Grep(Run(cmd), {"Requests/sec", "50%", "99%", "Non-2xx", "Socket errors"})
                      .c_str());
    }
    if (std::system("command -v h2load >/dev/null 2>&1") == 0) {
      // A gRPC frame: no compression, 4-byte big-endian length, message.
      const std::string msg = get.SerializeAsString();
      std::string frame(5, '\0');
      frame[1] = static_cast<char>((msg.size() >> 24) & 0xff);
      frame[2] = static_cast<char>((msg.size() >> 16) & 0xff);
      frame[3] = static_cast<char>((msg.size() >> 8) & 0xff);
      frame[4] = static_cast<char>(msg.size() & 0xff);
      std::ofstream(dir + "/get.grpc", std::ios::binary) << frame << msg;
      const std::string common = absl::StrCat(
          "h2load -D ", static_cast<int>(seconds), " -c16 -m1 -t2 -d ", dir,
          "/get.grpc -H 'content-type: application/grpc' -H 'te: trailers' ");
      const std::string path = "/kaizen.enrollment.v1.EnrollmentService/GetCohort";
      const auto signed_principal = sign();
      const std::string direct = absl::StrCat(
          common, "-H '", kaizen::auth::kPrincipalMetadataKey, ": ",
          absl::Base64Escape(signed_principal.principal_bytes), "' -H '",
          kaizen::auth::kSignatureMetadataKey, ": ", signed_principal.signature,
          "' http://127.0.0.1:", enrollment_port, path, " 2>&1");
      const std::string via = absl::StrCat(common, "-H 'authorization: ", bearer,
                                           "' http://127.0.0.1:", grpc_port, path, " 2>&1");
      const std::vector<std::string> keep = {"finished in", "requests:", "time for request"};
      // h2load cannot see gRPC trailers; nghttp sends the identical request
      // once and shows the grpc-status it got.
      if (std::system("command -v nghttp >/dev/null 2>&1") == 0) {
        for (const auto& [name, cmd] : {std::pair{"direct", direct}, std::pair{"gateway", via}}) {
          std::string one = cmd;
          one.replace(0, common.size(),
                      absl::StrCat("nghttp -n -v -d ", dir, "/get.grpc -H 'content-type: "
                                   "application/grpc' -H 'te: trailers' "));
          std::printf("nghttp, same request, %s: %s", name,
                      Grep(Run(one), {"grpc-status:"}).c_str());
        }
      }
      std::printf("$ h2load -D %d -c16 -m1 -t2 (gRPC frame, principal headers) <enrollment>%s\n%s",
                  static_cast<int>(seconds), path.c_str(), Grep(Run(direct), keep).c_str());
      std::printf("$ h2load -D %d -c16 -m1 -t2 (gRPC frame, Bearer JWT) <gateway gRPC>%s\n%s",
                  static_cast<int>(seconds), path.c_str(), Grep(Run(via), keep).c_str());
      std::printf("(h2load counts gRPC errors as successes: the nghttp lines show the status of "
                  "the same request)\n");
    }
    std::printf("```\n");
  }
  // Stop both servers, then remove their databases, logs and port files.
  gateway->Terminate();
  enrollment->Terminate();
  std::filesystem::remove_all(dir);
  return 0;
}

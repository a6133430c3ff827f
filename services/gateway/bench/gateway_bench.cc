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
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "common/auth/principal.h"
#include "common/testing/child_process.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "services/gateway/jwt.h"

ABSL_FLAG(std::string, enrollment_binary, "", "path of enrollment_server (-c opt)");
ABSL_FLAG(std::string, gateway_binary, "", "path of gateway_server (-c opt)");
ABSL_FLAG(double, seconds, 5, "measurement time per mode and concurrency");
ABSL_FLAG(double, warmup_seconds, 1, "warm-up time per mode and concurrency");
ABSL_FLAG(std::string, concurrency, "1,16", "client threads, comma-separated");
ABSL_FLAG(bool, external_tools, true, "also run wrk and h2load when installed");


namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace v1 = kaizen::enrollment::v1;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr char kInternalSecret[] = "bench-internal-secret-0123456789abcdef";
constexpr char kJwtSecret[] = "bench-jwt-secret-0123456789abcdef-0123456789";

std::string TempDir() {
  char pattern[] = "/tmp/kaizen-bench-XXXXXX";
  return mkdtemp(pattern);
}

// A child process (common/testing/child_process.h) with its stderr in `log`;
// exits the benchmark when it cannot start.
std::unique_ptr<kaizen::testkit::ChildProcess> Child(std::vector<std::string> args,
                                                     const std::string& log) {
  auto child = kaizen::testkit::ChildProcess::Start(std::move(args), {}, log);
  if (!child.ok()) {
    std::fprintf(stderr, "bench: %s\n", std::string(child.status().message()).c_str());
    std::exit(1);
  }
  return std::move(*child);
}

int WaitForPort(kaizen::testkit::ChildProcess& child, const std::string& file) {
  auto port = child.WaitForPortFile(file);
  return port.ok() ? *port : 0;
}

// A minimal keep-alive HTTP/1.1 client (synchronous Beast).
class HttpClient {
 public:
  explicit HttpClient(int port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    socket_.set_option(tcp::no_delay(true));
  }
  // Status and body of one request.
  std::pair<int, std::string> Send(http::verb verb, const std::string& target,
                                   const std::string& auth, const std::string& body = "") {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, auth);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    beast::error_code ec;
    http::write(socket_, req, ec);
    if (ec) return {0, ""};
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res, ec);
    if (ec) return {0, ""};
    return {static_cast<int>(res.result_int()), std::move(res.body())};
  }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

std::shared_ptr<grpc::Channel> Channel(int port, int index) {
  grpc::ChannelArguments args;
  // One connection per client thread, as separate clients would have.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("kaizen.bench.client", index);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials(), args);
}

// One example of what went wrong, per mode (for the report).
std::mutex g_error_mu;
std::string g_last_error;
void NoteError(std::string e) {
  std::lock_guard<std::mutex> lock(g_error_mu);
  g_last_error = std::move(e);
}

struct Result {
  std::string mode;
  std::string example_error;
  int concurrency = 0;
  int64_t ok = 0;
  int64_t errors = 0;
  double seconds = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, mean_us = 0;
  double rps() const { return ok / seconds; }
};

// Runs `call` (returns true when the answer was correct) in `threads`
// closed-loop clients; `make` builds per-thread state.
template <typename MakeFn>
Result Measure(const std::string& mode, int threads, double warmup, double seconds, MakeFn make) {
  std::vector<std::vector<double>> latencies(threads);
  std::vector<int64_t> errors(threads, 0);
  std::atomic<int> phase{0};  // 0 warm-up, 1 measure, 2 stop
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto call = make(t);
      latencies[t].reserve(200000);
      while (phase.load(std::memory_order_relaxed) < 2) {
        const int p = phase.load(std::memory_order_relaxed);
        const auto start = Clock::now();
        const bool ok = call();
        const double us =
            std::chrono::duration<double, std::micro>(Clock::now() - start).count();
        if (p == 1 && phase.load(std::memory_order_relaxed) == 1) {
          if (ok) {
            latencies[t].push_back(us);
          } else {
            ++errors[t];
          }
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
  const auto begin = Clock::now();
  phase = 1;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  phase = 2;
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  for (auto& w : workers) w.join();
  std::vector<double> all;
  Result r;
  r.mode = mode;
  {
    std::lock_guard<std::mutex> lock(g_error_mu);
    r.example_error = std::move(g_last_error);
    g_last_error.clear();
  }
  r.concurrency = threads;
  for (int t = 0; t < threads; ++t) {
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    r.errors += errors[t];
  }
  std::sort(all.begin(), all.end());
  r.ok = static_cast<int64_t>(all.size());
  r.seconds = elapsed;
  if (!all.empty()) {
    r.p50_us = all[all.size() / 2];
    r.p90_us = all[all.size() * 9 / 10];
    r.p99_us = all[all.size() * 99 / 100];
    double sum = 0;
    for (double x : all) sum += x;
    r.mean_us = sum / all.size();
  }
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
  const std::string dir = TempDir();
  const std::string jwt_file = dir + "/jwt-secret";
  std::ofstream(jwt_file) << kJwtSecret;
  setenv("KAIZEN_INTERNAL_SECRET", kInternalSecret, 1);

  auto enrollment = Child({absl::GetFlag(FLAGS_enrollment_binary), "--listen=127.0.0.1:0",
                    "--db=" + dir + "/enrollment.db", "--port_file=" + dir + "/enrollment.port",
                    "--access_log=false", "--threads=64"},
                   dir + "/enrollment.log");
  const int enrollment_port = WaitForPort(*enrollment, dir + "/enrollment.port");
  if (enrollment_port == 0) {
    std::fprintf(stderr, "bench: enrollment did not start (%s)\n", dir.c_str());
    return 1;
  }
  auto gateway = Child({absl::GetFlag(FLAGS_gateway_binary), "--http_listen=127.0.0.1:0",
                 "--grpc_listen=127.0.0.1:0", "--http_port_file=" + dir + "/http.port",
                 "--grpc_port_file=" + dir + "/grpc.port",
                 absl::StrCat("--backends=kaizen.enrollment.v1.EnrollmentService=127.0.0.1:",
                              enrollment_port),
                 "--jwt_hs256_secret_file=" + jwt_file, "--rate_limit_per_second=0",
                 "--access_log=false"},
                dir + "/gateway.log");
  const int http_port = WaitForPort(*gateway, dir + "/http.port");
  const int grpc_port = WaitForPort(*gateway, dir + "/grpc.port");
  if (http_port == 0 || grpc_port == 0) {
    std::fprintf(stderr, "bench: gateway did not start (%s)\n", dir.c_str());
    return 1;
  }

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
  return 0;
}

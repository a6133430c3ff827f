// The GET /metrics listener, alone and started by GrpcServer, over real
// sockets on port 0.
#include "common/server/metrics_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "common/auth/principal.h"
#include "common/server/principal_context.h"
#include "common/server/server.h"
#include "common/server/test_echo.h"
#include "common/server/testdata/echo.grpc.pb.h"
#include "common/status/errors.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace kaizen::server {
namespace metrics_http_test {

using kaizen::testing::EchoRequest;
using kaizen::testing::EchoResponse;
using kaizen::testing::EchoService;

constexpr char kSecret[] = "test-internal-secret-0123456789";
constexpr char kEcho[] = "/kaizen.testing.EchoService/Echo";

// Connects to 127.0.0.1:port; -1 on failure. Reads time out after 10 s so a
// broken server fails the test instead of hanging it.
int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads until the server closes the connection (or the read times out).
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Sends raw bytes, returns everything the server sends until it closes.
std::string Exchange(int port, const std::string& request) {
  int fd = Connect(port);
  if (fd < 0) return "connect failed";
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early (431)
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);  // all sent: the server sees the end of input
  std::string out = ReadAll(fd);
  close(fd);
  return out;
}

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

Response Parse(const std::string& raw) {
  Response r;
  const size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return r;
  std::vector<std::string> lines = absl::StrSplit(raw.substr(0, end), "\r\n");
  std::vector<std::string> status_line = absl::StrSplit(lines[0], ' ');
  if (status_line.size() < 2 || !absl::SimpleAtoi(status_line[1], &r.status)) return r;
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    r.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  r.body = raw.substr(end + 4);
  return r;
}

Response Get(int port, const std::string& target, const std::string& method = "GET") {
  return Parse(Exchange(port, absl::StrCat(method, " ", target,
                                           " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
}

// Parses Prometheus text format 0.0.4 into series -> value. Fails the test on
// a line that is not a comment or `series value`, or a sample whose family
// has no TYPE line before it.
std::map<std::string, double> ParsePrometheus(const std::string& text) {
  std::map<std::string, double> samples;
  std::set<std::string> typed;
  EXPECT_TRUE(text.empty() || text.back() == '\n');
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&line, "# TYPE ")) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ');
      EXPECT_EQ(parts.size(), 2u) << line;
      EXPECT_TRUE(parts[1] == "counter" || parts[1] == "gauge" || parts[1] == "histogram")
          << line;
      typed.insert(parts[0]);
      continue;
    }
    if (absl::StartsWith(line, "# HELP ")) continue;
    const size_t space = line.rfind(' ');
    double value;
    EXPECT_TRUE(space != absl::string_view::npos &&
                absl::SimpleAtod(line.substr(space + 1), &value))
        << "bad sample: " << line;
    if (space == absl::string_view::npos) continue;
    const std::string series(line.substr(0, space));
    std::string family = series.substr(0, series.find('{'));
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (!typed.count(family) && absl::EndsWith(family, suffix)) {
        family = family.substr(0, family.size() - strlen(suffix));
      }
    }
    EXPECT_TRUE(typed.count(family)) << "no TYPE for " << series;
    EXPECT_FALSE(samples.count(series)) << "duplicate " << series;
    samples[series] = value;
  }
  return samples;
}

TEST(MetricsHttpServerTest, ServesOnlyGetAndHeadOfMetrics) {
  int renders = 0;
  auto server = MetricsHttpServer::Start({}, [&renders] {
    ++renders;
    return std::string("x_total 1\n");
  });
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);

  Response ok = Get(port, "/metrics");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(ok.body, "x_total 1\n");
  EXPECT_EQ(Get(port, "/metrics?name[]=x").status, 200);

  Response head = Get(port, "/metrics", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers["content-length"], "10");
  EXPECT_EQ(head.body, "");

  EXPECT_EQ(Get(port, "/").status, 404);
  EXPECT_EQ(Get(port, "/metrics/x").status, 404);
  EXPECT_EQ(Get(port, "/healthz").status, 404);
  Response post = Get(port, "/metrics", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers["allow"], "GET, HEAD");
  EXPECT_EQ(Get(port, "/metrics", "DELETE").status, 405);
  EXPECT_EQ(renders, 3);  // the two GETs and the HEAD
}

TEST(MetricsHttpServerTest, RefusesMalformedAndOversizedRequestsAndGoesOn) {
  auto server = MetricsHttpServer::Start({}, [] { return std::string("x_total 1\n"); });
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();

  EXPECT_EQ(Parse(Exchange(port, "GARBAGE\r\n\r\n")).status, 400);
  EXPECT_EQ(Parse(Exchange(port, "GET /metrics HTTP/9.9\r\n\r\n")).status, 400);
  EXPECT_EQ(Parse(Exchange(port, "GET /metrics HTTP/1.1\r\nNo colon here\r\n\r\n")).status, 400);
  // A body is refused without being read.
  EXPECT_EQ(Parse(Exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
                                 "hello"))
                .status,
            400);
  // A head over 8 KiB.
  const std::string huge =
      absl::StrCat("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ", std::string(64 * 1024, 'a'),
                   "\r\n\r\n");
  EXPECT_EQ(Parse(Exchange(port, huge)).status, 431);
  // A target of 100 KiB, too.
  EXPECT_EQ(Parse(Exchange(port, absl::StrCat("GET /", std::string(100 * 1024, 'm'),
                                              " HTTP/1.1\r\n\r\n")))
                .status,
            431);
  // A connection closed half-way through a request gets nothing and harms
  // nothing.
  EXPECT_EQ(Exchange(port, "GET /metr"), "");

  EXPECT_EQ(Get(port, "/metrics").status, 200);
}

TEST(MetricsHttpServerTest, KeepsAliveForScrapersThatReuseConnections) {
  auto server = MetricsHttpServer::Start({}, [] { return std::string("x_total 1\n"); });
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string raw = Exchange(
      (*server)->port(),
      "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::vector<std::string> responses = absl::StrSplit(raw, "HTTP/1.1 200 OK", absl::SkipEmpty());
  EXPECT_EQ(responses.size(), 2u) << raw;
}

TEST(MetricsHttpServerTest, ClosesConnectionsBeyondTheLimit) {
  MetricsHttpOptions options;
  options.max_connections = 2;
  auto server = MetricsHttpServer::Start(options, [] { return std::string("x_total 1\n"); });
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  int a = Connect(port);
  int b = Connect(port);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  // The kernel queues connections in order, so a and b are accepted first.
  EXPECT_EQ(Get(port, "/metrics").status, 0);  // closed without an answer
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(send(a, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  EXPECT_EQ(Parse(ReadAll(a)).status, 200);
  close(a);
  close(b);
}

TEST(MetricsHttpServerTest, RejectsBadAddressesAndTakenPorts) {
  MetricsHttpOptions bad;
  bad.listen_address = "metrics.example:9100";
  auto status = MetricsHttpServer::Start(bad, [] { return std::string(); }).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(status), "INVALID_FLAG");
  bad.listen_address = "127.0.0.1";
  EXPECT_EQ(MetricsHttpServer::Start(bad, [] { return std::string(); }).status().code(),
            absl::StatusCode::kInvalidArgument);

  auto first = MetricsHttpServer::Start({}, [] { return std::string(); });
  ASSERT_TRUE(first.ok());
  MetricsHttpOptions same;
  same.listen_address = absl::StrCat("127.0.0.1:", (*first)->port());
  status = MetricsHttpServer::Start(same, [] { return std::string(); }).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(status), "PORT_IN_USE");
}

TEST(MetricsHttpServerTest, ShutdownClosesTheListener) {
  auto server = MetricsHttpServer::Start({}, [] { return std::string("x 1\n"); });
  ASSERT_TRUE(server.ok());
  const int port = (*server)->port();
  int idle = Connect(port);  // an idle keep-alive connection does not hold it up
  ASSERT_GE(idle, 0);
  (*server)->Shutdown();
  (*server)->Shutdown();  // idempotent
  EXPECT_EQ(Connect(port), -1);
  EXPECT_EQ(ReadAll(idle), "");
  close(idle);
}

class GrpcServerMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.service_name = "echo";
    options_.metrics_listen = "127.0.0.1:0";
    auto server = GrpcServer::Start(options_, {{EchoService::service_full_name(), &service_}},
                                    [](const std::string&) {});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    ASSERT_GT(server_->metrics_port(), 0);
    ASSERT_NE(server_->metrics_port(), server_->port());
  }

  grpc::StatusCode CallEcho(const std::string& text) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    AttachPrincipal(auth::ServicePrincipal("test"), signer_, &context);
    EchoRequest request;
    request.set_text(text);
    EchoResponse response;
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                       grpc::InsecureChannelCredentials());
    return EchoService::NewStub(channel)->Echo(&context, request, &response).error_code();
  }

  std::map<std::string, double> Scrape() {
    Response r = Get(server_->metrics_port(), "/metrics");
    EXPECT_EQ(r.status, 200);
    return ParsePrometheus(r.body);
  }

  ServerOptions options_;
  auth::PrincipalSigner signer_{kSecret};
  TestEcho service_{&signer_};
  std::unique_ptr<GrpcServer> server_;
};

TEST_F(GrpcServerMetricsTest, ScrapeShowsCallsLatencyInFlightAndProcess) {
  ASSERT_EQ(CallEcho("hello"), grpc::StatusCode::OK);
  ASSERT_EQ(CallEcho("bad"), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(CallEcho("again"), grpc::StatusCode::OK);
  std::map<std::string, double> m = Scrape();

  const std::string method = absl::StrCat("method=\"", kEcho, "\"");
  EXPECT_EQ(m[absl::StrCat("kaizen_grpc_server_requests_total{", method, ",code=\"OK\"}")], 2);
  EXPECT_EQ(m[absl::StrCat("kaizen_grpc_server_requests_total{", method,
                           ",code=\"INVALID_ARGUMENT\"}")],
            1);
  // Every bucket, cumulative and ending in +Inf = count.
  double previous = 0;
  for (double bound : Metrics::kBucketsSeconds) {
    const std::string key = absl::StrCat("kaizen_grpc_server_request_duration_seconds_bucket{",
                                         method, ",le=\"", FormatPrometheusValue(bound), "\"}");
    ASSERT_TRUE(m.count(key)) << key;
    EXPECT_GE(m[key], previous);
    previous = m[key];
  }
  const std::string inf = absl::StrCat("kaizen_grpc_server_request_duration_seconds_bucket{",
                                       method, ",le=\"+Inf\"}");
  EXPECT_EQ(m[inf], 3);
  EXPECT_GE(m[inf], previous);
  EXPECT_EQ(m[absl::StrCat("kaizen_grpc_server_request_duration_seconds_count{", method, "}")],
            3);
  EXPECT_GT(m[absl::StrCat("kaizen_grpc_server_request_duration_seconds_sum{", method, "}")], 0);

  ASSERT_TRUE(m.count("kaizen_grpc_server_in_flight_requests"));
  EXPECT_EQ(m["kaizen_grpc_server_in_flight_requests"], 0);

  EXPECT_GT(m["process_resident_memory_bytes"], 0);
  EXPECT_GT(m["process_open_fds"], 0);
  EXPECT_GT(m["process_threads"], 1);
  EXPECT_GT(m["process_start_time_seconds"], 0);
  EXPECT_TRUE(m.count("process_cpu_seconds_total"));

  // Storage health of the process (no database open here: healthy, counters present).
  ASSERT_TRUE(m.count("kaizen_storage_healthy"));
  EXPECT_EQ(m["kaizen_storage_healthy"], 1);
  EXPECT_TRUE(m.count("kaizen_storage_commits_total"));
  EXPECT_TRUE(m.count("kaizen_storage_busy_total"));
  EXPECT_TRUE(m.count("kaizen_storage_errors_total"));
}

TEST_F(GrpcServerMetricsTest, InFlightGaugeCountsACallWhileItRuns) {
  std::thread held([this] { EXPECT_EQ(CallEcho("hold"), grpc::StatusCode::OK); });
  service_.entered.WaitForNotification();
  EXPECT_EQ(Scrape()["kaizen_grpc_server_in_flight_requests"], 1);
  service_.release.Notify();
  held.join();
  // The gauge drops before the status is sent, so the caller never sees
  // its own finished call in flight.
  EXPECT_EQ(Scrape()["kaizen_grpc_server_in_flight_requests"], 0);
}

TEST_F(GrpcServerMetricsTest, ShutdownStopsTheMetricsListener) {
  const int port = server_->metrics_port();
  server_->Shutdown();
  server_->Wait();
  EXPECT_EQ(Connect(port), -1);
}

TEST(GrpcServerMetricsStartTest, TakenMetricsPortStopsTheStart) {
  auto taken = MetricsHttpServer::Start({}, [] { return std::string(); });
  ASSERT_TRUE(taken.ok());
  ServerOptions options;
  options.service_name = "echo";
  options.metrics_listen = absl::StrCat("127.0.0.1:", (*taken)->port());
  auth::PrincipalSigner signer(kSecret);
  TestEcho service(&signer);
  auto server =
      GrpcServer::Start(options, {{EchoService::service_full_name(), &service}},
                        [](const std::string&) {});
  EXPECT_EQ(server.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(server.status()), "PORT_IN_USE");
  EXPECT_TRUE(absl::StrContains(server.status().message(), "metrics_listen"));
}

}  // namespace
}  // namespace kaizen::server

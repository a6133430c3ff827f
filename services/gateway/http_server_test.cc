// The Beast server on port 0 with a small recording handler, driven over raw
// sockets: request framing (smuggling), connection caps and timeouts.
#include "services/gateway/http_server.h"

#include <poll.h>

#include <cerrno>

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/gateway/error_response.h"
#include "services/gateway/gateway_errors.h"
#include "services/gateway/test_raw_socket.h"

namespace kaizen::gateway {
namespace http_server_test {

using namespace ::kaizen::gateway::testing;  // NOLINT

constexpr char kSmuggled[] = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServerOptions options) {
    auto server = HttpServer::Start(options, [this](HttpRequest request, HttpResponder respond) {
      if (!request.transport_error.ok()) return respond(ErrorResponse(request.transport_error));
      {
        absl::MutexLock lock(&mu_);
        targets_.push_back(request.target);
      }
      HttpResponse response;
      response.body = absl::StrCat("ok ", request.target, " ", request.body.size());
      respond(std::move(response));
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  void SetUp() override { Start(HttpServerOptions()); }
  void TearDown() override {
    for (int fd : fds_) ::close(fd);
  }

  int Open() {
    const int fd = Connect(server_->port());
    EXPECT_GE(fd, 0);
    fds_.push_back(fd);
    return fd;
  }
  bool Seen(const std::string& target) {
    absl::MutexLock lock(&mu_);
    for (const auto& t : targets_) {
      if (t == target) return true;
    }
    return false;
  }
  // Polls (bounded) until the server holds `n` connections.
  bool WaitForConnections(int n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (server_->open_connections() != n) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return true;
  }

  absl::Mutex mu_;
  std::vector<std::string> targets_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<HttpServer> server_;
  std::vector<int> fds_;
};

// Each head is followed by a body that is itself a request: it must never be
// answered, whatever the framing headers say.
TEST_F(HttpServerTest, AmbiguousFramingIsRefusedAndTheConnectionClosed) {
  const std::string body = kSmuggled;
  const std::string n = absl::StrCat(body.size());
  const std::vector<std::string> framings = {
      "Transfer-Encoding: xchunked\r\n",
      "Transfer-Encoding: identity\r\n",
      "Transfer-Encoding: chunked, identity\r\n",
      "Transfer-Encoding: chunked, chunked\r\n",
      "Transfer-Encoding: gzip, chunked\r\n",
      "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
      "Transfer-Encoding: identity\r\nContent-Length: 0\r\n",
      "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n",
      "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n",
      absl::StrCat("Content-Length: 0\r\nContent-Length: ", n, "\r\n"),
      "Content-Length: 0\r\nContent-Length: 0\r\n",
      "Content-Length: 0, 0\r\n",
      "Content-Length: +0\r\n",
      "Content-Length: -0\r\n",
      "Content-Length: 0x0\r\n",
      "Content-Length: 99999999999999999999999\r\n",
  };
  for (const std::string& framing : framings) {
    SCOPED_TRACE(framing);
    const int fd = Open();
    ASSERT_TRUE(SendAll(fd, absl::StrCat("POST /first HTTP/1.1\r\nHost: x\r\n", framing,
                                         "\r\n", body)));
    bool closed = false;
    const std::string answer = ReadUntilClose(fd, &closed);
    EXPECT_TRUE(closed) << "the connection must be closed after a framing error";
    EXPECT_EQ(StatusOf(answer), 400) << answer;
    EXPECT_TRUE(absl::StrContains(answer, "INVALID_MESSAGE_FRAMING")) << answer;
    EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(answer), "connection: close")) << answer;
    // Exactly one response, and the smuggled request was never handled.
    EXPECT_EQ(answer.find("HTTP/1.1 ", 1), std::string::npos) << answer;
    EXPECT_FALSE(Seen("/smuggled"));
    EXPECT_FALSE(Seen("/first"));
  }
}

TEST_F(HttpServerTest, FramingErrorsHaveTheirOwnReason) {
  const int fd = Open();
  ASSERT_TRUE(SendAll(fd, "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity"
                          "\r\n\r\n"));
  const std::string answer = ReadResponse(fd);
  EXPECT_EQ(StatusOf(answer), 400);
  EXPECT_TRUE(absl::StrContains(answer, "INVALID_MESSAGE_FRAMING")) << answer;
}

TEST_F(HttpServerTest, StrictFramingStillServesChunkedAndContentLengthBodies) {
  const int fd = Open();
  // Spaces and case around "chunked" are allowed; keep-alive continues.
  ASSERT_TRUE(SendAll(fd, "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  ChUnKeD \r\n"
                          "\r\n5\r\nhello\r\n0\r\n\r\n"));
  std::string answer = ReadResponse(fd);
  EXPECT_EQ(StatusOf(answer), 200) << answer;
  EXPECT_TRUE(absl::EndsWith(answer, "ok /chunked 5")) << answer;
  ASSERT_TRUE(SendAll(fd, "POST /length HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
  answer = ReadResponse(fd);
  EXPECT_EQ(StatusOf(answer), 200) << answer;
  EXPECT_TRUE(absl::EndsWith(answer, "ok /length 3")) << answer;
}

// Sends `prefix`, then up to 1 MiB of 'a' without a line end, and reads
// what comes back. The server must answer 400 or close (a reset counts:
// it may close while bytes are still in flight) well before the socket's
// 10 s receive timeout; it must not buffer the line forever.
void ExpectEndlessLineIsCutOff(int fd, const std::string& prefix) {
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(SendAll(fd, prefix));
  const std::string filler(16 << 10, 'a');
  for (int i = 0; i < 64 && SendAll(fd, filler); ++i) {
  }
  std::string answer;
  char buf[4096];
  bool ended = false;  // closed or reset, not timed out
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n > 0) {
      answer.append(buf, static_cast<size_t>(n));
      continue;
    }
    ended = n == 0 || errno == ECONNRESET || errno == EPIPE;
    break;
  }
  EXPECT_TRUE(ended || StatusOf(answer) == 400) << "still waiting for the end of the line";
  if (!answer.empty()) {
    EXPECT_EQ(StatusOf(answer), 400) << answer;
    EXPECT_TRUE(absl::StrContains(answer, "INVALID_MESSAGE_FRAMING")) << answer;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
}

TEST_F(HttpServerTest, AnEndlessChunkExtensionIsCutOff) {
  ExpectEndlessLineIsCutOff(
      Open(), "POST /ext HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;");
  EXPECT_FALSE(Seen("/ext"));
  const int fd = Open();
  ASSERT_TRUE(SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(ReadResponse(fd)), 200);
}

TEST_F(HttpServerTest, AnEndlessTrailerLineIsCutOff) {
  ExpectEndlessLineIsCutOff(Open(),
                            "POST /trailer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
                            "\r\n\r\n1\r\nz\r\n0\r\nX-Long: ");
  EXPECT_FALSE(Seen("/trailer"));
  const int fd = Open();
  ASSERT_TRUE(SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(ReadResponse(fd)), 200);
}

// Beast adds trailer fields to the header fields: a credential sent after
// the body must not authenticate the request.
TEST_F(HttpServerTest, ChunkedTrailersAreRefused) {
  const int fd = Open();
  ASSERT_TRUE(SendAll(fd, "POST /trailed HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                          "\r\n2\r\n{}\r\n0\r\nAuthorization: Bearer a.b.c\r\n\r\n"));
  bool closed = false;
  const std::string answer = ReadUntilClose(fd, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(StatusOf(answer), 400) << answer;
  EXPECT_TRUE(absl::StrContains(answer, "INVALID_MESSAGE_FRAMING")) << answer;
  EXPECT_FALSE(Seen("/trailed"));
}

TEST_F(HttpServerTest, OneAddressCannotTakeEveryConnection) {
  HttpServerOptions options;
  options.max_connections_per_ip = 2;
  server_.reset();
  Start(options);
  const int a = Open();
  const int b = Open();
  for (int fd : {a, b}) {
    ASSERT_TRUE(SendAll(fd, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(StatusOf(ReadResponse(fd)), 200);
  }
  const int c = Open();
  bool closed = false;
  const std::string refused = ReadUntilClose(c, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(StatusOf(refused), 429) << refused;
  EXPECT_TRUE(absl::StrContains(refused, "TOO_MANY_CONNECTIONS")) << refused;
  // Once one closes, the address may connect again.
  ::close(a);
  fds_.erase(fds_.begin());
  ASSERT_TRUE(WaitForConnections(1));
  const int d = Open();
  ASSERT_TRUE(SendAll(d, "GET /again HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(ReadResponse(d)), 200);
}

TEST_F(HttpServerTest, AtTheGlobalCapTheLongestIdleConnectionMakesRoom) {
  HttpServerOptions options;
  options.max_connections = 2;
  options.max_connections_per_ip = 0;
  server_.reset();
  Start(options);
  ASSERT_EQ(server_->max_connections(), 2);
  const int a = Open();
  const int b = Open();
  for (int fd : {a, b}) {
    ASSERT_TRUE(SendAll(fd, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(StatusOf(ReadResponse(fd)), 200);
  }
  const int c = Open();
  ASSERT_TRUE(SendAll(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(ReadResponse(c)), 200);
  // One of the idle connections was closed to make room (the longest idle
  // one; which one that is depends on when the server finished writing).
  pollfd polled[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
  ASSERT_GT(::poll(polled, 2, 10000), 0);
  char byte;
  const int closed_fd = (polled[0].revents & POLLIN) ? a : b;
  EXPECT_EQ(::recv(closed_fd, &byte, 1, 0), 0);
}

TEST_F(HttpServerTest, SlowHeadersAreCutOffByTheHeaderTimeout) {
  HttpServerOptions options;
  options.header_timeout = absl::Milliseconds(300);
  options.idle_timeout = absl::Seconds(60);
  server_.reset();
  Start(options);
  const int fd = Open();
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(SendAll(fd, "GET /slow HTTP/1.1\r\nHost: x\r\nX-A: "));
  bool closed = false;
  const std::string answer = ReadUntilClose(fd, &closed);
  EXPECT_TRUE(closed) << "still open after the header timeout";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(answer.empty()) << answer;
  EXPECT_FALSE(Seen("/slow"));
}

TEST_F(HttpServerTest, AKeepAliveConnectionGetsTheHeaderTimeoutOnceItsNextRequestBegins) {
  HttpServerOptions options;
  options.header_timeout = absl::Milliseconds(300);
  options.idle_timeout = absl::Seconds(60);
  server_.reset();
  Start(options);
  const int fd = Open();
  ASSERT_TRUE(SendAll(fd, "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(ReadResponse(fd)), 200);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(SendAll(fd, "GET /two HTTP/1.1\r\nHo"));
  bool closed = false;
  ReadUntilClose(fd, &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(Seen("/two"));
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionsAreClosed) {
  HttpServerOptions options;
  options.idle_timeout = absl::Milliseconds(300);
  server_.reset();
  Start(options);
  const int fd = Open();
  ASSERT_TRUE(SendAll(fd, "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(ReadResponse(fd)), 200);
  bool closed = false;
  ReadUntilClose(fd, &closed);
  EXPECT_TRUE(closed);
}

}  // namespace
}  // namespace kaizen::gateway

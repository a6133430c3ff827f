// The HTTP server when the process runs out of file descriptors: the accept
// loop must back off instead of spinning, and the server must answer again
// as soon as a descriptor is free. This test lowers RLIMIT_NOFILE for its
// own process (its own binary, so no other test is affected) and fills the
// table with /dev/null.
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>

#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/gateway/http_listen.h"
#include "services/gateway/http_server.h"
#include "services/gateway/test_raw_socket.h"

namespace kaizen::gateway {
namespace http_server_fd_test {

using namespace ::kaizen::gateway::testing;  // NOLINT

// The highest descriptor open now.
int HighestOpenFd() {
  int highest = 2;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return 1024;
  while (dirent* e = ::readdir(dir)) {
    highest = std::max(highest, std::atoi(e->d_name));
  }
  ::closedir(dir);
  return highest;
}

absl::Duration CpuTime() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return absl::DurationFromTimeval(usage.ru_utime) + absl::DurationFromTimeval(usage.ru_stime);
}

class HttpServerFdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved_), 0);
    HttpServerOptions options;
    options.io_threads = 2;
    options.accept_backoff = absl::Milliseconds(50);
    auto server = HttpServer::Start(options, [](HttpRequest, HttpResponder respond) {
      HttpResponse response;
      response.body = R"({"status":"ok"})";
      respond(std::move(response));
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  void TearDown() override {
    for (int fd : filler_) ::close(fd);
    for (int fd : clients_) ::close(fd);
    server_.reset();
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }

  // Lowers the limit a little above what is open and fills the table.
  void ExhaustDescriptors() {
    rlimit lowered = saved_;
    lowered.rlim_cur = HighestOpenFd() + 16;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    for (;;) {
      const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        ASSERT_EQ(errno, EMFILE);
        break;
      }
      filler_.push_back(fd);
    }
    ASSERT_FALSE(filler_.empty());
  }

  int Client() {
    const int fd = NewSocket();
    EXPECT_GE(fd, 0);
    clients_.push_back(fd);
    return fd;
  }

  rlimit saved_{};
  std::unique_ptr<HttpServer> server_;
  std::vector<int> filler_;
  std::vector<int> clients_;
};

TEST_F(HttpServerFdTest, AcceptBacksOffWithoutSpinningAndRecoversWhenAFdIsFree) {
  const int client = Client();  // made before the table is full
  ExhaustDescriptors();
  // The kernel completes the handshake; the server's accept() gets EMFILE.
  ASSERT_TRUE(ConnectSocket(client, server_->port()));
  const absl::Duration cpu_before = CpuTime();
  const absl::Time wall_before = absl::Now();
  absl::SleepFor(absl::Seconds(1));  // the measuring window, not a synchronisation
  const absl::Duration cpu = CpuTime() - cpu_before;
  const absl::Duration wall = absl::Now() - wall_before;
  // A spinning accept loop burns a whole core (cpu ~ wall); backing off for
  // 50 ms between attempts costs a few hundred microseconds.
  EXPECT_LT(cpu, wall / 5) << "accept loop spins: " << cpu << " CPU in " << wall;

  // One descriptor free: the pending connection is accepted and answered.
  ::close(filler_.back());
  filler_.pop_back();
  ASSERT_TRUE(SendAll(client, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(ReadResponse(client)), 200);
}

TEST_F(HttpServerFdTest, IdleConnectionsAreClosedToLetHealthzIn) {
  std::vector<int> idle;
  for (int i = 0; i < 3; ++i) {
    const int fd = Client();
    ASSERT_TRUE(ConnectSocket(fd, server_->port()));
    ASSERT_TRUE(SendAll(fd, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(StatusOf(ReadResponse(fd)), 200);
    idle.push_back(fd);
  }
  const int probe = Client();
  ExhaustDescriptors();
  // Nothing is freed by the test: the server closes idle keep-alive
  // connections to accept this one.
  ASSERT_TRUE(ConnectSocket(probe, server_->port()));
  ASSERT_TRUE(SendAll(probe, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(ReadResponse(probe)), 200);
}

// The connection cap leaves the fixed reserve and each I/O thread's three
// io_context descriptors (epoll, eventfd, timerfd) below the limit.
TEST_F(HttpServerFdTest, TheCapLeavesRoomForEveryIoThreadsDescriptors) {
  rlimit lowered = saved_;
  lowered.rlim_cur = 512;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  EXPECT_EQ(EffectiveMaxConnections(1024, 2), 512 - 128 - 6);
  EXPECT_EQ(EffectiveMaxConnections(1024, 64), 512 - 128 - 192);
  EXPECT_EQ(EffectiveMaxConnections(100, 64), 100);
}

}  // namespace
}  // namespace kaizen::gateway

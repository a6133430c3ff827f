// Real binaries as child processes, for tests that run a service the way an
// operator does (port 0 reported through a port file, secrets from the
// environment, SIGTERM to stop).
//
//   testkit::ServiceProcessOptions options;
//   options.binary = "services/enrollment/enrollment_server";  // in the test's data
//   options.internal_secret = testkit::kInternalSecret;
//   absl::StatusOr<testkit::RunningService> enrollment = testkit::StartService(options);
//   ASSERT_TRUE(enrollment.ok()) << enrollment.status();
//   stub = NewStub(CreateChannel(enrollment->address(), ...));
//   EXPECT_EQ(enrollment->process->Terminate(), 0);  // drains and exits 0
//
// Binary paths are relative to the test's working directory (its runfiles
// root), so the binary must be in the test's `data`.
//
// Waiting for a child's port is bounded polling of its port file (the child
// is another process; there is nothing in-process to wait on), never a fixed
// sleep: it returns as soon as the port is written or the child exits.
#ifndef KAIZEN_COMMON_TESTING_CHILD_PROCESS_H_
#define KAIZEN_COMMON_TESTING_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kaizen::testkit {

// $TEST_TMPDIR (Bazel's per-test scratch directory), or /tmp outside Bazel.
std::string TestTmpDir();

// A path under TestTmpDir() that no earlier call returned ("<stem>-<n>.port").
std::string NewTempPath(const std::string& stem, const std::string& extension);

class ChildProcess {
 public:
  using Env = std::vector<std::pair<std::string, std::string>>;

  // Spawns args[0] with `args`; the child's environment is this process's
  // plus `env` (which overrides variables of the same name). A non-empty
  // `stderr_file` receives the child's stderr (created or truncated).
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(std::vector<std::string> args,
                                                             const Env& env = {},
                                                             const std::string& stderr_file = "");

  // Kills (SIGKILL) and reaps a child that is still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The port the child wrote to `port_file` (a positive integer). FAILED_
  // PRECONDITION if the child exits first, DEADLINE_EXCEEDED after `timeout`.
  absl::StatusOr<int> WaitForPortFile(const std::string& port_file,
                                      absl::Duration timeout = absl::Seconds(20));

  // Blocks until the child exits; its exit code, or -1 if a signal ended it.
  int Wait();
  // SIGTERM, then Wait().
  int Terminate();
  // SIGKILL, then reap. Idempotent.
  void Kill();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

// A Kaizen gRPC service binary (common/server flags) as a child process.
struct ServiceProcessOptions {
  std::string binary;                 // e.g. "services/enrollment/enrollment_server"
  std::string db = ":memory:";        // --db
  std::string internal_secret;        // KAIZEN_INTERNAL_SECRET (required)
  int port = 0;                       // --listen=127.0.0.1:<port>
  std::vector<std::string> extra_args;
  ChildProcess::Env env;              // more environment
};

struct RunningService {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
  std::string address() const;  // "127.0.0.1:<port>"
};

// Starts the binary with --listen, --db, --port_file and --access_log=false
// and waits for its port.
absl::StatusOr<RunningService> StartService(const ServiceProcessOptions& options);

}  // namespace kaizen::testkit

#endif  // KAIZEN_COMMON_TESTING_CHILD_PROCESS_H_

#include "common/testing/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace kaizen::testkit {

std::string TestTmpDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

std::string NewTempPath(const std::string& stem, const std::string& extension) {
  static std::atomic<int> counter{0};
  return absl::StrCat(TestTmpDir(), "/", stem, "-", getpid(), "-", counter++, ".", extension);
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(std::vector<std::string> args,
                                                                  const Env& env,
                                                                  const std::string& stderr_file) {
  if (args.empty()) return absl::InvalidArgumentError("no program to start");
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq == nullptr) continue;
    vars[std::string(*e, eq - *e)] = eq + 1;
  }
  for (const auto& [key, value] : env) vars[key] = value;
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : vars) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stderr_file.empty()) {
    posix_spawn_file_actions_addopen(&actions, 2, stderr_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot start ", args[0], ": ", std::strerror(rc)));
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid));
}

ChildProcess::~ChildProcess() { Kill(); }

absl::StatusOr<int> ChildProcess::WaitForPortFile(const std::string& port_file,
                                                  absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (pid_ > 0) {
    {
      std::ifstream in(port_file);
      int port = 0;
      if (in >> port && port > 0) return port;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::FailedPreconditionError(absl::StrCat(
          "the child exited (", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
          ") before writing ", port_file));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat("no port in ", port_file));
    }
    absl::SleepFor(absl::Milliseconds(5));  // polling another process
  }
  return absl::FailedPreconditionError("the child is not running");
}

int ChildProcess::Wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int ChildProcess::Terminate() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  return Wait();
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string RunningService::address() const { return absl::StrCat("127.0.0.1:", port); }

absl::StatusOr<RunningService> StartService(const ServiceProcessOptions& options) {
  if (options.internal_secret.empty()) {
    return absl::InvalidArgumentError("StartService needs an internal secret");
  }
  const std::string port_file = NewTempPath("service", "port");
  std::vector<std::string> args = {options.binary,
                                   absl::StrCat("--listen=127.0.0.1:", options.port),
                                   "--db=" + options.db, "--port_file=" + port_file,
                                   "--access_log=false"};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  ChildProcess::Env env = options.env;
  env.emplace_back("KAIZEN_INTERNAL_SECRET", options.internal_secret);
  RunningService running;
  auto process = ChildProcess::Start(std::move(args), env);
  if (!process.ok()) return process.status();
  running.process = std::move(*process);
  auto port = running.process->WaitForPortFile(port_file);
  if (!port.ok()) return port.status();
  running.port = *port;
  return running;
}

}  // namespace kaizen::testkit

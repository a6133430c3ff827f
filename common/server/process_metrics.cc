#include "common/server/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/string_view.h"

namespace kaizen::server {
namespace {

std::optional<std::string> ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Boot time (seconds since the epoch) from the `btime` line of /proc/stat.
std::optional<double> BootTimeSeconds() {
  std::optional<std::string> stat = ReadFile("/proc/stat");
  if (!stat) return std::nullopt;
  for (absl::string_view line : absl::StrSplit(*stat, '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) {
      int64_t btime;
      if (absl::SimpleAtoi(line, &btime)) return static_cast<double>(btime);
    }
  }
  return std::nullopt;
}

// The fields of a /proc/<pid>/stat line after "pid (comm)"; comm may hold
// spaces and parentheses, so they are counted from the last ')'. Field 3
// (state) is index 0: see StatField.
std::optional<std::vector<std::string>> ReadStatFields(const std::string& path) {
  std::optional<std::string> stat = ReadFile(path.c_str());
  if (!stat) return std::nullopt;
  const size_t close = stat->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  return absl::StrSplit(absl::string_view(*stat).substr(close + 1), ' ', absl::SkipEmpty());
}

// Field `number` of proc(5)'s numbering (utime is 14) of ReadStatFields.
std::optional<double> StatField(const std::vector<std::string>& f, int number) {
  const size_t i = static_cast<size_t>(number - 3);
  double v;
  if (i >= f.size() || !absl::SimpleAtod(f[i], &v)) return std::nullopt;
  return v;
}

// utime + stime (fields 14 and 15), in seconds.
std::optional<double> CpuSeconds(const std::vector<std::string>& f, double ticks) {
  auto utime = StatField(f, 14), stime = StatField(f, 15);
  if (!utime || !stime || ticks <= 0) return std::nullopt;
  return (*utime + *stime) / ticks;
}

std::optional<double> OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  int count = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // the directory stream's own descriptor
}

}  // namespace

ProcessStats ReadProcessStats() {
  ProcessStats stats;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  // /proc/self/stat (proc(5) numbering): num_threads is field 20,
  // starttime 22, vsize 23, rss 24.
  if (auto f = ReadStatFields("/proc/self/stat"); f && ticks > 0) {
    stats.cpu_seconds = CpuSeconds(*f, ticks);
    stats.threads = StatField(*f, 20);
    if (auto start = StatField(*f, 22); start) {
      if (auto boot = BootTimeSeconds(); boot) stats.start_time_seconds = *boot + *start / ticks;
    }
    stats.virtual_memory_bytes = StatField(*f, 23);
    if (auto rss = StatField(*f, 24); rss && page > 0) stats.resident_memory_bytes = *rss * page;
  }
  stats.open_fds = OpenFds();
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    stats.max_fds = static_cast<double>(limit.rlim_cur);
  }
  return stats;
}

std::optional<double> ProcessCpuSeconds(int pid) {
  auto f = ReadStatFields(pid == 0 ? std::string("/proc/self/stat")
                                   : "/proc/" + std::to_string(pid) + "/stat");
  if (!f) return std::nullopt;
  return CpuSeconds(*f, static_cast<double>(sysconf(_SC_CLK_TCK)));
}

void RenderProcessStats(const ProcessStats& s, std::string* out) {
  auto add = [out](const char* type, const char* name, const char* help,
                   const std::optional<double>& v) {
    if (v) AppendPrometheusSample(out, type, name, help, *v);
  };
  add("counter", "process_cpu_seconds_total", "User and system CPU time, in seconds.",
      s.cpu_seconds);
  add("gauge", "process_resident_memory_bytes", "Resident memory size, in bytes.",
      s.resident_memory_bytes);
  add("gauge", "process_virtual_memory_bytes", "Virtual memory size, in bytes.",
      s.virtual_memory_bytes);
  add("gauge", "process_open_fds", "Open file descriptors.", s.open_fds);
  add("gauge", "process_max_fds", "Limit on open file descriptors.", s.max_fds);
  add("gauge", "process_threads", "Threads in the process.", s.threads);
  add("gauge", "process_start_time_seconds",
      "Start time of the process since the Unix epoch, in seconds.", s.start_time_seconds);
}

void AddProcessMetrics(MetricsRegistry* registry) {
  registry->AddCollector([](std::string* out) { RenderProcessStats(ReadProcessStats(), out); });
}

}  // namespace kaizen::server

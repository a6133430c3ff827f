// Process metrics every Kaizen process exposes (services and the gateway),
// read from /proc at scrape time, with the names Prometheus client libraries
// use so that standard dashboards work:
//
//   process_cpu_seconds_total       counter  user + system CPU time
//   process_resident_memory_bytes   gauge    resident set size
//   process_virtual_memory_bytes    gauge    virtual memory size
//   process_open_fds                gauge    open file descriptors
//   process_max_fds                 gauge    the soft RLIMIT_NOFILE
//   process_threads                 gauge    threads in the process
//   process_start_time_seconds      gauge    start, seconds since the Unix epoch
//
// Uptime is `time() - process_start_time_seconds`. A value that cannot be
// read (no /proc, e.g. outside Linux) is left out rather than reported as 0.
#ifndef KAIZEN_COMMON_SERVER_PROCESS_METRICS_H_
#define KAIZEN_COMMON_SERVER_PROCESS_METRICS_H_

#include <optional>
#include <string>

#include "common/server/metrics_registry.h"

namespace kaizen::server {

// One reading of the values above; each is empty when it could not be read.
struct ProcessStats {
  std::optional<double> cpu_seconds;
  std::optional<double> resident_memory_bytes;
  std::optional<double> virtual_memory_bytes;
  std::optional<double> open_fds;
  std::optional<double> max_fds;
  std::optional<double> threads;
  std::optional<double> start_time_seconds;
};

// Reads the current process's statistics (a few small /proc reads).
ProcessStats ReadProcessStats();

// User + system CPU time so far of process `pid` (0: this process), in
// seconds, from /proc/<pid>/stat; empty when it cannot be read (no such
// process). tools/bench measures other processes with it.
std::optional<double> ProcessCpuSeconds(int pid = 0);

// Renders `stats` as the families listed above.
void RenderProcessStats(const ProcessStats& stats, std::string* out);

// Adds a collector that reads and renders the process statistics on every
// scrape. Call once per registry.
void AddProcessMetrics(MetricsRegistry* registry);

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_PROCESS_METRICS_H_

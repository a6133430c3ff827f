// Names the calling thread (Linux: at most 15 bytes, longer names are cut),
// so `top -H`, `perf`, `gdb` and /proc/<pid>/task/*/comm tell an operator
// which of a service's threads is busy: without a name a thread inherits the
// name of the one that started it (e.g. gRPC's "nexting_thread").
#ifndef KAIZEN_COMMON_UTIL_THREAD_NAME_H_
#define KAIZEN_COMMON_UTIL_THREAD_NAME_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kaizen {

// The names Kaizen's own threads take, all "kz-" and at most 15 bytes.
inline constexpr char kThreadDbWriter[] = "kz-db-writer";      // asynchronous writes
inline constexpr char kThreadDbAnswers[] = "kz-db-answers";    // their completions
inline constexpr char kThreadCheckpoint[] = "kz-checkpoint";   // WAL checkpoints
inline constexpr char kThreadWorker[] = "kz-worker";           // CallExecutor
inline constexpr char kThreadOutbox[] = "kz-outbox";           // notify::Deliverer
inline constexpr char kThreadMetrics[] = "kz-metrics";         // /metrics over HTTP
inline constexpr char kThreadReadiness[] = "kz-readiness";     // readiness refresh

void NameThisThread(absl::string_view name);

// The calling thread's name ("" if it cannot be read).
std::string ThisThreadName();

}  // namespace kaizen

#endif  // KAIZEN_COMMON_UTIL_THREAD_NAME_H_

// The raw durable commit rate of SQLite on a given disk: the yardstick for
// CreateApplication throughput (issue 18). One connection, WAL,
// synchronous=FULL, one small INSERT per transaction (autocommit), as fast
// as one thread can go; a file in the same directory as the servers'
// databases so both sit on the same disk.
#ifndef KAIZEN_TOOLS_BENCH_RAW_COMMIT_H_
#define KAIZEN_TOOLS_BENCH_RAW_COMMIT_H_

#include <string>

#include "absl/status/statusor.h"

namespace kaizen::bench {

struct RawCommitResult {
  long long commits = 0;
  double seconds = 0;
  double per_second() const { return seconds > 0 ? commits / seconds : 0; }
};

// Creates (or reuses) `path`, commits single-row transactions for
// `warmup_seconds` (not counted) then `seconds`. An error names the SQLite
// failure.
absl::StatusOr<RawCommitResult> MeasureRawCommits(const std::string& path, double warmup_seconds,
                                                  double seconds);

}  // namespace kaizen::bench

#endif  // KAIZEN_TOOLS_BENCH_RAW_COMMIT_H_

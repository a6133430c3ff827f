// The `purges` table two services keep (issue 15): a mark per cohort purge
// (participant "") and per person erased, with when the purge first
// committed and what it deleted then, so that a repeated request answers
// with the first report. The table itself is created by each service's own
// migrations (it is part of that service's schema history), with these
// columns:
//
//   purges (cohort_id TEXT NOT NULL, participant TEXT NOT NULL,
//           purge_time INTEGER NOT NULL, counts TEXT,
//           PRIMARY KEY (cohort_id, participant)) WITHOUT ROWID
//
// `counts` holds "kind=count" lines in the report's order; NULL for a purge
// recorded before counts were kept. Nothing personal is stored: resource
// names, a time and numbers.
//
// The functions run inside the caller's write transaction and throw
// SQLiteCpp exceptions (the transaction turns them into statuses).
// purge_flow.h has the first-or-repeat flow built on these marks.
#ifndef KAIZEN_COMMON_STORAGE_PURGE_MARKS_H_
#define KAIZEN_COMMON_STORAGE_PURGE_MARKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kaizen::storage {

// What a purge deleted: (kind, count) in a stable order, zeros included.
using PurgeCounts = std::vector<std::pair<std::string, int64_t>>;

// A recorded purge of a cohort or of one person: when it first committed
// and what it deleted then. `has_counts` is false for a purge recorded
// before counts were kept.
struct PurgeRecord {
  absl::Time complete_time;
  bool has_counts = false;
  PurgeCounts counts;
};

// "kind=count\n" lines, in order; and back (nullopt when a line has no
// kind, no '=' or no integer count).
std::string EncodePurgeCounts(const PurgeCounts& counts);
std::optional<PurgeCounts> DecodePurgeCounts(absl::string_view text);

// Records the purge and what it deleted. Idempotent: the first time is
// kept, and counts are only filled in where none were stored.
void MarkPurged(SQLite::Database& db, const std::string& cohort_id,
                const std::string& participant, absl::Time now, const PurgeCounts& counts);

// The recorded purge of the cohort (participant "") or the person; INTERNAL
// if its counts do not parse.
absl::StatusOr<std::optional<PurgeRecord>> GetPurge(SQLite::Database& db,
                                                    const std::string& cohort_id,
                                                    const std::string& participant);

// Whether the cohort (participant "") or the person was purged.
bool IsPurged(SQLite::Database& db, const std::string& cohort_id,
              const std::string& participant);

}  // namespace kaizen::storage

#endif  // KAIZEN_COMMON_STORAGE_PURGE_MARKS_H_

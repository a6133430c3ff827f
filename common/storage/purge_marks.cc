#include "common/storage/purge_marks.h"

#include "SQLiteCpp/Statement.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"

namespace kaizen::storage {

std::string EncodePurgeCounts(const PurgeCounts& counts) {
  std::string out;
  for (const auto& [kind, n] : counts) absl::StrAppend(&out, kind, "=", n, "\n");
  return out;
}

std::optional<PurgeCounts> DecodePurgeCounts(absl::string_view text) {
  PurgeCounts out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const size_t eq = line.rfind('=');
    int64_t n = 0;
    if (eq == absl::string_view::npos || eq == 0 || !absl::SimpleAtoi(line.substr(eq + 1), &n)) {
      return std::nullopt;
    }
    out.emplace_back(std::string(line.substr(0, eq)), n);
  }
  return out;
}

void MarkPurged(SQLite::Database& db, const std::string& cohort_id,
                const std::string& participant, absl::Time now, const PurgeCounts& counts) {
  SQLite::Statement insert(db,
                           "INSERT INTO purges (cohort_id, participant, purge_time, counts) "
                           "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (cohort_id, participant) "
                           "DO UPDATE SET counts = excluded.counts WHERE counts IS NULL");
  insert.bind(1, cohort_id);
  insert.bind(2, participant);
  insert.bind(3, static_cast<int64_t>(absl::ToUnixMicros(now)));
  insert.bind(4, EncodePurgeCounts(counts));
  insert.exec();
}

absl::StatusOr<std::optional<PurgeRecord>> GetPurge(SQLite::Database& db,
                                                    const std::string& cohort_id,
                                                    const std::string& participant) {
  SQLite::Statement query(db,
                          "SELECT purge_time, counts FROM purges "
                          "WHERE cohort_id = ?1 AND participant = ?2");
  query.bind(1, cohort_id);
  query.bind(2, participant);
  if (!query.executeStep()) return std::optional<PurgeRecord>();
  PurgeRecord record;
  record.complete_time = absl::FromUnixMicros(query.getColumn(0).getInt64());
  if (!query.getColumn(1).isNull()) {
    std::optional<PurgeCounts> counts = DecodePurgeCounts(query.getColumn(1).getString());
    if (!counts.has_value()) {
      return errors::Internal("a recorded purge's counts cannot be read");
    }
    record.has_counts = true;
    record.counts = std::move(*counts);
  }
  return std::optional<PurgeRecord>(std::move(record));
}

bool IsPurged(SQLite::Database& db, const std::string& cohort_id,
              const std::string& participant) {
  SQLite::Statement query(db,
                          "SELECT 1 FROM purges WHERE cohort_id = ?1 AND participant = ?2");
  query.bind(1, cohort_id);
  query.bind(2, participant);
  return query.executeStep();
}

}  // namespace kaizen::storage

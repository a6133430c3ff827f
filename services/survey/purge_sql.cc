#include "services/survey/purge_sql.h"

#include <functional>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "SQLiteCpp/Statement.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "services/survey/survey_rows.h"

namespace kaizen::survey::purge_sql {
namespace {

// The kinds a survey purge reports, in this order (zeros included).
constexpr char kResponses[] = "responses";
constexpr char kFreeText[] = "free_text_answers";
constexpr char kPoolRows[] = "pool_rows";
constexpr char kParticipation[] = "participation_entries";
constexpr char kRequestIds[] = "request_ids";

// "kind=count" lines, in the report's order.
std::string EncodeCounts(const PurgeCounts& counts) {
  std::string out;
  for (const auto& [kind, n] : counts) absl::StrAppend(&out, kind, "=", n, "\n");
  return out;
}

std::optional<PurgeCounts> DecodeCounts(absl::string_view text) {
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

// Free-text answers in one stored response (each is a personal field
// removed with it).
int64_t FreeTextIn(const SQLite::Column& data) {
  v1::Response response;
  if (!response.ParseFromArray(data.getBlob(), data.getBytes())) return 0;
  int64_t n = 0;
  for (const v1::Answer& a : response.answers()) {
    if (a.value_case() == v1::Answer::kText && !a.text().empty()) ++n;
  }
  return n;
}

// Deletes the request ids that made a resource of the cohort
// ("cohorts/{c}/...") and that `select` picks (by scope and resource name).
int64_t DeleteRequestIds(SQLite::Database& db, const std::string& cohort_id,
                         const std::function<bool(const std::string& scope,
                                                  const std::string& resource)>& select) {
  const std::string prefix = absl::StrCat("cohorts/", cohort_id, "/");
  SQLite::Statement query(db,
                          "SELECT scope, request_id, resource_name FROM request_ids "
                          "WHERE substr(resource_name, 1, length(?1)) = ?1");
  query.bind(1, prefix);
  std::vector<std::pair<std::string, std::string>> keys;
  while (query.executeStep()) {
    const std::string scope = query.getColumn(0).getString();
    if (select(scope, query.getColumn(2).getString())) {
      keys.emplace_back(scope, query.getColumn(1).getString());
    }
  }
  SQLite::Statement remove(db, "DELETE FROM request_ids WHERE scope = ?1 AND request_id = ?2");
  for (const auto& [scope, id] : keys) {
    remove.bind(1, scope);
    remove.bind(2, id);
    remove.exec();
    remove.reset();
  }
  return static_cast<int64_t>(keys.size());
}

}  // namespace

const char kSchemaV2[] = R"sql(
CREATE TABLE purges (
  cohort_id TEXT NOT NULL,
  participant TEXT NOT NULL,
  purge_time INTEGER NOT NULL,
  PRIMARY KEY (cohort_id, participant)
) WITHOUT ROWID;
)sql";

const char kSchemaV3[] = R"sql(
ALTER TABLE purges ADD COLUMN counts TEXT;
)sql";

PurgeCounts PurgeCohort(SQLite::Database& db, const std::string& cohort_id) {
  int64_t responses = 0, free_text = 0;
  {
    SQLite::Statement query(db, "SELECT data FROM responses WHERE cohort_id = ?1");
    query.bind(1, cohort_id);
    while (query.executeStep()) {
      ++responses;
      free_text += FreeTextIn(query.getColumn(0));
    }
  }
  int64_t participation = 0;
  {
    SQLite::Statement query(db, "SELECT participants FROM participation WHERE cohort_id = ?1");
    query.bind(1, cohort_id);
    while (query.executeStep()) {
      participation +=
          static_cast<int64_t>(rows::DecodeParticipants(query.getColumn(0).getString()).size());
    }
  }
  const int64_t request_ids = DeleteRequestIds(
      db, cohort_id, [](const std::string&, const std::string&) { return true; });
  SQLite::Statement pool(db, "DELETE FROM pool_likert WHERE cohort_id = ?1");
  pool.bind(1, cohort_id);
  const int64_t pool_rows = pool.exec();
  SQLite::Statement ledger(db, "DELETE FROM participation WHERE cohort_id = ?1");
  ledger.bind(1, cohort_id);
  ledger.exec();
  SQLite::Statement remove(db, "DELETE FROM responses WHERE cohort_id = ?1");
  remove.bind(1, cohort_id);
  remove.exec();
  return {{kResponses, responses},
          {kFreeText, free_text},
          {kPoolRows, pool_rows},
          {kParticipation, participation},
          {kRequestIds, request_ids}};
}

PurgeCounts PurgeParticipant(SQLite::Database& db, const std::string& cohort_id,
                             const std::string& participant, const std::string& subject) {
  int64_t free_text = 0;
  std::set<std::string> names;
  {
    SQLite::Statement query(db,
                            "SELECT wave_id, id, data FROM responses "
                            "WHERE cohort_id = ?1 AND participant = ?2 AND participant <> ''");
    query.bind(1, cohort_id);
    query.bind(2, participant);
    while (query.executeStep()) {
      names.insert(rows::ResponseName(cohort_id, query.getColumn(0).getString(),
                                      query.getColumn(1).getString()));
      free_text += FreeTextIn(query.getColumn(2));
    }
  }
  const std::string scope_suffix = absl::StrCat("\x1f", subject);
  const int64_t request_ids = DeleteRequestIds(
      db, cohort_id, [&](const std::string& scope, const std::string& resource) {
        return names.count(resource) > 0 ||
               (!subject.empty() && absl::EndsWith(scope, scope_suffix));
      });
  SQLite::Statement pool(db,
                         "DELETE FROM pool_likert WHERE cohort_id = ?1 AND participant = ?2 "
                         "AND participant <> ''");
  pool.bind(1, cohort_id);
  pool.bind(2, participant);
  const int64_t pool_rows = pool.exec();
  // Who answered an anonymous wave: take the person out of each set.
  int64_t participation = 0;
  {
    std::vector<std::pair<std::string, std::set<std::string>>> changed;
    SQLite::Statement query(db,
                            "SELECT wave_id, participants FROM participation "
                            "WHERE cohort_id = ?1");
    query.bind(1, cohort_id);
    while (query.executeStep()) {
      std::set<std::string> set = rows::DecodeParticipants(query.getColumn(1).getString());
      if (set.erase(participant) > 0) {
        changed.emplace_back(query.getColumn(0).getString(), std::move(set));
      }
    }
    SQLite::Statement update(db,
                             "UPDATE participation SET participants = ?3 "
                             "WHERE cohort_id = ?1 AND wave_id = ?2");
    for (const auto& [wave_id, set] : changed) {
      absl::StatusOr<std::string> text = rows::EncodeParticipants(set);
      if (!text.ok()) continue;  // names were valid when stored
      update.bind(1, cohort_id);
      update.bind(2, wave_id);
      update.bind(3, *text);
      update.exec();
      update.reset();
      ++participation;
    }
  }
  SQLite::Statement remove(db,
                           "DELETE FROM responses WHERE cohort_id = ?1 AND participant = ?2 "
                           "AND participant <> ''");
  remove.bind(1, cohort_id);
  remove.bind(2, participant);
  const int64_t responses = remove.exec();
  return {{kResponses, responses},
          {kFreeText, free_text},
          {kPoolRows, pool_rows},
          {kParticipation, participation},
          {kRequestIds, request_ids}};
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
  insert.bind(4, EncodeCounts(counts));
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
    std::optional<PurgeCounts> counts = DecodeCounts(query.getColumn(1).getString());
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

}  // namespace kaizen::survey::purge_sql

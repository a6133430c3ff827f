#include "services/survey/purge_sql.h"

#include <set>
#include <utility>
#include <vector>

#include "SQLiteCpp/Statement.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/partner/result_changes_contract.h"
#include "common/storage/request_ids.h"
#include "services/survey/survey_rows.h"

namespace kaizen::survey::purge_sql {
namespace {

// The kinds a survey purge reports, in this order (zeros included).
constexpr char kResponses[] = "responses";
constexpr char kFreeText[] = "free_text_answers";
constexpr char kPoolRows[] = "pool_rows";
constexpr char kParticipation[] = "participation_entries";
constexpr char kRequestIds[] = "request_ids";
constexpr char kResultChanges[] = "result_changes";

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
  const int64_t request_ids = storage::DeleteRequestIds(
      db, absl::StrCat("cohorts/", cohort_id, "/"),
      [](const std::string&, const std::string&) { return true; });
  SQLite::Statement pool(db, "DELETE FROM pool_likert WHERE cohort_id = ?1");
  pool.bind(1, cohort_id);
  const int64_t pool_rows = pool.exec();
  SQLite::Statement ledger(db, "DELETE FROM participation WHERE cohort_id = ?1");
  ledger.bind(1, cohort_id);
  ledger.exec();
  SQLite::Statement remove(db, "DELETE FROM responses WHERE cohort_id = ?1");
  remove.bind(1, cohort_id);
  remove.exec();
  const int64_t changes = partner_client::DeleteResultChanges(db, cohort_id, "");
  return {{kResponses, responses},
          {kFreeText, free_text},
          {kPoolRows, pool_rows},
          {kParticipation, participation},
          {kRequestIds, request_ids},
          {kResultChanges, changes}};
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
  const int64_t request_ids = storage::DeleteRequestIds(
      db, absl::StrCat("cohorts/", cohort_id, "/"),
      [&](const std::string& scope, const std::string& resource) {
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
  const int64_t changes = partner_client::DeleteResultChanges(db, cohort_id, participant);
  return {{kResponses, responses},
          {kFreeText, free_text},
          {kPoolRows, pool_rows},
          {kParticipation, participation},
          {kRequestIds, request_ids},
          {kResultChanges, changes}};
}

}  // namespace kaizen::survey::purge_sql

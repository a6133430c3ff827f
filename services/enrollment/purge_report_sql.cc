#include "services/enrollment/purge_report_sql.h"

#include "SQLiteCpp/Statement.h"
#include "absl/time/time.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"

namespace kaizen::enrollment::purge_report_sql {

// `data` is the serialized v1::PurgeReport::ServiceReport (state, counts,
// reasons, attempts, update time): nothing personal. `subject` is an
// erasure's account subject, kept only while the service is PENDING or
// FAILED (the retry needs it), never for NOT_CONFIGURED, cleared in the row
// that completes and in every row of the cohort by its purge.
// `lease_micros`: a call to the service is in flight until then (a second
// concurrent purge does not call it again); `attempt` tells whose answer
// may complete the row.
const char kSchemaV3[] = R"sql(
CREATE TABLE purge_reports (
  cohort_id TEXT NOT NULL,
  participant_id TEXT NOT NULL,
  service TEXT NOT NULL,
  position INTEGER NOT NULL,
  state INTEGER NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  lease_micros INTEGER NOT NULL DEFAULT 0,
  create_micros INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (cohort_id, participant_id, service)
);
)sql";

absl::StatusOr<std::vector<PurgeReportRow>> List(SQLite::Database& db,
                                                 const std::string& cohort_id,
                                                 const std::string& participant_id) {
  SQLite::Statement q(db,
                      "SELECT service, position, subject, lease_micros, create_micros, data "
                      "FROM purge_reports WHERE cohort_id = ?1 AND participant_id = ?2 "
                      "ORDER BY position, service");
  q.bind(1, cohort_id);
  q.bind(2, participant_id);
  std::vector<PurgeReportRow> rows;
  while (q.executeStep()) {
    PurgeReportRow r;
    r.cohort_id = cohort_id;
    r.participant_id = participant_id;
    r.service = q.getColumn(0).getString();
    r.position = q.getColumn(1).getInt();
    r.subject = q.getColumn(2).getString();
    r.lease_until = absl::FromUnixMicros(q.getColumn(3).getInt64());
    r.create_time = absl::FromUnixMicros(q.getColumn(4).getInt64());
    RETURN_IF_ERROR(storage::Parse(q.getColumn(5), &r.report));
    rows.push_back(std::move(r));
  }
  return rows;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ListRetryable(
    SQLite::Database& db, const std::pair<std::string, std::string>& after, absl::Time now,
    int limit) {
  SQLite::Statement q(db,
                      "SELECT DISTINCT cohort_id, participant_id FROM purge_reports "
                      "WHERE (cohort_id, participant_id) > (?1, ?2) "
                      "AND (state = ?3 OR (state = ?4 AND lease_micros <= ?5)) "
                      "ORDER BY cohort_id, participant_id LIMIT ?6");
  q.bind(1, after.first);
  q.bind(2, after.second);
  q.bind(3, static_cast<int>(v1::PurgeReport::FAILED));
  q.bind(4, static_cast<int>(v1::PurgeReport::PENDING));
  q.bind(5, static_cast<int64_t>(absl::ToUnixMicros(now)));
  q.bind(6, limit);
  std::vector<std::pair<std::string, std::string>> keys;
  while (q.executeStep()) {
    keys.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
  }
  return keys;
}

absl::Status Put(SQLite::Database& db, const PurgeReportRow& row) {
  SQLite::Statement q(db,
                      "INSERT OR REPLACE INTO purge_reports (cohort_id, participant_id, service, "
                      "position, state, subject, lease_micros, create_micros, data) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  q.bind(1, row.cohort_id);
  q.bind(2, row.participant_id);
  q.bind(3, row.service);
  q.bind(4, row.position);
  q.bind(5, static_cast<int>(row.report.state()));
  q.bind(6, row.subject);
  q.bind(7, static_cast<int64_t>(absl::ToUnixMicros(row.lease_until)));
  q.bind(8, static_cast<int64_t>(absl::ToUnixMicros(row.create_time)));
  storage::BindBlob(q, 9, row.report.SerializeAsString());
  q.exec();
  return absl::OkStatus();
}

int ClearSubjects(SQLite::Database& db, const std::string& cohort_id) {
  SQLite::Statement q(db,
                      "UPDATE purge_reports SET subject = '' "
                      "WHERE cohort_id = ?1 AND subject <> ''");
  q.bind(1, cohort_id);
  return q.exec();
}

ErasedKeys DeleteParticipantKeys(SQLite::Database& db, const std::string& cohort_id,
                                 const std::string& participant_id,
                                 const std::string& participant_name,
                                 const std::string& application_id,
                                 const std::string& email_key) {
  ErasedKeys erased;
  if (!email_key.empty() && !application_id.empty()) {
    SQLite::Statement emails(db,
                             "DELETE FROM application_emails "
                             "WHERE cohort_id = ?1 AND email_key = ?2 AND application_id = ?3");
    emails.bind(1, cohort_id);
    emails.bind(2, email_key);
    emails.bind(3, application_id);
    erased.email_keys = emails.exec();
  }
  SQLite::Statement links(
      db, "DELETE FROM claim_links WHERE cohort_id = ?1 AND participant_id = ?2");
  links.bind(1, cohort_id);
  links.bind(2, participant_id);
  erased.claim_links = links.exec();
  SQLite::Statement request_ids(db, "DELETE FROM request_ids WHERE resource_name = ?1");
  request_ids.bind(1, participant_name);
  erased.request_ids = request_ids.exec();
  return erased;
}

ErasedKeys DeleteApplicationKeys(SQLite::Database& db, const std::string& cohort_id,
                                 const std::string& application_id,
                                 const std::string& application_name) {
  ErasedKeys erased;
  SQLite::Statement emails(db,
                           "DELETE FROM application_emails "
                           "WHERE cohort_id = ?1 AND application_id = ?2");
  emails.bind(1, cohort_id);
  emails.bind(2, application_id);
  erased.email_keys = emails.exec();
  SQLite::Statement request_ids(db, "DELETE FROM request_ids WHERE resource_name = ?1");
  request_ids.bind(1, application_name);
  erased.request_ids = request_ids.exec();
  return erased;
}

}  // namespace kaizen::enrollment::purge_report_sql

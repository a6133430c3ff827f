#include "services/enrollment/claim_link_sql.h"

#include <vector>

#include "SQLiteCpp/Statement.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"

namespace kaizen::enrollment::claim_link_sql {

const char kSchemaV2[] = R"sql(
CREATE TABLE claim_links (
  token_hash TEXT PRIMARY KEY,
  cohort_id TEXT NOT NULL,
  participant_id TEXT NOT NULL,
  issued_by TEXT NOT NULL,
  create_micros INTEGER NOT NULL,
  expire_micros INTEGER NOT NULL,
  redeem_micros INTEGER,
  redeemed_by TEXT NOT NULL DEFAULT '',
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX claim_links_by_participant ON claim_links (cohort_id, participant_id);
CREATE INDEX participants_by_subject ON participants (subject, seq);
ALTER TABLE applications ADD COLUMN submitter TEXT;
CREATE INDEX applications_by_submitter ON applications (submitter, seq);
)sql";

absl::Status BackfillSubmitters(SQLite::Database& db) {
  SQLite::Statement rows(db, "SELECT seq, data FROM applications WHERE submitter IS NULL");
  std::vector<std::pair<int64_t, std::string>> found;
  while (rows.executeStep()) {
    v1::Application app;
    RETURN_IF_ERROR(storage::Parse(rows.getColumn(1), &app));
    found.emplace_back(rows.getColumn(0).getInt64(), app.submitter());
  }
  SQLite::Statement update(db, "UPDATE applications SET submitter = ?2 WHERE seq = ?1");
  for (const auto& [seq, submitter] : found) {
    update.bind(1, seq);
    update.bind(2, submitter);
    update.exec();
    update.reset();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<ClaimLinkRecord>> Get(SQLite::Database& db,
                                                  const std::string& token_hash) {
  SQLite::Statement q(db,
                      "SELECT cohort_id, participant_id, issued_by, create_micros, "
                      "expire_micros, redeem_micros, redeemed_by, revoked "
                      "FROM claim_links WHERE token_hash = ?1");
  q.bind(1, token_hash);
  if (!q.executeStep()) return std::optional<ClaimLinkRecord>();
  ClaimLinkRecord r;
  r.token_hash = token_hash;
  r.cohort_id = q.getColumn(0).getString();
  r.participant_id = q.getColumn(1).getString();
  r.issued_by = q.getColumn(2).getString();
  r.create_time = absl::FromUnixMicros(q.getColumn(3).getInt64());
  r.expire_time = absl::FromUnixMicros(q.getColumn(4).getInt64());
  if (!q.getColumn(5).isNull()) r.redeem_time = absl::FromUnixMicros(q.getColumn(5).getInt64());
  r.redeemed_by = q.getColumn(6).getString();
  r.revoked = q.getColumn(7).getInt() != 0;
  return std::optional<ClaimLinkRecord>(std::move(r));
}

absl::Status Insert(SQLite::Database& db, const ClaimLinkRecord& r) {
  SQLite::Statement insert(db,
                           "INSERT INTO claim_links (token_hash, cohort_id, participant_id, "
                           "issued_by, create_micros, expire_micros) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.bind(1, r.token_hash);
  insert.bind(2, r.cohort_id);
  insert.bind(3, r.participant_id);
  insert.bind(4, r.issued_by);
  insert.bind(5, absl::ToUnixMicros(r.create_time));
  insert.bind(6, absl::ToUnixMicros(r.expire_time));
  // The hash is of 256 random bits: a collision is not a case to handle
  // gracefully, but it must not overwrite another link either.
  return storage::ExecInsert(insert, "ClaimLink", "claim link");
}

absl::Status RevokeUnredeemed(SQLite::Database& db, const std::string& cohort_id,
                              const std::string& participant_id) {
  SQLite::Statement revoke(db,
                           "UPDATE claim_links SET revoked = 1 WHERE cohort_id = ?1 "
                           "AND participant_id = ?2 AND redeem_micros IS NULL");
  revoke.bind(1, cohort_id);
  revoke.bind(2, participant_id);
  revoke.exec();
  return absl::OkStatus();
}

absl::Status MarkRedeemed(SQLite::Database& db, const ClaimLinkRecord& r) {
  if (!r.redeem_time.has_value()) return errors::Internal("redemption without a time");
  SQLite::Statement update(db,
                           "UPDATE claim_links SET redeem_micros = ?2, redeemed_by = ?3 "
                           "WHERE token_hash = ?1 AND redeem_micros IS NULL");
  update.bind(1, r.token_hash);
  update.bind(2, absl::ToUnixMicros(*r.redeem_time));
  update.bind(3, r.redeemed_by);
  // Zero rows: redeemed already. Inside one BEGIN IMMEDIATE transaction that
  // read the row unredeemed this cannot happen; the guard keeps it single
  // use even if a caller forgot to check.
  if (update.exec() == 0) return errors::Internal("claim link already redeemed");
  return absl::OkStatus();
}

void DeleteCohort(SQLite::Database& db, const std::string& cohort_id) {
  SQLite::Statement remove(db, "DELETE FROM claim_links WHERE cohort_id = ?1");
  remove.bind(1, cohort_id);
  remove.exec();
}

}  // namespace kaizen::enrollment::claim_link_sql

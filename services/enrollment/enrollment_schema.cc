// Enrollment's schema history: migration 1 here, the later ones beside the
// SQL that uses them (claim_link_sql, purge_report_sql). Kept out of
// enrollment_store.cc so the store file holds the transaction alone.
#include "absl/strings/str_cat.h"
#include "common/notify/outbox.h"
#include "common/storage/request_ids.h"
#include "services/enrollment/change_feed_sql.h"
#include "services/enrollment/claim_link_sql.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/notify_sql.h"
#include "services/enrollment/purge_report_sql.h"
#include "services/enrollment/provision_sql.h"
#include "services/enrollment/application_sql.h"
#include "services/enrollment/usage_sql.h"

namespace kaizen::enrollment {
namespace {

constexpr char kSchemaV1[] = R"sql(
CREATE TABLE cohorts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  state INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL
);

CREATE TABLE applications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  cohort_id TEXT NOT NULL REFERENCES cohorts(id),
  id TEXT NOT NULL,
  state INTEGER NOT NULL,
  municipality_code TEXT NOT NULL,
  priority INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (cohort_id, id)
);
CREATE INDEX applications_queue ON applications (cohort_id, priority DESC, seq);

CREATE TABLE application_emails (
  cohort_id TEXT NOT NULL,
  email_key TEXT NOT NULL,
  application_id TEXT NOT NULL,
  PRIMARY KEY (cohort_id, email_key)
);

CREATE TABLE participants (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  cohort_id TEXT NOT NULL REFERENCES cohorts(id),
  id TEXT NOT NULL,
  role INTEGER NOT NULL,
  state INTEGER NOT NULL,
  municipality_code TEXT NOT NULL,
  subject TEXT NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (cohort_id, id)
);
CREATE INDEX participants_by_cohort ON participants (cohort_id, seq);

CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  participant_name TEXT NOT NULL,
  municipality_code TEXT NOT NULL,
  kind INTEGER NOT NULL,
  time_micros INTEGER NOT NULL
);
CREATE INDEX changes_by_municipality ON changes (municipality_code, seq);
)sql";

constexpr char kSchemaV9[] = R"sql(
DELETE FROM application_emails WHERE EXISTS (
  SELECT 1 FROM applications a WHERE a.cohort_id = application_emails.cohort_id
    AND a.id = application_emails.application_id AND a.state = 1);
ALTER TABLE applications ADD COLUMN confirm_expire_micros INTEGER;
UPDATE applications SET confirm_expire_micros = 0 WHERE state = 1;
CREATE INDEX applications_confirm_due ON applications (confirm_expire_micros)
  WHERE confirm_expire_micros IS NOT NULL;
)sql";

// Participant role 1 is PARTICIPANT: the partial index holds staff only
// (participant_sql.cc's staff query repeats the literal, which is how SQLite
// knows it may use it).
constexpr char kSchemaV13[] = R"sql(
CREATE INDEX applications_by_state ON applications (cohort_id, state, priority DESC, seq);
CREATE INDEX participants_staff ON participants (cohort_id, seq) WHERE role <> 1;
)sql";

}  // namespace

const storage::Migrations& EnrollmentStore::Migrations() {
  static const auto* const kMigrations = new storage::Migrations{
      absl::StrCat(kSchemaV1, storage::kRequestIdsTableSql), claim_link_sql::kSchemaV2,
      purge_report_sql::kSchemaV3,
      // 4: APPI Art. 29 provision records, append-only (provision_sql.h).
      provision_sql::kSchema,
      // 5: the category of RESULT_WITHDRAWN feed entries (change_feed_sql.h).
      change_feed_sql::kSchemaV5,
      // 6: provision records cannot be replaced either (provision_sql.h).
      provision_sql::kSchemaV6,
      // 7: the e-mail outbox, reminder settings, hand-overs (notify_sql.h).
      absl::StrCat(notify::kOutboxTableSql, notify_sql::kSchemaV7Tables),
      // 8: applications that answer an anonymous create whose address had
      // already applied. Unused since migration 9 (addresses are reserved at
      // arrival, confirmation.h); kept, always 0, so 8 stays as it shipped.
      "ALTER TABLE applications ADD COLUMN answers_duplicate INTEGER NOT NULL DEFAULT 0;",
      // 9: addresses are reserved at arrival, not at submit: the rows that
      // applications still waiting for confirmation (SUBMITTED = 1) reserved
      // are released; the expiry sweep's due column and its index. Waiting
      // rows start due (0): the sweep reads each once, expires it or stores
      // its real deadline (derived from the proto on every write).
      kSchemaV9,
      // 10: the fingerprint of each hand-over request (notify_sql.h).
      notify_sql::kSchemaV10,
      // 11: seat counters kept by triggers, and applications'
      // admitted_member_count column they read (usage_sql.h; existing rows
      // are backfilled from the proto by EnrollmentStore::Open).
      usage_sql::kSchemaV11,
      // 12: applications.offer_expire_micros and its partial index, so a
      // write's lapsed-offer check reads only lapsed offers (existing
      // OFFERED rows are backfilled from the proto by EnrollmentStore::Open).
      application_sql::kSchemaV12,
      // 13: indexes so a write reads only what it needs however full the
      // cohort is: applications by state in queue order (waiting-list
      // counts and places) and the cohort's staff (every arrival's
      // staff check), docs/benchmarks.md "Performance".
      kSchemaV13,
      // 14: each cohort's waiting-list count kept by triggers (usage_sql.h),
      // so an arrival reads one row instead of counting the list.
      usage_sql::kSchemaV14};
  return *kMigrations;
}

}  // namespace kaizen::enrollment

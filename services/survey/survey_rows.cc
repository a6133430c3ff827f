#include "services/survey/survey_rows.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"

namespace kaizen::survey::rows {

using storage::Parse;

// Cohorts and participants live in the enrollment service, so they are plain
// text here; everything under a wave or an instrument references it, so an
// orphan is refused (FAILED_PRECONDITION, CONSTRAINT_VIOLATION).
//
// Anonymity lives in the shape of `responses` and `participation`:
//  * responses are WITHOUT ROWID, keyed by (cohort_id, wave_id, id) with ids
//    the service draws at random, so the table stores no insertion order and
//    every listing is by id;
//  * no column holds a time (a submission date, if any, is inside `data`);
//  * participant is '' in anonymous waves; the partial unique index makes
//    "one linked response per person per wave" a constraint, not a check;
//  * who responded in an anonymous wave is one `participation` row per wave,
//    the sorted names joined by '\n', rewritten whole on every change.
// The pool index serves ListPool; as an index of a WITHOUT ROWID table it
// ends with the primary key, so (cohort_id, wave_id, submitted) also serves
// ListResponses(submitted_only) in id order.
const char kSchemaV1[] = R"sql(
CREATE TABLE instruments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  data BLOB NOT NULL
);

CREATE TABLE versions (
  instrument_id TEXT NOT NULL REFERENCES instruments (id),
  number INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (instrument_id, number)
) WITHOUT ROWID;

CREATE TABLE waves (
  cohort_id TEXT NOT NULL,
  id TEXT NOT NULL,
  kind INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (cohort_id, id)
) WITHOUT ROWID;

CREATE TABLE responses (
  cohort_id TEXT NOT NULL,
  wave_id TEXT NOT NULL,
  id TEXT NOT NULL,
  participant TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  wave_kind INTEGER NOT NULL,
  instrument_id TEXT NOT NULL,
  submitted INTEGER NOT NULL,
  municipality_code TEXT NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (cohort_id, wave_id, id),
  FOREIGN KEY (cohort_id, wave_id) REFERENCES waves (cohort_id, id)
) WITHOUT ROWID;

-- The pool projection of submitted responses: where each comes from and its
-- Likert answers, compact (ids sorted and joined by \x1f, one byte per
-- value). Clustered by (instrument, wave kind), so a pool read is one range
-- scan of small rows that never spill onto overflow pages (a response row
-- with its proto does: docs/benchmarks.md). Kept by every response write.
CREATE TABLE pool_likert (
  instrument_id TEXT NOT NULL,
  wave_kind INTEGER NOT NULL,
  cohort_id TEXT NOT NULL,
  wave_id TEXT NOT NULL,
  id TEXT NOT NULL,
  participant TEXT NOT NULL,
  municipality_code TEXT NOT NULL,
  likert_ids TEXT NOT NULL,
  likert_values BLOB NOT NULL,
  PRIMARY KEY (instrument_id, wave_kind, cohort_id, wave_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX responses_by_participant ON responses (cohort_id, wave_id, participant)
  WHERE participant <> '';
CREATE UNIQUE INDEX responses_by_key ON responses (cohort_id, wave_id, key_hash)
  WHERE key_hash <> '';
CREATE INDEX responses_by_submitted ON responses (cohort_id, wave_id, submitted);
CREATE INDEX responses_pool ON responses (instrument_id, wave_kind, submitted, municipality_code);

CREATE TABLE participation (
  cohort_id TEXT NOT NULL,
  wave_id TEXT NOT NULL,
  participants TEXT NOT NULL,
  PRIMARY KEY (cohort_id, wave_id),
  FOREIGN KEY (cohort_id, wave_id) REFERENCES waves (cohort_id, id)
) WITHOUT ROWID;

CREATE TABLE coding_rules (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL,
  data BLOB NOT NULL
);
)sql";

std::string InstrumentName(absl::string_view id) { return absl::StrCat("instruments/", id); }

std::string VersionName(absl::string_view instrument_id, int32_t number) {
  return absl::StrCat(InstrumentName(instrument_id), "/versions/v", number);
}

std::string WaveName(absl::string_view cohort_id, absl::string_view id) {
  return absl::StrCat("cohorts/", cohort_id, "/waves/", id);
}

std::string ResponseName(absl::string_view cohort_id, absl::string_view wave_id,
                         absl::string_view id) {
  return absl::StrCat(WaveName(cohort_id, wave_id), "/responses/", id);
}

// A find by participant or key has no response name to report; the wave's
// collection stands in (never the participant or the hash, which errors
// would carry into logs).
std::string ResponsesOf(absl::string_view cohort_id, absl::string_view wave_id) {
  return absl::StrCat(WaveName(cohort_id, wave_id), "/responses");
}

// Output-only fields are derived by the service on every read.
std::string StoredInstrument(const v1::Instrument& instrument) {
  v1::Instrument stored = instrument;
  stored.clear_versions();
  stored.clear_latest_published();
  return stored.SerializeAsString();
}

std::string StoredVersion(const v1::InstrumentVersion& version) {
  v1::InstrumentVersion stored = version;
  stored.clear_etag();
  return stored.SerializeAsString();
}

std::string StoredWave(const v1::Wave& wave) {
  v1::Wave stored = wave;
  stored.clear_state();
  stored.clear_submitted_count();
  stored.clear_etag();
  return stored.SerializeAsString();
}

// The key is a secret shown once; only its hash (a column) is kept.
std::string StoredResponse(const v1::Response& response) {
  v1::Response stored = response;
  stored.clear_etag();
  stored.clear_response_key();
  return stored.SerializeAsString();
}

std::string StoredRules(const v1::CodingRules& rules) {
  v1::CodingRules stored = rules;
  stored.clear_etag();
  return stored.SerializeAsString();
}

// The store is the last line of the anonymity promise, so a record that would
// put a person or a time next to an anonymous response is a bug it refuses
// rather than stores. Linked responses never carry a key hash.
absl::Status CheckResponse(const ResponseRecord& record) {
  if (record.participant.empty()) {
    if (!record.response.participant().empty() || record.response.has_submit_time()) {
      return errors::Internal("an anonymous response cannot carry a person or a time");
    }
  } else if (!record.key_hash.empty()) {
    return errors::Internal("a linked response cannot carry a response key");
  }
  return absl::OkStatus();
}

// The participation ledger's text: sorted names, one a line.
absl::StatusOr<std::string> EncodeParticipants(const std::set<std::string>& participants) {
  for (const std::string& name : participants) {
    if (name.empty() || absl::StrContains(name, '\n')) {
      return errors::Internal("a participant name cannot be recorded");
    }
  }
  return absl::StrJoin(participants, "\n");
}

std::set<std::string> DecodeParticipants(const std::string& text) {
  std::vector<std::string> names = absl::StrSplit(text, '\n', absl::SkipEmpty());
  return std::set<std::string>(names.begin(), names.end());
}

// "cohorts/{c}/waves/{w}/responses/{r}" split into its ids, or false.
bool ParseResponseName(const std::string& name, std::string* cohort_id, std::string* wave_id,
                       std::string* id) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 6 || parts[0] != "cohorts" || parts[2] != "waves" ||
      parts[4] != "responses") {
    return false;
  }
  *cohort_id = parts[1];
  *wave_id = parts[3];
  *id = parts[5];
  return true;
}

// Columns: seq, id, data.
absl::StatusOr<InstrumentRecord> ReadInstrument(SQLite::Statement& row) {
  InstrumentRecord record;
  record.seq = row.getColumn(0).getInt64();
  record.id = row.getColumn(1).getString();
  RETURN_IF_ERROR(Parse(row.getColumn(2), &record.instrument));
  return record;
}

// Columns: instrument_id, number, revision, data.
absl::StatusOr<VersionRecord> ReadVersion(SQLite::Statement& row) {
  VersionRecord record;
  record.instrument_id = row.getColumn(0).getString();
  record.number = row.getColumn(1).getInt();
  record.revision = row.getColumn(2).getInt64();
  RETURN_IF_ERROR(Parse(row.getColumn(3), &record.version));
  return record;
}

// Columns: cohort_id, id, revision, data.
absl::StatusOr<WaveRecord> ReadWave(SQLite::Statement& row) {
  WaveRecord record;
  record.cohort_id = row.getColumn(0).getString();
  record.id = row.getColumn(1).getString();
  record.revision = row.getColumn(2).getInt64();
  RETURN_IF_ERROR(Parse(row.getColumn(3), &record.wave));
  return record;
}

const char kResponseColumns[] =
    "SELECT cohort_id, wave_id, id, revision, participant, key_hash, wave_kind, "
    "instrument_id, data FROM responses ";

// Columns: kResponseColumns.
absl::StatusOr<ResponseRecord> ReadResponse(SQLite::Statement& row) {
  ResponseRecord record;
  record.cohort_id = row.getColumn(0).getString();
  record.wave_id = row.getColumn(1).getString();
  record.id = row.getColumn(2).getString();
  record.revision = row.getColumn(3).getInt64();
  record.participant = row.getColumn(4).getString();
  record.key_hash = row.getColumn(5).getString();
  const int kind = row.getColumn(6).getInt();
  if (!v1::Wave::Kind_IsValid(kind)) return errors::Internal("stored record is unreadable");
  record.wave_kind = static_cast<v1::Wave::Kind>(kind);
  record.instrument_id = row.getColumn(7).getString();
  RETURN_IF_ERROR(Parse(row.getColumn(8), &record.response));
  return record;
}

}  // namespace kaizen::survey::rows

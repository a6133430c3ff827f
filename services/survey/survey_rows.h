// What survey_store.cc reads and writes besides SQL statements: the schema,
// resource names, the stored form of each proto (output-only fields
// cleared), the anonymity guard, the participation ledger's text, and the
// readers of each table's rows. Private to :survey_store.
#ifndef KAIZEN_SERVICES_SURVEY_SURVEY_ROWS_H_
#define KAIZEN_SERVICES_SURVEY_SURVEY_ROWS_H_

#include <cstdint>
#include <set>
#include <string>

#include "SQLiteCpp/Statement.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey::rows {

// Migration 1 (with storage::kRequestIdsTableSql): the tables and why they
// look as they do.
extern const char kSchemaV1[];

std::string InstrumentName(absl::string_view id);

std::string VersionName(absl::string_view instrument_id, int32_t number);

std::string WaveName(absl::string_view cohort_id, absl::string_view id);

std::string ResponseName(absl::string_view cohort_id, absl::string_view wave_id,
                         absl::string_view id);

// A find by participant or key has no response name to report; the wave's
// collection stands in (never the participant or the hash, which errors
// would carry into logs).
std::string ResponsesOf(absl::string_view cohort_id, absl::string_view wave_id);

// Output-only fields are derived by the service on every read.
std::string StoredInstrument(const v1::Instrument& instrument);

std::string StoredVersion(const v1::InstrumentVersion& version);

std::string StoredWave(const v1::Wave& wave);

// The key is a secret shown once; only its hash (a column) is kept.
std::string StoredResponse(const v1::Response& response);

std::string StoredRules(const v1::CodingRules& rules);

// The store is the last line of the anonymity promise, so a record that would
// put a person or a time next to an anonymous response is a bug it refuses
// rather than stores. Linked responses never carry a key hash.
absl::Status CheckResponse(const ResponseRecord& record);

// The participation ledger's text: sorted names, one a line.
absl::StatusOr<std::string> EncodeParticipants(const std::set<std::string>& participants);

std::set<std::string> DecodeParticipants(const std::string& text);

// "cohorts/{c}/waves/{w}/responses/{r}" split into its ids, or false.
bool ParseResponseName(const std::string& name, std::string* cohort_id, std::string* wave_id,
                       std::string* id);

// Columns: seq, id, data.
absl::StatusOr<InstrumentRecord> ReadInstrument(SQLite::Statement& row);

// Columns: instrument_id, number, revision, data.
absl::StatusOr<VersionRecord> ReadVersion(SQLite::Statement& row);

// Columns: cohort_id, id, revision, data.
absl::StatusOr<WaveRecord> ReadWave(SQLite::Statement& row);

extern const char kResponseColumns[];

// Columns: kResponseColumns.
absl::StatusOr<ResponseRecord> ReadResponse(SQLite::Statement& row);

}  // namespace kaizen::survey::rows

#endif  // KAIZEN_SERVICES_SURVEY_SURVEY_ROWS_H_

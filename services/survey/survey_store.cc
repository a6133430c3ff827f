#include "services/survey/survey_store.h"

#include <memory>
#include <utility>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "clients/partner/result_changes_contract.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/message_lite.h"
#include "services/survey/pool_sql.h"
#include "services/survey/purge_sql.h"
#include "services/survey/survey_rows.h"

namespace kaizen::survey {
namespace {

using storage::BindBlob;
using storage::ExecInsert;
using storage::Parse;
using storage::ReadAll;
using storage::SqlLimit;

using rows::kSchemaV1;
using rows::InstrumentName;
using rows::VersionName;
using rows::WaveName;
using rows::ResponseName;
using rows::ResponsesOf;
using rows::StoredInstrument;
using rows::StoredVersion;
using rows::StoredWave;
using rows::StoredResponse;
using rows::StoredRules;
using rows::CheckResponse;
using rows::EncodeParticipants;
using rows::DecodeParticipants;
using rows::ParseResponseName;
using rows::ReadInstrument;
using rows::ReadVersion;
using rows::ReadWave;
using rows::kResponseColumns;
using rows::ReadResponse;

class SqliteSurveyTx final : public SurveyTx {
 public:
  explicit SqliteSurveyTx(SQLite::Database& db) : db_(db) {}

  // --- instruments and versions

  absl::StatusOr<InstrumentRecord> GetInstrument(const std::string& id) override {
    SQLite::Statement query(db_, "SELECT seq, id, data FROM instruments WHERE id = ?1");
    query.bind(1, id);
    if (!query.executeStep()) return errors::NotFound("Instrument", InstrumentName(id));
    return ReadInstrument(query);
  }

  absl::Status InsertInstrument(InstrumentRecord* record) override {
    SQLite::Statement insert(db_, "INSERT INTO instruments (id, data) VALUES (?1, ?2)");
    insert.bind(1, record->id);
    BindBlob(insert, 2, StoredInstrument(record->instrument));
    RETURN_IF_ERROR(ExecInsert(insert, "Instrument", InstrumentName(record->id)));
    record->seq = db_.getLastInsertRowid();
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<InstrumentRecord>> ListInstruments(int64_t after_seq,
                                                                int limit) override {
    SQLite::Statement query(db_,
                            "SELECT seq, id, data FROM instruments WHERE seq > ?1 "
                            "ORDER BY seq LIMIT ?2");
    query.bind(1, after_seq);
    query.bind(2, SqlLimit(limit));
    return ReadAll<InstrumentRecord>(query, &ReadInstrument);
  }

  absl::StatusOr<VersionRecord> GetVersion(const std::string& instrument_id,
                                           int32_t number) override {
    SQLite::Statement query(db_,
                            "SELECT instrument_id, number, revision, data FROM versions "
                            "WHERE instrument_id = ?1 AND number = ?2");
    query.bind(1, instrument_id);
    query.bind(2, number);
    if (!query.executeStep()) {
      return errors::NotFound("InstrumentVersion", VersionName(instrument_id, number));
    }
    return ReadVersion(query);
  }

  absl::Status InsertVersion(VersionRecord* record) override {
    constexpr int64_t kRevision = 1;
    SQLite::Statement insert(db_,
                             "INSERT INTO versions (instrument_id, number, revision, data) "
                             "VALUES (?1, ?2, ?3, ?4)");
    insert.bind(1, record->instrument_id);
    insert.bind(2, record->number);
    insert.bind(3, kRevision);
    BindBlob(insert, 4, StoredVersion(record->version));
    RETURN_IF_ERROR(ExecInsert(insert, "InstrumentVersion",
                               VersionName(record->instrument_id, record->number)));
    record->revision = kRevision;
    return absl::OkStatus();
  }

  absl::Status UpdateVersion(VersionRecord* record) override {
    const int64_t revision = record->revision + 1;
    SQLite::Statement update(db_,
                             "UPDATE versions SET revision = ?3, data = ?4 "
                             "WHERE instrument_id = ?1 AND number = ?2");
    update.bind(1, record->instrument_id);
    update.bind(2, record->number);
    update.bind(3, revision);
    BindBlob(update, 4, StoredVersion(record->version));
    if (update.exec() == 0) {
      return errors::NotFound("InstrumentVersion",
                              VersionName(record->instrument_id, record->number));
    }
    record->revision = revision;
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<VersionRecord>> ListVersions(
      const std::string& instrument_id) override {
    SQLite::Statement query(db_,
                            "SELECT instrument_id, number, revision, data FROM versions "
                            "WHERE instrument_id = ?1 ORDER BY number");
    query.bind(1, instrument_id);
    return ReadAll<VersionRecord>(query, &ReadVersion);
  }

  // --- waves

  absl::StatusOr<WaveRecord> GetWave(const std::string& cohort_id, const std::string& id) override {
    SQLite::Statement query(db_,
                            "SELECT cohort_id, id, revision, data FROM waves "
                            "WHERE cohort_id = ?1 AND id = ?2");
    query.bind(1, cohort_id);
    query.bind(2, id);
    if (!query.executeStep()) return errors::NotFound("Wave", WaveName(cohort_id, id));
    return ReadWave(query);
  }

  absl::Status InsertWave(WaveRecord* record) override {
    constexpr int64_t kRevision = 1;
    SQLite::Statement insert(db_,
                             "INSERT INTO waves (cohort_id, id, kind, revision, data) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, record->cohort_id);
    insert.bind(2, record->id);
    insert.bind(3, static_cast<int>(record->wave.kind()));
    insert.bind(4, kRevision);
    BindBlob(insert, 5, StoredWave(record->wave));
    RETURN_IF_ERROR(ExecInsert(insert, "Wave", WaveName(record->cohort_id, record->id)));
    record->revision = kRevision;
    return absl::OkStatus();
  }

  absl::Status UpdateWave(WaveRecord* record) override {
    const int64_t revision = record->revision + 1;
    SQLite::Statement update(db_,
                             "UPDATE waves SET kind = ?3, revision = ?4, data = ?5 "
                             "WHERE cohort_id = ?1 AND id = ?2");
    update.bind(1, record->cohort_id);
    update.bind(2, record->id);
    update.bind(3, static_cast<int>(record->wave.kind()));
    update.bind(4, revision);
    BindBlob(update, 5, StoredWave(record->wave));
    if (update.exec() == 0) {
      return errors::NotFound("Wave", WaveName(record->cohort_id, record->id));
    }
    record->revision = revision;
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<WaveRecord>> ListWaves(const std::string& cohort_id) override {
    SQLite::Statement query(db_,
                            "SELECT cohort_id, id, revision, data FROM waves "
                            "WHERE cohort_id = ?1 ORDER BY kind, id");
    query.bind(1, cohort_id);
    return ReadAll<WaveRecord>(query, &ReadWave);
  }

  // --- responses

  absl::StatusOr<ResponseRecord> GetResponse(const std::string& cohort_id,
                                             const std::string& wave_id,
                                             const std::string& id) override {
    SQLite::Statement query(
        db_, absl::StrCat(kResponseColumns, "WHERE cohort_id = ?1 AND wave_id = ?2 AND id = ?3"));
    query.bind(1, cohort_id);
    query.bind(2, wave_id);
    query.bind(3, id);
    if (!query.executeStep()) {
      return errors::NotFound("Response", ResponseName(cohort_id, wave_id, id));
    }
    return ReadResponse(query);
  }

  absl::StatusOr<ResponseRecord> FindResponseOf(const std::string& cohort_id,
                                                const std::string& wave_id,
                                                const std::string& participant) override {
    // The repeated `participant <> ''` lets SQLite use the partial index, and
    // keeps an empty name from matching every anonymous response.
    SQLite::Statement query(db_, absl::StrCat(kResponseColumns,
                                              "WHERE cohort_id = ?1 AND wave_id = ?2 "
                                              "AND participant = ?3 AND participant <> ''"));
    query.bind(1, cohort_id);
    query.bind(2, wave_id);
    query.bind(3, participant);
    if (!query.executeStep()) return errors::NotFound("Response", ResponsesOf(cohort_id, wave_id));
    return ReadResponse(query);
  }

  absl::StatusOr<ResponseRecord> FindResponseByKey(const std::string& cohort_id,
                                                   const std::string& wave_id,
                                                   const std::string& key_hash) override {
    SQLite::Statement query(db_, absl::StrCat(kResponseColumns,
                                              "WHERE cohort_id = ?1 AND wave_id = ?2 "
                                              "AND key_hash = ?3 AND key_hash <> ''"));
    query.bind(1, cohort_id);
    query.bind(2, wave_id);
    query.bind(3, key_hash);
    if (!query.executeStep()) return errors::NotFound("Response", ResponsesOf(cohort_id, wave_id));
    return ReadResponse(query);
  }

  absl::Status InsertResponse(ResponseRecord* record) override {
    constexpr int64_t kRevision = 1;
    RETURN_IF_ERROR(CheckResponse(*record));
    SQLite::Statement insert(
        db_,
        "INSERT INTO responses (cohort_id, wave_id, id, participant, "
        "key_hash, wave_kind, instrument_id, submitted, municipality_code, "
        "revision, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    BindResponse(insert, *record, kRevision);
    RETURN_IF_ERROR(ExecResponseWrite(insert, *record));
    pool_sql::WriteRow(db_, *record);
    record->revision = kRevision;
    return absl::OkStatus();
  }

  absl::Status UpdateResponse(ResponseRecord* record) override {
    const int64_t revision = record->revision + 1;
    RETURN_IF_ERROR(CheckResponse(*record));
    SQLite::Statement update(db_,
                             "UPDATE responses SET participant = ?4, key_hash = ?5, "
                             "wave_kind = ?6, instrument_id = ?7, submitted = ?8, "
                             "municipality_code = ?9, revision = ?10, data = ?11 "
                             "WHERE cohort_id = ?1 AND wave_id = ?2 AND id = ?3");
    BindResponse(update, *record, revision);
    int changed = 0;
    RETURN_IF_ERROR(ExecResponseWrite(update, *record, &changed));
    if (changed == 0) {
      return errors::NotFound("Response",
                              ResponseName(record->cohort_id, record->wave_id, record->id));
    }
    pool_sql::WriteRow(db_, *record);
    record->revision = revision;
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<ResponseRecord>> ListResponses(const std::string& cohort_id,
                                                            const std::string& wave_id,
                                                            bool submitted_only,
                                                            const std::string& after_id,
                                                            int limit) override {
    SQLite::Statement query(
        db_, absl::StrCat(kResponseColumns, "WHERE cohort_id = ?1 AND wave_id = ?2 AND id > ?3 ",
                          submitted_only ? "AND submitted = 1 " : "", "ORDER BY id LIMIT ?4"));
    query.bind(1, cohort_id);
    query.bind(2, wave_id);
    query.bind(3, after_id);
    query.bind(4, SqlLimit(limit));
    return ReadAll<ResponseRecord>(query, &ReadResponse);
  }

  absl::StatusOr<int64_t> CountResponses(const std::string& cohort_id, const std::string& wave_id,
                                         bool submitted_only) override {
    SQLite::Statement query(
        db_, absl::StrCat("SELECT COUNT(*) FROM responses WHERE cohort_id = ?1 AND wave_id = ?2",
                          submitted_only ? " AND submitted = 1" : ""));
    query.bind(1, cohort_id);
    query.bind(2, wave_id);
    query.executeStep();
    return query.getColumn(0).getInt64();
  }

  absl::StatusOr<std::vector<ResponseRecord>> ListPool(const PoolFilter& filter) override {
    return pool_sql::List(db_, filter);
  }

  absl::StatusOr<std::vector<PoolRow>> ListPoolLikert(
      const PoolFilter& filter, const std::vector<std::string>& item_ids) override {
    return pool_sql::ListLikert(db_, filter, item_ids);
  }

  // --- anonymous participation ledger

  absl::StatusOr<std::set<std::string>> ParticipationOf(const std::string& cohort_id,
                                                        const std::string& wave_id) override {
    SQLite::Statement query(db_,
                            "SELECT participants FROM participation "
                            "WHERE cohort_id = ?1 AND wave_id = ?2");
    query.bind(1, cohort_id);
    query.bind(2, wave_id);
    if (!query.executeStep()) return std::set<std::string>();
    return DecodeParticipants(query.getColumn(0).getString());
  }

  absl::Status SetParticipation(const std::string& cohort_id, const std::string& wave_id,
                                const std::set<std::string>& participants) override {
    ASSIGN_OR_RETURN(std::string text, EncodeParticipants(participants));
    SQLite::Statement upsert(db_,
                             "INSERT INTO participation (cohort_id, wave_id, participants) "
                             "VALUES (?1, ?2, ?3) ON CONFLICT (cohort_id, wave_id) "
                             "DO UPDATE SET participants = excluded.participants");
    upsert.bind(1, cohort_id);
    upsert.bind(2, wave_id);
    upsert.bind(3, text);
    upsert.exec();
    return absl::OkStatus();
  }

  // --- coding rules

  absl::StatusOr<std::optional<std::pair<v1::CodingRules, int64_t>>> GetCodingRules() override {
    SQLite::Statement query(db_, "SELECT revision, data FROM coding_rules WHERE id = 1");
    if (!query.executeStep()) return std::nullopt;
    std::pair<v1::CodingRules, int64_t> out;
    out.second = query.getColumn(0).getInt64();
    RETURN_IF_ERROR(Parse(query.getColumn(1), &out.first));
    return out;
  }

  absl::Status PutCodingRules(const v1::CodingRules& rules, int64_t revision) override {
    SQLite::Statement upsert(db_,
                             "INSERT INTO coding_rules (id, revision, data) VALUES (1, ?1, ?2) "
                             "ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, "
                             "data = excluded.data");
    upsert.bind(1, revision);
    BindBlob(upsert, 2, StoredRules(rules));
    upsert.exec();
    return absl::OkStatus();
  }

  // --- the result-change log

  absl::Status AppendResultChange(const std::string& cohort_id, const std::string& participant,
                                  absl::Time time) override {
    partner_client::AppendResultChange(db_, cohort_id, participant,
                                       kaizen::type::SHARE_SURVEY_PROFILE, time);
    return absl::OkStatus();
  }

  absl::StatusOr<kaizen::type::ListResultChangesResponse> ListResultChanges(
      int64_t after_sequence, int page_size) override {
    partner_client::ResultChangesQuery query;
    query.after_sequence = after_sequence;
    query.page_size = page_size;
    return partner_client::ListResultChanges(db_, query);
  }

  // --- personal-data purge

  absl::StatusOr<PurgeCounts> PurgePersonalData(const std::string& cohort_id,
                                                const std::string& participant,
                                                const std::string& subject) override {
    if (participant.empty()) return purge_sql::PurgeCohort(db_, cohort_id);
    return purge_sql::PurgeParticipant(db_, cohort_id, participant, subject);
  }

  absl::Status MarkPurged(const std::string& cohort_id, const std::string& participant,
                          absl::Time now, const PurgeCounts& counts) override {
    storage::MarkPurged(db_, cohort_id, participant, now, counts);
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<PurgeRecord>> GetPurge(const std::string& cohort_id,
                                                      const std::string& participant) override {
    return storage::GetPurge(db_, cohort_id, participant);
  }

  absl::StatusOr<bool> IsPurged(const std::string& cohort_id,
                                const std::string& participant) override {
    return storage::IsPurged(db_, cohort_id, participant);
  }

  // --- idempotency

  absl::StatusOr<std::optional<RequestIdRecord>> LookupRequestId(
      const std::string& scope, const std::string& request_id) override {
    return storage::LookupRequestId(db_, scope, request_id);
  }

  // A request id row holds the caller's scope, a time and the resource it
  // made: for an anonymous response that would be exactly the link the
  // ledger avoids, so it is refused (a bug in the caller).
  absl::Status SaveRequestId(const std::string& scope, const std::string& request_id,
                             const RequestIdRecord& record, absl::Time now) override {
    std::string cohort_id, wave_id, id;
    if (ParseResponseName(record.resource_name, &cohort_id, &wave_id, &id)) {
      SQLite::Statement query(db_,
                              "SELECT 1 FROM responses WHERE cohort_id = ?1 AND wave_id = ?2 "
                              "AND id = ?3 AND participant = ''");
      query.bind(1, cohort_id);
      query.bind(2, wave_id);
      query.bind(3, id);
      if (query.executeStep()) {
        return errors::Internal("an anonymous response cannot be tied to a request");
      }
    }
    storage::SaveRequestId(db_, scope, request_id, record, now);
    return absl::OkStatus();
  }

 private:
  // ?1..?11 in the column order of the INSERT.
  static void BindResponse(SQLite::Statement& statement, const ResponseRecord& record,
                           int64_t revision) {
    statement.bind(1, record.cohort_id);
    statement.bind(2, record.wave_id);
    statement.bind(3, record.id);
    statement.bind(4, record.participant);
    statement.bind(5, record.key_hash);
    statement.bind(6, static_cast<int>(record.wave_kind));
    statement.bind(7, record.instrument_id);
    statement.bind(8, record.response.submitted() ? 1 : 0);
    statement.bind(9, record.response.municipality_code());
    statement.bind(10, revision);
    BindBlob(statement, 11, StoredResponse(record.response));
  }

  // Runs an insert or update of a response. A duplicate is reported under the
  // name of the response already there: the participant's own (one per
  // person per wave), else the id's.
  absl::Status ExecResponseWrite(SQLite::Statement& statement, const ResponseRecord& record,
                                 int* changed = nullptr) {
    try {
      const int n = statement.exec();
      if (changed != nullptr) *changed = n;
      return absl::OkStatus();
    } catch (const SQLite::Exception& e) {
      if (!storage::IsDuplicateKey(e)) throw;
    }
    // The failed statement alone was undone; the transaction goes on.
    std::string id = record.id;
    if (!record.participant.empty()) {
      absl::StatusOr<ResponseRecord> existing =
          FindResponseOf(record.cohort_id, record.wave_id, record.participant);
      if (existing.ok()) id = existing->id;
    }
    return errors::AlreadyExists("Response", ResponseName(record.cohort_id, record.wave_id, id));
  }

  SQLite::Database& db_;
};

}  // namespace

const storage::Migrations& SurveyStore::Migrations() {
  static const auto* const kMigrations =
      new storage::Migrations{absl::StrCat(kSchemaV1, storage::kRequestIdsTableSql),
                              purge_sql::kSchemaV2, purge_sql::kSchemaV3,
                              // 4: the result-change log (issue 14).
                              std::string(partner_client::kResultChangesSchema)};
  return *kMigrations;
}

absl::StatusOr<std::unique_ptr<SurveyStore>> SurveyStore::Open(
    const storage::DatabaseOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
                   storage::Database::Open(options, Migrations()));
  return std::unique_ptr<SurveyStore>(new SurveyStore(std::move(db)));
}

absl::Status SurveyStore::Write(const std::function<absl::Status(SurveyTx&)>& fn) {
  // Overwritten or deleted content (an earlier ledger, a response's earlier
  // answers) is zeroed on disk: storage::Database turns secure_delete on for
  // every connection.
  return db_->RunInTransaction([&](SQLite::Database& db) {
    SqliteSurveyTx tx(db);
    return fn(tx);
  });
}

absl::Status SurveyStore::Read(const std::function<absl::Status(SurveyTx&)>& fn) {
  return db_->RunReadOnly([&](SQLite::Database& db) {
    SqliteSurveyTx tx(db);
    return fn(tx);
  });
}

absl::Status SurveyStore::CheckpointWal() { return db_->CheckpointAndTruncateWal(); }

}  // namespace kaizen::survey

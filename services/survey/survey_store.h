// Storage for the survey service: instruments and their versions, waves,
// responses, the anonymous-wave participation ledger, the coding rules and
// request ids, in one SQLite database.
//
// Each resource is stored as its serialized proto plus the columns queries
// need, derived from the record on every write. Callers never see SQL.
//
// Transactions: Write() runs `fn` inside one BEGIN IMMEDIATE transaction
// (common/storage/database.h), so a read-modify-write in `fn` is atomic with
// respect to every other writer; Read() gives a consistent snapshot. `fn`
// returning non-OK rolls everything back.
//
// Revisions: Update* methods store revision + 1 and, only once that write
// succeeded, set record->revision (the etag source); a failed update leaves
// the caller's record unchanged. Inserts start at revision 1.
//
// Anonymous waves (unlinkability by reading the database): a response of an
// anonymous wave is stored with an empty participant, only the hash of its
// response key, and no time finer than a date (the service never passes
// one). Who has responded is kept apart, as ONE row per wave holding the
// sorted set of participant names (ParticipationOf / SetParticipation), so
// neither row order nor timestamps pair a person with a response.
#ifndef KAIZEN_SERVICES_SURVEY_SURVEY_STORE_H_
#define KAIZEN_SERVICES_SURVEY_SURVEY_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/storage/database.h"
#include "common/storage/purge_marks.h"
#include "common/storage/request_ids.h"
#include "kaizen/survey/v1/survey.pb.h"
#include "kaizen/type/partner.pb.h"

namespace kaizen::survey {


// An instrument: `instrument.name` is "instruments/{id}". `versions` and
// `latest_published` are derived by the service, never stored.
struct InstrumentRecord {
  std::string id;
  int64_t seq = 0;  // assigned on insert
  v1::Instrument instrument;
};

// One version: `version.name` is "instruments/{id}/versions/v{number}";
// `etag` is never stored.
struct VersionRecord {
  std::string instrument_id;
  int32_t number = 0;
  int64_t revision = 0;  // etag source
  v1::InstrumentVersion version;
};

// A wave: `wave.name` is "cohorts/{cohort_id}/waves/{id}"; `state`,
// `submitted_count` and `etag` are never stored.
struct WaveRecord {
  std::string cohort_id;
  std::string id;
  int64_t revision = 0;
  v1::Wave wave;
};

// A response. Query columns, derived from the record: participant (empty in
// an anonymous wave), key_hash (anonymous waves), submitted, municipality,
// and the wave's kind and instrument id (copied in by the service, so pool
// queries need no join). `response.etag` and `response.response_key` are
// never stored.
struct ResponseRecord {
  std::string cohort_id;
  std::string wave_id;
  std::string id;
  int64_t revision = 0;
  std::string participant;  // "" in anonymous waves
  std::string key_hash;     // hex SHA-256 of the response key; "" when linked
  v1::Wave::Kind wave_kind = v1::Wave::KIND_UNSPECIFIED;
  std::string instrument_id;  // "kaizen-pre", not the version
  v1::Response response;      // response.submitted, .municipality_code used as columns
};

// Which submitted responses a pool query wants. Empty strings match all.
struct PoolFilter {
  std::string instrument_id;  // required
  v1::Wave::Kind wave_kind = v1::Wave::KIND_UNSPECIFIED;  // required
  std::string cohort_id;
  std::string municipality_code;
  // Only responses of waves closed by this time (close_time <= closed_by),
  // so an aggregate shown outside a cohort's staff does not move with each
  // answer while a wave is open (disclosure.h, "Time"). InfiniteFuture:
  // every wave.
  absl::Time closed_by = absl::InfiniteFuture();
  // With closed_by: this cohort's waves count even while open (the caller
  // is its staff, or analyses its wave).
  std::string open_cohort;
};

// One submitted response of the pool as the lenses need it: where it comes
// from and its Likert answers as numbers, aligned with the item ids asked
// for (NaN = not answered). No proto is handed out, which keeps a pool of
// tens of thousands cheap (docs/benchmarks.md).
struct PoolRow {
  std::string cohort_id;
  std::string participant;  // "" in anonymous waves
  std::string municipality_code;
  std::string response;  // the response's name
  std::vector<float> likert;
};

using RequestIdRecord = storage::RequestIdRecord;

// What a purge deleted, and a recorded purge (common/storage/purge_marks.h;
// `has_counts` is false for a purge recorded before counts were kept,
// schema 2).
using PurgeCounts = storage::PurgeCounts;
using PurgeRecord = storage::PurgeRecord;

// The operations available inside a transaction. NOT_FOUND
// (errors::NotFound with type "Instrument", "InstrumentVersion", "Wave",
// "Response" and the resource name) when a get misses; ALREADY_EXISTS
// (errors::AlreadyExists, same type and name) on a duplicate key.
class SurveyTx {
 public:
  virtual ~SurveyTx() = default;

  // --- instruments and versions
  virtual absl::StatusOr<InstrumentRecord> GetInstrument(const std::string& id) = 0;
  // Sets record->seq.
  virtual absl::Status InsertInstrument(InstrumentRecord* record) = 0;
  // Creation order, seq > after_seq, at most `limit` (<= 0: all).
  virtual absl::StatusOr<std::vector<InstrumentRecord>> ListInstruments(int64_t after_seq,
                                                                        int limit) = 0;
  virtual absl::StatusOr<VersionRecord> GetVersion(const std::string& instrument_id,
                                                   int32_t number) = 0;
  // Sets record->revision (1).
  virtual absl::Status InsertVersion(VersionRecord* record) = 0;
  virtual absl::Status UpdateVersion(VersionRecord* record) = 0;
  // Oldest first.
  virtual absl::StatusOr<std::vector<VersionRecord>> ListVersions(
      const std::string& instrument_id) = 0;

  // --- waves
  virtual absl::StatusOr<WaveRecord> GetWave(const std::string& cohort_id,
                                             const std::string& id) = 0;
  virtual absl::Status InsertWave(WaveRecord* record) = 0;
  virtual absl::Status UpdateWave(WaveRecord* record) = 0;
  // Ordered by kind (PRE first).
  virtual absl::StatusOr<std::vector<WaveRecord>> ListWaves(const std::string& cohort_id) = 0;

  // --- responses
  virtual absl::StatusOr<ResponseRecord> GetResponse(const std::string& cohort_id,
                                                     const std::string& wave_id,
                                                     const std::string& id) = 0;
  // The linked response of `participant` in a wave (NOT_FOUND if none).
  virtual absl::StatusOr<ResponseRecord> FindResponseOf(const std::string& cohort_id,
                                                        const std::string& wave_id,
                                                        const std::string& participant) = 0;
  // The anonymous response whose key hashes to `key_hash` (NOT_FOUND if none).
  virtual absl::StatusOr<ResponseRecord> FindResponseByKey(const std::string& cohort_id,
                                                           const std::string& wave_id,
                                                           const std::string& key_hash) = 0;
  // Sets record->revision (1). ALREADY_EXISTS when the participant already
  // has a linked response in the wave (one response per person).
  virtual absl::Status InsertResponse(ResponseRecord* record) = 0;
  virtual absl::Status UpdateResponse(ResponseRecord* record) = 0;
  // A wave's responses ordered by id, id > after_id, at most `limit` (<= 0:
  // all); only submitted ones when `submitted_only`.
  virtual absl::StatusOr<std::vector<ResponseRecord>> ListResponses(
      const std::string& cohort_id, const std::string& wave_id, bool submitted_only,
      const std::string& after_id, int limit) = 0;
  virtual absl::StatusOr<int64_t> CountResponses(const std::string& cohort_id,
                                                 const std::string& wave_id,
                                                 bool submitted_only) = 0;
  // Submitted responses matching `filter`, across cohorts (the reference
  // pool), in a stable order.
  virtual absl::StatusOr<std::vector<ResponseRecord>> ListPool(const PoolFilter& filter) = 0;
  // The same rows, projected: Likert answers to `item_ids`, ordered by
  // (cohort, wave, id). Served by a projection the store keeps on every
  // response write, so a pool of tens of thousands reads in milliseconds.
  virtual absl::StatusOr<std::vector<PoolRow>> ListPoolLikert(
      const PoolFilter& filter, const std::vector<std::string>& item_ids) = 0;

  // --- anonymous participation ledger (one row per wave)
  virtual absl::StatusOr<std::set<std::string>> ParticipationOf(const std::string& cohort_id,
                                                                const std::string& wave_id) = 0;
  virtual absl::Status SetParticipation(const std::string& cohort_id,
                                        const std::string& wave_id,
                                        const std::set<std::string>& participants) = 0;

  // --- coding rules (one document); nullopt until first saved
  virtual absl::StatusOr<std::optional<std::pair<v1::CodingRules, int64_t>>> GetCodingRules() = 0;
  // Stores `rules` with revision `revision` (the caller passes old + 1).
  virtual absl::Status PutCodingRules(const v1::CodingRules& rules, int64_t revision) = 0;

  // --- the result-change log (issue 14; clients/partner/result_changes_contract.h)
  // Appends one SHARE_SURVEY_PROFILE change of `participant`
  // ("cohorts/{cohort_id}/participants/{p}") at `time`. Call it in the write
  // transaction that changed what GetSharedSurveyProfile answers for them,
  // so the row commits (and rolls back) with the change.
  virtual absl::Status AppendResultChange(const std::string& cohort_id,
                                          const std::string& participant, absl::Time time) = 0;
  // The page of changes after `after_sequence`, at most `page_size` rows.
  virtual absl::StatusOr<kaizen::type::ListResultChangesResponse> ListResultChanges(
      int64_t after_sequence, int page_size) = 0;

  // --- personal-data purge (issue 15; purge_sql.h has the details)
  // participant "": everything personal of the cohort (responses, free
  // text, pool projections, participation sets, request ids, result-change
  // log rows); else that person's linked responses, their place in
  // participation sets and their log rows. `subject` (may be empty) finds
  // request ids scoped to their account. Kinds in order: responses,
  // free_text_answers, pool_rows, participation_entries, request_ids,
  // result_changes.
  virtual absl::StatusOr<PurgeCounts> PurgePersonalData(const std::string& cohort_id,
                                                        const std::string& participant,
                                                        const std::string& subject) = 0;
  // Records that the cohort (participant "") or the person was purged at
  // `now`, deleting `counts`. The first time is kept; counts are stored only
  // where none were (a purge recorded before schema 3).
  virtual absl::Status MarkPurged(const std::string& cohort_id, const std::string& participant,
                                  absl::Time now, const PurgeCounts& counts) = 0;
  // The recorded purge of the cohort (participant "") or the person, if any.
  // INTERNAL if its stored counts cannot be read.
  virtual absl::StatusOr<std::optional<PurgeRecord>> GetPurge(
      const std::string& cohort_id, const std::string& participant) = 0;
  virtual absl::StatusOr<bool> IsPurged(const std::string& cohort_id,
                                        const std::string& participant) = 0;

  // --- idempotency (AIP-155)
  virtual absl::StatusOr<std::optional<RequestIdRecord>> LookupRequestId(
      const std::string& scope, const std::string& request_id) = 0;
  virtual absl::Status SaveRequestId(const std::string& scope, const std::string& request_id,
                                     const RequestIdRecord& record, absl::Time now) = 0;
};

class SurveyStore {
 public:
  // Opens (and migrates) the database at options.path (":memory:" for tests).
  static absl::StatusOr<std::unique_ptr<SurveyStore>> Open(
      const storage::DatabaseOptions& options);

  absl::Status Write(const std::function<absl::Status(SurveyTx&)>& fn);
  // After a purge commits: checkpoints and truncates the WAL so no deleted
  // row survives there (storage::Database::CheckpointAndTruncateWal;
  // ABORTED DATABASE_BUSY while a reader holds an old snapshot).
  absl::Status CheckpointWal();
  absl::Status Read(const std::function<absl::Status(SurveyTx&)>& fn);

  static const storage::Migrations& Migrations();

 private:
  explicit SurveyStore(std::unique_ptr<storage::Database> db) : db_(std::move(db)) {}
  std::unique_ptr<storage::Database> db_;
};

}  // namespace kaizen::survey

#endif  // KAIZEN_SERVICES_SURVEY_SURVEY_STORE_H_

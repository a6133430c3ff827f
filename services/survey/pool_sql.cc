#include "services/survey/pool_sql.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "SQLiteCpp/Statement.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/proto_time.h"
#include "common/storage/sqlite_rows.h"
#include "services/survey/survey_rows.h"

namespace kaizen::survey::pool_sql {

using rows::kResponseColumns;
using rows::ReadResponse;
using rows::ResponseName;
using storage::BindBlob;
using storage::ReadAll;

namespace {

// "cohort\x1fwave" of the waves of `filter`'s kind whose responses stay out
// of the pool: not closed by filter.closed_by, and not of open_cohort.
absl::StatusOr<absl::flat_hash_set<std::string>> OpenWaves(SQLite::Database& db,
                                                           const PoolFilter& filter) {
  absl::flat_hash_set<std::string> open;
  if (filter.closed_by == absl::InfiniteFuture()) return open;
  SQLite::Statement query(db, "SELECT cohort_id, id, revision, data FROM waves WHERE kind = ?1");
  query.bind(1, static_cast<int>(filter.wave_kind));
  while (query.executeStep()) {
    ASSIGN_OR_RETURN(WaveRecord wave, rows::ReadWave(query));
    if (wave.cohort_id == filter.open_cohort) continue;
    if (FromProtoTimestamp(wave.wave.close_time()) > filter.closed_by) {
      open.insert(absl::StrCat(wave.cohort_id, "\x1f", wave.id));
    }
  }
  return open;
}

bool InOpenWave(const absl::flat_hash_set<std::string>& open, absl::string_view cohort_id,
                absl::string_view wave_id) {
  return !open.empty() && open.contains(absl::StrCat(cohort_id, "\x1f", wave_id));
}

}  // namespace

absl::StatusOr<std::vector<ResponseRecord>> List(SQLite::Database& db, const PoolFilter& filter) {
  // Optional filters are left out of the SQL rather than OR-ed in, so the
  // pool index covers every equality given; the order is the index's.
  SQLite::Statement query(
      db, absl::StrCat(kResponseColumns,
                       "WHERE instrument_id = ?1 AND wave_kind = ?2 AND submitted = 1 ",
                       filter.municipality_code.empty() ? "" : "AND municipality_code = ?3 ",
                       filter.cohort_id.empty() ? "" : "AND cohort_id = ?4 ",
                       "ORDER BY municipality_code, cohort_id, wave_id, id"));
  query.bind(1, filter.instrument_id);
  query.bind(2, static_cast<int>(filter.wave_kind));
  if (!filter.municipality_code.empty()) query.bind(3, filter.municipality_code);
  if (!filter.cohort_id.empty()) query.bind(4, filter.cohort_id);
  ASSIGN_OR_RETURN(const auto open, OpenWaves(db, filter));
  if (open.empty()) return ReadAll<ResponseRecord>(query, &ReadResponse);
  // A row of an open wave is skipped by its key columns (kResponseColumns:
  // cohort_id, wave_id first), before its response is parsed.
  std::vector<ResponseRecord> rows;
  while (query.executeStep()) {
    if (InOpenWave(open, query.getColumn(0).getText(), query.getColumn(1).getText())) continue;
    ASSIGN_OR_RETURN(ResponseRecord row, ReadResponse(query));
    rows.push_back(std::move(row));
  }
  return rows;
}

absl::StatusOr<std::vector<PoolRow>> ListLikert(SQLite::Database& db, const PoolFilter& filter,
                                                const std::vector<std::string>& item_ids) {
  SQLite::Statement query(
      // One range scan of the pool projection (docs/benchmarks.md).
      db, absl::StrCat("SELECT cohort_id, wave_id, id, participant, municipality_code, ",
                       "likert_ids, likert_values FROM pool_likert ",
                       "WHERE instrument_id = ?1 AND wave_kind = ?2 ",
                       filter.municipality_code.empty() ? "" : "AND municipality_code = ?3 ",
                       filter.cohort_id.empty() ? "" : "AND cohort_id = ?4 "));
  query.bind(1, filter.instrument_id);
  query.bind(2, static_cast<int>(filter.wave_kind));
  if (!filter.municipality_code.empty()) query.bind(3, filter.municipality_code);
  if (!filter.cohort_id.empty()) query.bind(4, filter.cohort_id);
  ASSIGN_OR_RETURN(const auto open, OpenWaves(db, filter));
  absl::flat_hash_map<std::string, int> column;
  for (size_t i = 0; i < item_ids.size(); ++i) column.emplace(item_ids[i], static_cast<int>(i));
  std::vector<PoolRow> rows;
  // The ids string of the previous row and where its values go.
  std::string last_ids;
  std::vector<int> target;
  bool have_target = false;
  while (query.executeStep()) {
    PoolRow row;
    row.cohort_id = query.getColumn(0).getString();
    const std::string wave_id = query.getColumn(1).getString();
    if (InOpenWave(open, row.cohort_id, wave_id)) continue;
    const std::string id = query.getColumn(2).getString();
    row.participant = query.getColumn(3).getString();
    row.municipality_code = query.getColumn(4).getString();
    row.response = ResponseName(row.cohort_id, wave_id, id);
    const SQLite::Column ids_column = query.getColumn(5);
    const absl::string_view ids(static_cast<const char*>(ids_column.getBlob()),
                                ids_column.getBytes());
    if (!have_target || ids != last_ids) {
      last_ids = std::string(ids);
      target.clear();
      if (!ids.empty()) {
        for (absl::string_view item : absl::StrSplit(ids, '\x1f')) {
          auto it = column.find(item);
          target.push_back(it == column.end() ? -1 : it->second);
        }
      }
      have_target = true;
    }
    const SQLite::Column values = query.getColumn(6);
    const auto* bytes = static_cast<const unsigned char*>(values.getBlob());
    if (values.getBytes() != static_cast<int>(target.size())) {
      return errors::Internal("stored record is unreadable");
    }
    row.likert.assign(item_ids.size(), std::numeric_limits<float>::quiet_NaN());
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i] >= 0) row.likert[target[i]] = static_cast<float>(bytes[i]);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {

// ?1..?5: the pool row's key (instrument_id, wave_kind, cohort_id, wave_id,
// id), as both statements of WriteRow number it.
void BindPoolKey(SQLite::Statement& statement, const ResponseRecord& record) {
  statement.bind(1, record.instrument_id);
  statement.bind(2, static_cast<int>(record.wave_kind));
  statement.bind(3, record.cohort_id);
  statement.bind(4, record.wave_id);
  statement.bind(5, record.id);
}

}  // namespace

void WriteRow(SQLite::Database& db, const ResponseRecord& record) {
  SQLite::Statement remove(db,
                           "DELETE FROM pool_likert WHERE instrument_id = ?1 AND wave_kind = ?2 "
                           "AND cohort_id = ?3 AND wave_id = ?4 AND id = ?5");
  BindPoolKey(remove, record);
  remove.exec();
  if (!record.response.submitted()) return;
  std::vector<std::pair<std::string, int>> likert;
  for (const v1::Answer& a : record.response.answers()) {
    if (a.value_case() == v1::Answer::kLikert) likert.emplace_back(a.item_id(), a.likert());
  }
  std::sort(likert.begin(), likert.end());
  std::string ids;
  std::string values;
  for (const auto& [id, value] : likert) {
    if (!ids.empty()) ids.push_back('\x1f');
    ids += id;
    values.push_back(static_cast<char>(std::clamp(value, 0, 255)));
  }
  SQLite::Statement insert(
      db,
      "INSERT INTO pool_likert (instrument_id, wave_kind, cohort_id, wave_id, id, participant, "
      "municipality_code, likert_ids, likert_values) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  BindPoolKey(insert, record);
  insert.bind(6, record.participant);
  insert.bind(7, record.response.municipality_code());
  insert.bind(8, ids);
  BindBlob(insert, 9, values);
  insert.exec();
}

}  // namespace kaizen::survey::pool_sql

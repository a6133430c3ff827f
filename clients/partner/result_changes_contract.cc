#include "clients/partner/result_changes_contract.h"

#include "SQLiteCpp/Statement.h"
#include "clients/purge/purge_contract.h"
#include "common/status/errors.h"
#include "common/util/proto_time.h"

namespace kaizen::partner_client {

absl::StatusOr<ResultChangesQuery> ParseListResultChanges(
    const kaizen::type::ListResultChangesRequest& request) {
  if (request.after_sequence() < 0) {
    return errors::InvalidField("after_sequence", "must not be negative");
  }
  if (request.page_size() < 0 || request.page_size() > 1000) {
    return errors::InvalidField("page_size", "must be between 0 and 1000 (0 means 100)");
  }
  ResultChangesQuery query;
  query.after_sequence = request.after_sequence();
  query.page_size = request.page_size() == 0 ? 100 : request.page_size();
  return query;
}

absl::Status RequireEnrollmentReader(const kaizen::type::Principal& caller) {
  return purge_client::RequireEnrollmentCaller(caller);
}

void AppendResultChange(SQLite::Database& db, const std::string& cohort_id,
                        const std::string& participant, kaizen::type::ShareCategory category,
                        absl::Time time) {
  SQLite::Statement insert(db,
                           "INSERT INTO result_changes (cohort_id, participant, category, "
                           "change_time) VALUES (?, ?, ?, ?)");
  insert.bind(1, cohort_id);
  insert.bind(2, participant);
  insert.bind(3, static_cast<int>(category));
  insert.bind(4, static_cast<int64_t>(absl::ToUnixMicros(time)));
  insert.exec();
}

kaizen::type::ListResultChangesResponse ListResultChanges(SQLite::Database& db,
                                                          const ResultChangesQuery& query) {
  kaizen::type::ListResultChangesResponse response;
  response.set_last_sequence(query.after_sequence);
  SQLite::Statement select(db,
                           "SELECT sequence, participant, category, change_time "
                           "FROM result_changes WHERE sequence > ? ORDER BY sequence LIMIT ?");
  select.bind(1, static_cast<int64_t>(query.after_sequence));
  select.bind(2, query.page_size);
  while (select.executeStep()) {
    kaizen::type::ResultChange* change = response.add_changes();
    change->set_sequence(select.getColumn(0).getInt64());
    change->set_participant(select.getColumn(1).getString());
    change->set_category(static_cast<kaizen::type::ShareCategory>(select.getColumn(2).getInt()));
    *change->mutable_time() =
        ToProtoTimestamp(absl::FromUnixMicros(select.getColumn(3).getInt64()));
    response.set_last_sequence(change->sequence());
  }
  return response;
}

int64_t DeleteResultChanges(SQLite::Database& db, const std::string& cohort_id,
                            const std::string& participant) {
  SQLite::Statement del(db, participant.empty()
                                ? "DELETE FROM result_changes WHERE cohort_id = ?"
                                : "DELETE FROM result_changes WHERE cohort_id = ? AND participant = ?");
  del.bind(1, cohort_id);
  if (!participant.empty()) del.bind(2, participant);
  return del.exec();
}

}  // namespace kaizen::partner_client

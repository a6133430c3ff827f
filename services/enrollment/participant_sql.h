// The SQL of participants, kept out of enrollment_store.cc like
// claim_link_sql. Only enrollment_store.cc calls these, inside its
// transactions, one line per EnrollmentTx method of the same meaning
// (enrollment_store.h has the contracts); they throw SQLite::Exception like
// the rest of the store, which the storage layer turns into statuses.
#ifndef KAIZEN_SERVICES_ENROLLMENT_PARTICIPANT_SQL_H_
#define KAIZEN_SERVICES_ENROLLMENT_PARTICIPANT_SQL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment::participant_sql {

// EnrollmentTx::GetParticipant, InsertParticipant, UpdateParticipant.
absl::StatusOr<ParticipantRecord> Get(SQLite::Database& db, const std::string& cohort_id,
                                      const std::string& id);
absl::Status Insert(SQLite::Database& db, ParticipantRecord* record);
absl::Status Update(SQLite::Database& db, ParticipantRecord* record);

// EnrollmentTx::ListParticipants, ListParticipantsBySubject. Staff-only
// lists read the participants_staff partial index (kListStaffSql; its plan
// is pinned by hot_queries_test).
extern const char kListStaffSql[];
extern const char kListSql[];
absl::StatusOr<std::vector<ParticipantRecord>> List(SQLite::Database& db,
                                                    const std::string& cohort_id,
                                                    const ParticipantFilter& filter,
                                                    int64_t after_seq, int limit);
absl::StatusOr<std::vector<ParticipantRecord>> ListBySubject(SQLite::Database& db,
                                                             const std::string& subject);

}  // namespace kaizen::enrollment::participant_sql

#endif  // KAIZEN_SERVICES_ENROLLMENT_PARTICIPANT_SQL_H_

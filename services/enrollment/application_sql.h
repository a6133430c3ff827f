// The SQL of applications and of their e-mail reservations
// (application_emails), kept out of enrollment_store.cc like claim_link_sql.
// Only enrollment_store.cc calls these, inside its transactions, one line
// per EnrollmentTx method of the same meaning (enrollment_store.h has the
// contracts); they throw SQLite::Exception like the rest of the store, which
// the storage layer turns into statuses.
#ifndef KAIZEN_SERVICES_ENROLLMENT_APPLICATION_SQL_H_
#define KAIZEN_SERVICES_ENROLLMENT_APPLICATION_SQL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment::application_sql {

// Migration 12: applications.offer_expire_micros (the deadline of an
// OFFERED application, NULL otherwise) and its partial index, so a write's
// lapsed-offer check reads only the lapsed offers. A literal: never change
// it (enrollment_schema_test pins it).
extern const char kSchemaV12[];
// Sets offer_expire_micros of OFFERED rows written before migration 12 (run
// by EnrollmentStore::Open in the same transaction as the other backfills;
// a no-op once done).
absl::Status BackfillOfferExpiry(SQLite::Database& db);

// EnrollmentTx::GetApplication, InsertApplication, UpdateApplication.
absl::StatusOr<ApplicationRecord> Get(SQLite::Database& db, const std::string& cohort_id,
                                      const std::string& id);
absl::Status Insert(SQLite::Database& db, ApplicationRecord* record);
absl::Status Update(SQLite::Database& db, ApplicationRecord* record);

// EnrollmentTx::ListApplications and both CountApplications.
absl::StatusOr<std::vector<ApplicationRecord>> List(SQLite::Database& db,
                                                    const std::string& cohort_id,
                                                    const ApplicationFilter& filter,
                                                    std::optional<QueuePosition> after,
                                                    int limit);
absl::StatusOr<int64_t> Count(SQLite::Database& db, const std::string& cohort_id,
                              v1::Application::State state);
absl::StatusOr<int64_t> Count(SQLite::Database& db, const std::string& cohort_id,
                              const ApplicationFilter& filter);

// EnrollmentTx::WaitlistPlace.
// Both counts read ranges of applications_by_state (migration 13) only:
// hot_queries_test pins their query plans.
extern const char kCountInStateSql[];
extern const char kWaitlistPlaceSql[];
absl::StatusOr<int> WaitlistPlace(SQLite::Database& db, const std::string& cohort_id,
                                  const std::string& id);

// EnrollmentTx::ListApplicationsBySubmitter, ListConfirmationsDue.
absl::StatusOr<std::vector<ApplicationRecord>> ListBySubmitter(SQLite::Database& db,
                                                               const std::string& subject);
absl::StatusOr<std::vector<ApplicationRecord>> ListConfirmationsDue(SQLite::Database& db,
                                                                    absl::Time now, int limit);

// EnrollmentTx::MoveToQueueEnd.
absl::Status MoveToQueueEnd(SQLite::Database& db, ApplicationRecord* record);

// EnrollmentTx::ReserveEmails, EmailHolder, ReleaseEmails.
absl::Status ReserveEmails(SQLite::Database& db, const std::string& cohort_id,
                           const std::string& application_id,
                           const std::vector<std::string>& email_keys);
absl::StatusOr<std::optional<std::string>> EmailHolder(SQLite::Database& db,
                                                       const std::string& cohort_id,
                                                       const std::string& email_key);
absl::Status ReleaseEmails(SQLite::Database& db, const std::string& cohort_id,
                           const std::string& application_id);

}  // namespace kaizen::enrollment::application_sql

#endif  // KAIZEN_SERVICES_ENROLLMENT_APPLICATION_SQL_H_

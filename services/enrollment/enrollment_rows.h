// What the store's SQL files share (enrollment_store.cc, application_sql.cc,
// participant_sql.cc): the resource names their errors carry and the binding
// of optional filters. Private to the enrollment_store target; the generic
// row helpers (BindBlob, Parse, ExecInsert, ReadAll, SqlLimit) come from
// common/storage/sqlite_rows.h.
#ifndef KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_ROWS_H_
#define KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_ROWS_H_

#include <optional>
#include <string>

#include "SQLiteCpp/Statement.h"
#include "absl/strings/string_view.h"

// A namespace of its own: internal.h has functions of the same names in
// kaizen::enrollment, built by a library that depends on this one.
namespace kaizen::enrollment::enrollment_rows {

// "cohorts/{c}", "cohorts/{c}/applications/{a}", "cohorts/{c}/participants/{p}".
std::string CohortName(absl::string_view id);
std::string ApplicationName(absl::string_view cohort_id, absl::string_view id);
std::string ParticipantName(absl::string_view cohort_id, absl::string_view id);

// Unset filters are bound as NULL so each query keeps one fixed SQL text.
template <typename Enum>
void BindOptional(SQLite::Statement& statement, int index,
                  const std::optional<Enum>& value) {
  if (value.has_value()) {
    statement.bind(index, static_cast<int>(*value));
  } else {
    statement.bind(index);
  }
}

}  // namespace kaizen::enrollment::enrollment_rows

#endif  // KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_ROWS_H_

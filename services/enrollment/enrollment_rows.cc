#include "services/enrollment/enrollment_rows.h"

#include "absl/strings/str_cat.h"

namespace kaizen::enrollment::enrollment_rows {

std::string CohortName(absl::string_view id) {
  return absl::StrCat("cohorts/", id);
}

std::string ApplicationName(absl::string_view cohort_id, absl::string_view id) {
  return absl::StrCat("cohorts/", cohort_id, "/applications/", id);
}

std::string ParticipantName(absl::string_view cohort_id, absl::string_view id) {
  return absl::StrCat("cohorts/", cohort_id, "/participants/", id);
}

}  // namespace kaizen::enrollment::enrollment_rows

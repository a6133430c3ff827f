// The automatic retry of incomplete purge and erasure reports
// (Enrollment::RetryIncompletePurges, enrollment.h): the server's background
// thread calls it every minute, so a service that was down when the
// secretariat purged or erased is reached once it is back, without anyone
// calling again. Each report goes through RunPurgeTargets, whose claim (a
// lease per row, purge.h) keeps a sweep and a secretariat's call from ever
// calling one service twice at once.
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/status/status_macros.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {

absl::StatusOr<Enrollment::PurgeSweep> Enrollment::RetryIncompletePurges(
    int max_reports, const std::pair<std::string, std::string>& after) {
  if (max_reports < 1) return absl::InvalidArgumentError("max_reports must be at least 1");
  const absl::Time now = clock_->Now();
  std::vector<std::pair<std::string, std::string>> keys;
  bool wrapped = false;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(keys, tx.ListRetryablePurgeReports(after, now, max_reports));
    const int left = max_reports - static_cast<int>(keys.size());
    if (left == 0 || after == std::pair<std::string, std::string>{}) return absl::OkStatus();
    // Reached the end: go on from the start, up to `after` included.
    wrapped = true;
    ASSIGN_OR_RETURN(auto more, tx.ListRetryablePurgeReports({}, now, left));
    for (auto& key : more) {
      if (key > after) break;
      keys.push_back(std::move(key));
    }
    return absl::OkStatus();
  }));
  PurgeSweep sweep;
  for (const auto& [cohort_id, participant_id] : keys) {
    ++sweep.reports;
    absl::StatusOr<v1::PurgeReport> report = RunPurgeTargets(cohort_id, participant_id);
    if (!report.ok()) {
      ++sweep.errors;  // the next sweep tries it again
    } else if (report->complete()) {
      ++sweep.completed;
    }
  }
  // A full batch that did not wrap around: there may be more after the
  // last one. Else the next sweep starts from the first again.
  if (!wrapped && static_cast<int>(keys.size()) == max_reports) sweep.next = keys.back();
  return sweep;
}

}  // namespace kaizen::enrollment

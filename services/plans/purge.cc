// PurgePersonalData: the plans side of a cohort purge or a person's
// erasure, asked for by enrollment (proto/kaizen/type/purge.proto; the rules
// are in the RPC's comment in plans.proto).
#include <optional>
#include <utility>

#include "clients/purge/purge_contract.h"
#include "common/status/status_macros.h"
#include "services/plans/internal.h"
#include "services/plans/plans.h"
#include "services/plans/plans_errors.h"
#include "services/plans/plans_store.h"

namespace kaizen::plans {

namespace internal {

absl::Status RequireNotPurged(PlansTx& tx, const std::string& cohort_id,
                              const std::vector<std::string>& people) {
  ASSIGN_OR_RETURN(bool cohort, tx.IsPurged(cohort_id, ""));
  if (cohort) return CohortPurged();
  for (const std::string& person : people) {
    ASSIGN_OR_RETURN(bool erased, tx.IsPurged(cohort_id, person));
    if (erased) return ParticipantErased();
  }
  return absl::OkStatus();
}

}  // namespace internal

absl::StatusOr<kaizen::type::PurgeReport> Plans::PurgePersonalData(
    const Principal& caller, const kaizen::type::PurgeRequest& r) {
  RETURN_IF_ERROR(purge_client::RequireEnrollmentCaller(caller));
  ASSIGN_OR_RETURN(purge_client::PurgeScope scope, purge_client::ParsePurgeRequest(r));
  const absl::Time now = clock_->Now();
  PurgeRecord done;
  bool repeat = false;
  RETURN_IF_ERROR(store_->Write([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<PurgeRecord> prior,
                     tx.GetPurge(scope.cohort_id, scope.participant));
    repeat = prior.has_value();
    if (repeat && prior->has_counts) {
      // Answered before (enrollment retries a call whose answer it lost):
      // nothing more to delete, since every write checks the marks; the
      // first report stands.
      done = std::move(*prior);
      return absl::OkStatus();
    }
    // First time, or a purge recorded before counts were kept: delete now
    // (a repeat finds nothing) and keep the first time.
    ASSIGN_OR_RETURN(PurgeCounts counts, tx.PurgePersonalData(scope.cohort_id, scope.participant,
                                                              scope.subject));
    done.complete_time = repeat ? prior->complete_time : now;
    done.has_counts = true;
    done.counts = counts;
    return tx.MarkPurged(scope.cohort_id, scope.participant, now, counts);
  }));
  // Committed. secure_delete zeroed the deleted rows in their pages; the WAL
  // keeps the old page images until it is checkpointed and truncated. A
  // failure is reported: enrollment retries, and the repeat checkpoints again.
  RETURN_IF_ERROR(store_->CheckpointWal());
  return purge_client::MakeReport("plans", r, done.counts, done.complete_time, repeat);
}

}  // namespace kaizen::plans

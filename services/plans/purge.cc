// PurgePersonalData: the plans side of a cohort purge or a person's
// erasure, asked for by enrollment (proto/kaizen/type/purge.proto; the rules
// are in the RPC's comment in plans.proto).
#include "clients/purge/purge_contract.h"
#include "common/status/status_macros.h"
#include "common/storage/purge_flow.h"
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
  ASSIGN_OR_RETURN(
      storage::PurgeOutcome done,
      storage::PurgeOnce(*store_, scope.cohort_id, scope.participant, clock_->Now(),
                         [&](PlansTx& tx) {
                           return tx.PurgePersonalData(scope.cohort_id, scope.participant,
                                                       scope.subject);
                         }));
  return purge_client::MakeReport("plans", r, done.record.counts, done.record.complete_time,
                                  done.repeat);
}

}  // namespace kaizen::plans

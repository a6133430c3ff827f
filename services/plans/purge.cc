// PurgePersonalData: the plans side of a cohort purge or a person's
// erasure, asked for by enrollment (proto/kaizen/type/purge.proto; the rules
// are in the RPC's comment in plans.proto).
#include <algorithm>
#include <vector>

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
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(
      storage::PurgeOutcome done,
      storage::PurgeOnce(
          *store_, scope.cohort_id, scope.participant, now,
          [&](PlansTx& tx) -> absl::StatusOr<PurgeCounts> {
            // Presented team plans the person leaves: what partners see of
            // them changes for the owners who stay (the owner count).
            std::vector<v1::Plan> left;
            if (!scope.participant.empty()) {
              ASSIGN_OR_RETURN(std::vector<PlanRecord> plans,
                               tx.ListPlans(scope.cohort_id, 0, 0));
              for (PlanRecord& p : plans) {
                auto& owners = *p.plan.mutable_owners();
                auto mine = std::find(owners.begin(), owners.end(), scope.participant);
                if (mine == owners.end() || owners.size() < 2 || p.plan.stages_size() == 0) {
                  continue;
                }
                owners.erase(mine);
                left.push_back(std::move(p.plan));
              }
            }
            ASSIGN_OR_RETURN(PurgeCounts counts,
                             tx.PurgePersonalData(scope.cohort_id, scope.participant,
                                                  scope.subject));
            // The partner log's rows about them (or the whole cohort's);
            // enrollment tombstones its feed itself. Counted last, so the
            // older kinds keep their places in the report.
            ASSIGN_OR_RETURN(int64_t rows,
                             tx.DeleteResultChanges(scope.cohort_id, scope.participant));
            for (const v1::Plan& plan : left) {
              RETURN_IF_ERROR(internal::LogPlanChange(tx, scope.cohort_id, plan, now));
            }
            counts.emplace_back("result_changes", rows);
            return counts;
          }));
  return purge_client::MakeReport("plans", r, done.record.counts, done.record.complete_time,
                                  done.repeat);
}

}  // namespace kaizen::plans

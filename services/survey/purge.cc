// PurgePersonalData: the survey side of a cohort purge or a person's
// erasure, asked for by enrollment (proto/kaizen/type/purge.proto; the rules
// are in the RPC's comment in survey.proto).
#include "clients/purge/purge_contract.h"
#include "common/status/status_macros.h"
#include "common/storage/purge_flow.h"
#include "services/survey/internal.h"
#include "services/survey/survey.h"
#include "services/survey/survey_errors.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey {

namespace internal {

absl::Status RequireNotPurged(SurveyTx& tx, const std::string& cohort_id,
                              const std::string& participant) {
  ASSIGN_OR_RETURN(bool cohort, tx.IsPurged(cohort_id, ""));
  if (cohort) return CohortPurged();
  if (participant.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(bool person, tx.IsPurged(cohort_id, participant));
  if (person) return ParticipantErased();
  return absl::OkStatus();
}

}  // namespace internal

absl::StatusOr<kaizen::type::PurgeReport> Survey::PurgePersonalData(
    const Principal& caller, const kaizen::type::PurgeRequest& r) {
  RETURN_IF_ERROR(purge_client::RequireEnrollmentCaller(caller));
  ASSIGN_OR_RETURN(purge_client::PurgeScope scope, purge_client::ParsePurgeRequest(r));
  ASSIGN_OR_RETURN(
      storage::PurgeOutcome done,
      storage::PurgeOnce(*store_, scope.cohort_id, scope.participant, clock_->Now(),
                         [&](SurveyTx& tx) {
                           return tx.PurgePersonalData(scope.cohort_id, scope.participant,
                                                       scope.subject);
                         }));
  return purge_client::MakeReport("survey", r, done.record.counts, done.record.complete_time,
                                  done.repeat);
}

}  // namespace kaizen::survey

#include "clients/purge/purge_contract.h"

#include "clients/purge/purge_client_errors.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/proto_time.h"
#include "common/util/resource_name.h"

namespace kaizen::purge_client {

absl::Status RequireEnrollmentCaller(const kaizen::type::Principal& caller) {
  if (caller.subject() == kEnrollmentService &&
      auth::HasRole(caller, kaizen::type::ROLE_SERVICE)) {
    return absl::OkStatus();
  }
  return EnrollmentOnly();
}

absl::StatusOr<PurgeScope> ParsePurgeRequest(const kaizen::type::PurgeRequest& request) {
  PurgeScope scope;
  ASSIGN_OR_RETURN(auto cohort, ParseResourceName("cohort", request.cohort(), {"cohorts"}));
  scope.cohort_id = cohort[0];
  if (!request.participant().empty()) {
    ASSIGN_OR_RETURN(auto ids, ParseResourceName("participant", request.participant(),
                                                 {"cohorts", "participants"}));
    if (ids[0] != scope.cohort_id) {
      return errors::InvalidField("participant", "must be a participant of `cohort`",
                                  "INVALID_NAME");
    }
    scope.participant = request.participant();
    scope.subject = request.subject();
  } else if (!request.subject().empty()) {
    return errors::InvalidField("subject", "is only allowed with participant");
  }
  if (scope.subject.size() > 256) {
    return errors::InvalidField("subject", "must be at most 256 characters");
  }
  return scope;
}

kaizen::type::PurgeReport MakeReport(absl::string_view service,
                                     const kaizen::type::PurgeRequest& request,
                                     const Counts& counts, absl::Time complete_time,
                                     bool repeat) {
  kaizen::type::PurgeReport report;
  report.set_service(std::string(service));
  report.set_cohort(request.cohort());
  report.set_participant(request.participant());
  for (const auto& [kind, deleted] : counts) {
    kaizen::type::PurgeReport::Count* c = report.add_counts();
    c->set_kind(kind);
    c->set_deleted(deleted);
  }
  *report.mutable_complete_time() = ToProtoTimestamp(complete_time);
  report.set_repeat(repeat);
  return report;
}

}  // namespace kaizen::purge_client

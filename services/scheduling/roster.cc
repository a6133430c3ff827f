#include "services/scheduling/roster.h"

#include "common/server/principal_context.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"

namespace kaizen::scheduling {

namespace ev1 = ::kaizen::enrollment::v1;

GrpcRosterSource::GrpcRosterSource(std::shared_ptr<grpc::ChannelInterface> channel,
                                   const auth::PrincipalSigner* signer,
                                   absl::Duration deadline)
    : stub_(ev1::EnrollmentService::NewStub(std::move(channel))),
      signer_(signer),
      deadline_(deadline) {}

absl::StatusOr<ev1::Roster> GrpcRosterSource::GetRoster(const std::string& cohort_name) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  server::AttachPrincipal(auth::ServicePrincipal("scheduling"), *signer_, &context);
  ev1::GetRosterRequest request;
  request.set_parent(cohort_name);
  ev1::Roster roster;
  grpc::Status status = stub_->GetRoster(&context, request, &roster);
  if (status.ok()) return roster;
  const grpc::StatusCode code = status.error_code();
  if (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return errors::Unavailable("ENROLLMENT_UNAVAILABLE",
                               "the enrollment service cannot be reached; try again shortly");
  }
  if (code == grpc::StatusCode::NOT_FOUND) return FromGrpcStatus(status);
  // Anything else is our fault (e.g. a secret mismatch), not the caller's.
  return errors::Internal("the roster could not be read");
}

RosterView::RosterView(ev1::Roster roster) : roster_(std::move(roster)) {}

const RosterEntry* RosterView::FindByName(const std::string& participant) const {
  for (const RosterEntry& e : roster_.entries()) {
    if (e.participant() == participant) return &e;
  }
  return nullptr;
}

const RosterEntry* RosterView::FindBySubject(const std::string& subject) const {
  if (subject.empty()) return nullptr;
  for (const RosterEntry& e : roster_.entries()) {
    if (e.subject() == subject) return &e;
  }
  return nullptr;
}

std::vector<const RosterEntry*> RosterView::Participants() const {
  std::vector<const RosterEntry*> out;
  for (const RosterEntry& e : roster_.entries()) {
    if (e.role() == ev1::Participant::PARTICIPANT) out.push_back(&e);
  }
  return out;
}

bool RosterView::IsDecidingStaff(const RosterEntry& entry) {
  return entry.role() == ev1::Participant::NAVIGATOR ||
         entry.role() == ev1::Participant::ADVISOR ||
         entry.role() == ev1::Participant::SECRETARIAT;
}

}  // namespace kaizen::scheduling

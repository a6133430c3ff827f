#include "services/enrollment/grpc_service.h"

#include "common/server/principal_context.h"

namespace kaizen::enrollment {

// Every RPC has the same shape; the macro keeps them one line each.
#define KAIZEN_ENROLLMENT_RPC(Method, Request, Response)                        \
  grpc::Status EnrollmentGrpcService::Method(                                  \
      grpc::ServerContext* context, const v1::Request* request,                \
      v1::Response* response) {                                                \
    return server::Handle(context, *signer_, [&](const Principal& caller) {    \
      return server::Respond(domain_->Method(caller, *request), response);     \
    });                                                                        \
  }

KAIZEN_ENROLLMENT_RPC(CreateCohort, CreateCohortRequest, Cohort)
KAIZEN_ENROLLMENT_RPC(GetCohort, GetCohortRequest, Cohort)
KAIZEN_ENROLLMENT_RPC(ListCohorts, ListCohortsRequest, ListCohortsResponse)
KAIZEN_ENROLLMENT_RPC(UpdateCohort, UpdateCohortRequest, Cohort)
KAIZEN_ENROLLMENT_RPC(TransitionCohort, TransitionCohortRequest, Cohort)
KAIZEN_ENROLLMENT_RPC(PurgeCohortPersonalData, PurgeCohortPersonalDataRequest, PurgeCohortPersonalDataResponse)
KAIZEN_ENROLLMENT_RPC(CreateApplication, CreateApplicationRequest, Application)
KAIZEN_ENROLLMENT_RPC(GetApplication, GetApplicationRequest, Application)
KAIZEN_ENROLLMENT_RPC(ListApplications, ListApplicationsRequest, ListApplicationsResponse)
KAIZEN_ENROLLMENT_RPC(WithdrawApplication, WithdrawApplicationRequest, Application)
KAIZEN_ENROLLMENT_RPC(AcceptApplication, DecideApplicationRequest, Application)
KAIZEN_ENROLLMENT_RPC(RejectApplication, DecideApplicationRequest, Application)
KAIZEN_ENROLLMENT_RPC(PrioritizeApplication, PrioritizeApplicationRequest, Application)
KAIZEN_ENROLLMENT_RPC(AcceptOffer, AnswerOfferRequest, Application)
KAIZEN_ENROLLMENT_RPC(DeclineOffer, AnswerOfferRequest, Application)
KAIZEN_ENROLLMENT_RPC(CreateParticipant, CreateParticipantRequest, Participant)
KAIZEN_ENROLLMENT_RPC(GetParticipant, GetParticipantRequest, Participant)
KAIZEN_ENROLLMENT_RPC(ListParticipants, ListParticipantsRequest, ListParticipantsResponse)
KAIZEN_ENROLLMENT_RPC(CancelParticipant, CancelParticipantRequest, Participant)
KAIZEN_ENROLLMENT_RPC(UpdateConsent, UpdateConsentRequest, Participant)
KAIZEN_ENROLLMENT_RPC(RecordPayment, RecordPaymentRequest, Participant)
KAIZEN_ENROLLMENT_RPC(RecordShipment, RecordShipmentRequest, Participant)
KAIZEN_ENROLLMENT_RPC(GetRoster, GetRosterRequest, Roster)
KAIZEN_ENROLLMENT_RPC(ListChanges, ListChangesRequest, ListChangesResponse)
#undef KAIZEN_ENROLLMENT_RPC

}  // namespace kaizen::enrollment

#include "services/enrollment/grpc_service.h"

#include "common/server/unary_call.h"

namespace kaizen::enrollment {

#define KAIZEN_ENROLLMENT_RPC(Method, Request, Response) \
  KAIZEN_DEFINE_RPC(EnrollmentGrpcService, Method, v1::Request, v1::Response)
// Reads of this service's own database only: run on gRPC's thread without a
// hand-off (common/server/unary_call.h).
#define KAIZEN_ENROLLMENT_READ(Method, Request, Response) \
  KAIZEN_DEFINE_READ_RPC(EnrollmentGrpcService, Method, v1::Request, v1::Response)

KAIZEN_ENROLLMENT_RPC(CreateCohort, CreateCohortRequest, Cohort)
KAIZEN_ENROLLMENT_READ(GetCohort, GetCohortRequest, Cohort)
KAIZEN_ENROLLMENT_READ(ListCohorts, ListCohortsRequest, ListCohortsResponse)
KAIZEN_ENROLLMENT_RPC(UpdateCohort, UpdateCohortRequest, Cohort)
KAIZEN_ENROLLMENT_RPC(TransitionCohort, TransitionCohortRequest, Cohort)
KAIZEN_ENROLLMENT_RPC(PurgeCohortPersonalData, PurgeCohortPersonalDataRequest, PurgeCohortPersonalDataResponse)
KAIZEN_ENROLLMENT_READ(GetPurgeReport, GetPurgeReportRequest, PurgeReport)
KAIZEN_ENROLLMENT_RPC(ErasePersonalData, ErasePersonalDataRequest, PurgeReport)
// Its transaction goes to the database's group commit and the database's
// completion thread answers; no handler thread waits for it
// (common/server/unary_call.h).
KAIZEN_DEFINE_WRITE_RPC(EnrollmentGrpcService, CreateApplication, v1::CreateApplicationRequest,
                        v1::Application)
KAIZEN_ENROLLMENT_READ(GetApplication, GetApplicationRequest, Application)
KAIZEN_ENROLLMENT_READ(ListApplications, ListApplicationsRequest, ListApplicationsResponse)
KAIZEN_ENROLLMENT_RPC(WithdrawApplication, WithdrawApplicationRequest, Application)
KAIZEN_ENROLLMENT_RPC(AcceptApplication, DecideApplicationRequest, Application)
KAIZEN_ENROLLMENT_RPC(RejectApplication, DecideApplicationRequest, Application)
KAIZEN_ENROLLMENT_RPC(PrioritizeApplication, PrioritizeApplicationRequest, Application)
KAIZEN_ENROLLMENT_RPC(AcceptOffer, AnswerOfferRequest, Application)
KAIZEN_ENROLLMENT_RPC(DeclineOffer, AnswerOfferRequest, Application)
KAIZEN_ENROLLMENT_RPC(CreateParticipant, CreateParticipantRequest, Participant)
KAIZEN_ENROLLMENT_READ(GetParticipant, GetParticipantRequest, Participant)
KAIZEN_ENROLLMENT_READ(ListParticipants, ListParticipantsRequest, ListParticipantsResponse)
KAIZEN_ENROLLMENT_RPC(CancelParticipant, CancelParticipantRequest, Participant)
KAIZEN_ENROLLMENT_RPC(UpdateConsent, UpdateConsentRequest, Participant)
KAIZEN_ENROLLMENT_RPC(RecordPayment, RecordPaymentRequest, Participant)
KAIZEN_ENROLLMENT_RPC(RecordShipment, RecordShipmentRequest, Participant)
KAIZEN_ENROLLMENT_READ(GetRoster, GetRosterRequest, Roster)
KAIZEN_ENROLLMENT_RPC(ListChanges, ListChangesRequest, ListChangesResponse)
KAIZEN_ENROLLMENT_RPC(IssueClaimLink, IssueClaimLinkRequest, ClaimLink)
KAIZEN_ENROLLMENT_RPC(RedeemClaimLink, RedeemClaimLinkRequest, Participant)
KAIZEN_ENROLLMENT_RPC(ClaimApplication, ClaimApplicationRequest, Application)
KAIZEN_ENROLLMENT_READ(GetMe, GetMeRequest, Me)
KAIZEN_ENROLLMENT_READ(ListCohortMembers, ListCohortMembersRequest, ListCohortMembersResponse)
KAIZEN_ENROLLMENT_RPC(ListProvisionRecords, ListProvisionRecordsRequest, ListProvisionRecordsResponse)
KAIZEN_ENROLLMENT_READ(ListParticipantProvisionRecords, ListParticipantProvisionRecordsRequest, ListParticipantProvisionRecordsResponse)
#undef KAIZEN_ENROLLMENT_RPC
#undef KAIZEN_ENROLLMENT_READ
KAIZEN_DEFINE_RPC(EnrollmentGrpcService, RecordProvision, kaizen::type::RecordProvisionRequest, kaizen::type::RecordProvisionResponse)
KAIZEN_DEFINE_RPC(EnrollmentGrpcService, ExportProvisionRecords, v1::ExportProvisionRecordsRequest, kaizen::type::HttpBody)
KAIZEN_DEFINE_RPC(EnrollmentGrpcService, ConfirmApplicationEmail, v1::ConfirmApplicationEmailRequest, v1::Application)
KAIZEN_DEFINE_RPC(EnrollmentGrpcService, EnqueueNotification, kaizen::type::EnqueueNotificationRequest, kaizen::type::EnqueueNotificationResponse)
KAIZEN_DEFINE_READ_RPC(EnrollmentGrpcService, GetNotificationPreferences, v1::GetNotificationPreferencesRequest, v1::NotificationPreferences)
KAIZEN_DEFINE_RPC(EnrollmentGrpcService, UpdateNotificationPreferences, v1::UpdateNotificationPreferencesRequest, v1::NotificationPreferences)
KAIZEN_DEFINE_RPC(EnrollmentGrpcService, UnsubscribeReminders, v1::UnsubscribeRemindersRequest, v1::UnsubscribeRemindersResponse)

}  // namespace kaizen::enrollment

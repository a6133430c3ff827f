// The gRPC face of the enrollment service: one line per RPC. Each verifies
// the forwarded principal, calls the domain (enrollment.h) and converts the
// result once (common/server/principal_context.h).
#ifndef KAIZEN_SERVICES_ENROLLMENT_GRPC_SERVICE_H_
#define KAIZEN_SERVICES_ENROLLMENT_GRPC_SERVICE_H_

#include "common/auth/principal.h"
#include "common/server/unary_call.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "services/enrollment/enrollment.h"

namespace kaizen::enrollment {

class EnrollmentGrpcService final : public v1::EnrollmentService::CallbackService,
                              public server::ExecutorBound {
 public:
  // Neither is owned; both must outlive the service.
  EnrollmentGrpcService(Enrollment* domain, const auth::PrincipalSigner* signer)
      : domain_(domain), signer_(signer) {}

#define KAIZEN_ENROLLMENT_RPC(Method, Request, Response) \
  KAIZEN_DECLARE_RPC(Method, v1::Request, v1::Response)
  KAIZEN_ENROLLMENT_RPC(CreateCohort, CreateCohortRequest, Cohort)
  KAIZEN_ENROLLMENT_RPC(GetCohort, GetCohortRequest, Cohort)
  KAIZEN_ENROLLMENT_RPC(ListCohorts, ListCohortsRequest, ListCohortsResponse)
  KAIZEN_ENROLLMENT_RPC(UpdateCohort, UpdateCohortRequest, Cohort)
  KAIZEN_ENROLLMENT_RPC(TransitionCohort, TransitionCohortRequest, Cohort)
  KAIZEN_ENROLLMENT_RPC(PurgeCohortPersonalData, PurgeCohortPersonalDataRequest,
                        PurgeCohortPersonalDataResponse)
  KAIZEN_ENROLLMENT_RPC(GetPurgeReport, GetPurgeReportRequest, PurgeReport)
  KAIZEN_ENROLLMENT_RPC(ErasePersonalData, ErasePersonalDataRequest, PurgeReport)
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
  KAIZEN_ENROLLMENT_RPC(IssueClaimLink, IssueClaimLinkRequest, ClaimLink)
  KAIZEN_ENROLLMENT_RPC(RedeemClaimLink, RedeemClaimLinkRequest, Participant)
  KAIZEN_ENROLLMENT_RPC(ClaimApplication, ClaimApplicationRequest, Application)
  KAIZEN_ENROLLMENT_RPC(GetMe, GetMeRequest, Me)
  KAIZEN_ENROLLMENT_RPC(ListCohortMembers, ListCohortMembersRequest, ListCohortMembersResponse)
  KAIZEN_ENROLLMENT_RPC(ListProvisionRecords, ListProvisionRecordsRequest,
                        ListProvisionRecordsResponse)
  KAIZEN_ENROLLMENT_RPC(ListParticipantProvisionRecords, ListParticipantProvisionRecordsRequest,
                        ListParticipantProvisionRecordsResponse)
#undef KAIZEN_ENROLLMENT_RPC
  KAIZEN_DECLARE_RPC(RecordProvision, kaizen::type::RecordProvisionRequest,
                     kaizen::type::RecordProvisionResponse)
  KAIZEN_DECLARE_RPC(ExportProvisionRecords, v1::ExportProvisionRecordsRequest,
                     kaizen::type::HttpBody)
  KAIZEN_DECLARE_RPC(ConfirmApplicationEmail, v1::ConfirmApplicationEmailRequest,
                     v1::Application)
  KAIZEN_DECLARE_RPC(EnqueueNotification, kaizen::type::EnqueueNotificationRequest,
                     kaizen::type::EnqueueNotificationResponse)
  KAIZEN_DECLARE_RPC(GetNotificationPreferences, v1::GetNotificationPreferencesRequest,
                     v1::NotificationPreferences)
  KAIZEN_DECLARE_RPC(UpdateNotificationPreferences, v1::UpdateNotificationPreferencesRequest,
                     v1::NotificationPreferences)
  KAIZEN_DECLARE_RPC(UnsubscribeReminders, v1::UnsubscribeRemindersRequest,
                     v1::UnsubscribeRemindersResponse)

 private:
  Enrollment* domain_;
  const auth::PrincipalSigner* signer_;
};

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_GRPC_SERVICE_H_

// The gRPC face of the plans service: one line per RPC (see
// KAIZEN_DEFINE_RPC in common/server/principal_context.h).
#ifndef KAIZEN_SERVICES_PLANS_GRPC_SERVICE_H_
#define KAIZEN_SERVICES_PLANS_GRPC_SERVICE_H_

#include "common/auth/principal.h"
#include "common/server/unary_call.h"
#include "kaizen/plans/v1/plans.grpc.pb.h"
#include "services/plans/plans.h"

namespace kaizen::plans {

class PlansGrpcService final : public v1::PlansService::CallbackService,
                              public server::ExecutorBound {
 public:
  // Neither is owned; both must outlive the service.
  PlansGrpcService(Plans* domain, const auth::PrincipalSigner* signer)
      : domain_(domain), signer_(signer) {}

  KAIZEN_DECLARE_RPC(CreatePlan, v1::CreatePlanRequest, v1::Plan)
  KAIZEN_DECLARE_RPC(GetPlan, v1::GetPlanRequest, v1::Plan)
  KAIZEN_DECLARE_RPC(ListPlans, v1::ListPlansRequest, v1::ListPlansResponse)
  KAIZEN_DECLARE_RPC(UpdatePlan, v1::UpdatePlanRequest, v1::Plan)
  KAIZEN_DECLARE_RPC(CommitRevision, v1::CommitRevisionRequest, v1::Revision)
  KAIZEN_DECLARE_RPC(ListRevisions, v1::ListRevisionsRequest, v1::ListRevisionsResponse)
  KAIZEN_DECLARE_RPC(GetRevision, v1::GetRevisionRequest, v1::Revision)
  KAIZEN_DECLARE_RPC(RestoreRevision, v1::RestoreRevisionRequest, v1::Revision)
  KAIZEN_DECLARE_RPC(SubmitStage, v1::SubmitStageRequest, v1::Plan)
  KAIZEN_DECLARE_RPC(DiffRevisions, v1::DiffRevisionsRequest, v1::PlanDiff)
  KAIZEN_DECLARE_RPC(CreateFeedback, v1::CreateFeedbackRequest, v1::Feedback)
  KAIZEN_DECLARE_RPC(ListFeedback, v1::ListFeedbackRequest, v1::ListFeedbackResponse)
  KAIZEN_DECLARE_RPC(ResolveFeedback, v1::ResolveFeedbackRequest, v1::Feedback)
  KAIZEN_DECLARE_RPC(ReopenFeedback, v1::ReopenFeedbackRequest, v1::Feedback)
  KAIZEN_DECLARE_RPC(CreatePracticeEntry, v1::CreatePracticeEntryRequest, v1::PracticeEntry)
  KAIZEN_DECLARE_RPC(ListPracticeEntries, v1::ListPracticeEntriesRequest,
                     v1::ListPracticeEntriesResponse)
  KAIZEN_DECLARE_RPC(GetPlanOutcomes, v1::GetPlanOutcomesRequest, v1::PlanOutcomes)
  KAIZEN_DECLARE_RPC(PurgePersonalData, kaizen::type::PurgeRequest, kaizen::type::PurgeReport)
  KAIZEN_DECLARE_RPC(GetSharedPlanStages, v1::GetSharedPlanStagesRequest, v1::SharedPlanStages)
  KAIZEN_DECLARE_RPC(ListResultChanges, kaizen::type::ListResultChangesRequest, kaizen::type::ListResultChangesResponse)

 private:
  Plans* domain_;
  const auth::PrincipalSigner* signer_;
};

}  // namespace kaizen::plans

#endif  // KAIZEN_SERVICES_PLANS_GRPC_SERVICE_H_

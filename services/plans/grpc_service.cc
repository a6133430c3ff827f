#include "services/plans/grpc_service.h"

namespace kaizen::plans {

KAIZEN_DEFINE_RPC(PlansGrpcService, CreatePlan, v1::CreatePlanRequest, v1::Plan)
KAIZEN_DEFINE_RPC(PlansGrpcService, GetPlan, v1::GetPlanRequest, v1::Plan)
KAIZEN_DEFINE_RPC(PlansGrpcService, ListPlans, v1::ListPlansRequest, v1::ListPlansResponse)
KAIZEN_DEFINE_RPC(PlansGrpcService, UpdatePlan, v1::UpdatePlanRequest, v1::Plan)
KAIZEN_DEFINE_RPC(PlansGrpcService, CommitRevision, v1::CommitRevisionRequest, v1::Revision)
KAIZEN_DEFINE_RPC(PlansGrpcService, ListRevisions, v1::ListRevisionsRequest, v1::ListRevisionsResponse)
KAIZEN_DEFINE_RPC(PlansGrpcService, GetRevision, v1::GetRevisionRequest, v1::Revision)
KAIZEN_DEFINE_RPC(PlansGrpcService, RestoreRevision, v1::RestoreRevisionRequest, v1::Revision)
KAIZEN_DEFINE_RPC(PlansGrpcService, SubmitStage, v1::SubmitStageRequest, v1::Plan)
KAIZEN_DEFINE_RPC(PlansGrpcService, DiffRevisions, v1::DiffRevisionsRequest, v1::PlanDiff)
KAIZEN_DEFINE_RPC(PlansGrpcService, CreateFeedback, v1::CreateFeedbackRequest, v1::Feedback)
KAIZEN_DEFINE_RPC(PlansGrpcService, ListFeedback, v1::ListFeedbackRequest, v1::ListFeedbackResponse)
KAIZEN_DEFINE_RPC(PlansGrpcService, ResolveFeedback, v1::ResolveFeedbackRequest, v1::Feedback)
KAIZEN_DEFINE_RPC(PlansGrpcService, ReopenFeedback, v1::ReopenFeedbackRequest, v1::Feedback)
KAIZEN_DEFINE_RPC(PlansGrpcService, CreatePracticeEntry, v1::CreatePracticeEntryRequest, v1::PracticeEntry)
KAIZEN_DEFINE_RPC(PlansGrpcService, ListPracticeEntries, v1::ListPracticeEntriesRequest, v1::ListPracticeEntriesResponse)
KAIZEN_DEFINE_RPC(PlansGrpcService, GetPlanOutcomes, v1::GetPlanOutcomesRequest, v1::PlanOutcomes)
KAIZEN_DEFINE_RPC(PlansGrpcService, PurgePersonalData, kaizen::type::PurgeRequest, kaizen::type::PurgeReport)
KAIZEN_DEFINE_RPC(PlansGrpcService, GetSharedPlanStages, v1::GetSharedPlanStagesRequest, v1::SharedPlanStages)
KAIZEN_DEFINE_RPC(PlansGrpcService, ListResultChanges, kaizen::type::ListResultChangesRequest, kaizen::type::ListResultChangesResponse)

}  // namespace kaizen::plans

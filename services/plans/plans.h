// The plans domain: action plans as a working draft plus an immutable
// revision history, stage versions bound to the cohort's calendar, diffs,
// feedback, the practice log and outcomes beside the plan. Transport-free;
// every method takes the verified caller and returns the response or a
// named error (plans_errors.h; README.md lists them).
//
// Who may do what (access.h): the cohort's roster (from enrollment) decides
// who the caller is; owners edit; staff read everything and give feedback;
// cohort mates see presented stage versions; anyone else gets NOT_FOUND.
//
// Consistency: each mutation is one PlansStore::Write (BEGIN IMMEDIATE), so
// an etag check and the write it guards are atomic: of two editors holding
// the same etag exactly one succeeds, the other gets ABORTED and nothing is
// lost. The roster and meeting times are fetched *before* the transaction;
// if enrollment or scheduling cannot be reached the call fails with
// UNAVAILABLE and writes nothing.
//
// Thread-safe; holds no mutable state besides the store.
#ifndef KAIZEN_SERVICES_PLANS_PLANS_H_
#define KAIZEN_SERVICES_PLANS_PLANS_H_

#include <string>

#include "absl/status/statusor.h"
#include "clients/enrollment/roster.h"
#include "clients/partner/shared_read.h"
#include "clients/scheduling/meetings.h"
#include "common/util/clock.h"
#include "common/util/page_token.h"
#include "kaizen/plans/v1/plans.pb.h"
#include "kaizen/type/partner.pb.h"
#include "kaizen/type/principal.pb.h"
#include "kaizen/type/purge.pb.h"
#include "services/plans/outcomes.h"

namespace kaizen::plans {

using ::kaizen::type::Principal;
class PlansStore;  // plans_store.h

// The full gRPC method a partner's plan read is recorded under.
inline constexpr char kGetSharedPlanStagesMethod[] =
    "/kaizen.plans.v1.PlansService/GetSharedPlanStages";
// The data items a partner's plan read is recorded with, for the person and
// each co-owner alike: each plan's stage versions (stage, revision, submit
// time, lateness, the presented content), its title and its owner count.
inline constexpr const char* kPlanDataItems[] = {"plan.stage_versions", "plan.title",
                                                 "plan.owner_count"};

struct PlansConfig {
  // Signs page tokens. >= 16 bytes.
  std::string page_token_key;
};

class Plans {
 public:
  // None owned; all must outlive this object. `gate` decides and records
  // partner reads (GetSharedPlanStages; main.cc builds it on the same
  // roster source and enrollment's RecordProvision); without one,
  // GetSharedPlanStages is INTERNAL.
  Plans(PlansStore* store, enrollment_client::RosterSource* roster,
        scheduling_client::MeetingSource* meetings, OutcomeSource* outcomes, const Clock* clock,
        PlansConfig config, const partner_client::SharedReadGate* gate = nullptr);

  // Plans and the draft (plans.cc).
  absl::StatusOr<v1::Plan> CreatePlan(const Principal& caller, const v1::CreatePlanRequest& r);
  absl::StatusOr<v1::Plan> GetPlan(const Principal& caller, const v1::GetPlanRequest& r);
  absl::StatusOr<v1::ListPlansResponse> ListPlans(const Principal& caller,
                                                  const v1::ListPlansRequest& r);
  absl::StatusOr<v1::Plan> UpdatePlan(const Principal& caller, const v1::UpdatePlanRequest& r);

  // Revisions (revisions.cc).
  absl::StatusOr<v1::Revision> CommitRevision(const Principal& caller,
                                              const v1::CommitRevisionRequest& r);
  absl::StatusOr<v1::ListRevisionsResponse> ListRevisions(const Principal& caller,
                                                          const v1::ListRevisionsRequest& r);
  absl::StatusOr<v1::Revision> GetRevision(const Principal& caller,
                                           const v1::GetRevisionRequest& r);
  absl::StatusOr<v1::Revision> RestoreRevision(const Principal& caller,
                                               const v1::RestoreRevisionRequest& r);
  absl::StatusOr<v1::PlanDiff> DiffRevisions(const Principal& caller,
                                             const v1::DiffRevisionsRequest& r);

  // Stage versions (stages.cc).
  absl::StatusOr<v1::Plan> SubmitStage(const Principal& caller, const v1::SubmitStageRequest& r);

  // Feedback (feedback.cc).
  absl::StatusOr<v1::Feedback> CreateFeedback(const Principal& caller,
                                              const v1::CreateFeedbackRequest& r);
  absl::StatusOr<v1::ListFeedbackResponse> ListFeedback(const Principal& caller,
                                                        const v1::ListFeedbackRequest& r);
  absl::StatusOr<v1::Feedback> ResolveFeedback(const Principal& caller,
                                               const v1::ResolveFeedbackRequest& r);
  absl::StatusOr<v1::Feedback> ReopenFeedback(const Principal& caller,
                                              const v1::ReopenFeedbackRequest& r);

  // Practice log and outcomes (practice.cc).
  absl::StatusOr<v1::PracticeEntry> CreatePracticeEntry(const Principal& caller,
                                                        const v1::CreatePracticeEntryRequest& r);
  absl::StatusOr<v1::ListPracticeEntriesResponse> ListPracticeEntries(
      const Principal& caller, const v1::ListPracticeEntriesRequest& r);
  absl::StatusOr<v1::PlanOutcomes> GetPlanOutcomes(const Principal& caller,
                                                   const v1::GetPlanOutcomesRequest& r);

  // Personal-data purge and erasure (purge.cc; the proto comment has the
  // rules). The enrollment service only.
  absl::StatusOr<kaizen::type::PurgeReport> PurgePersonalData(
      const Principal& caller, const kaizen::type::PurgeRequest& r);

  // Partner reads and the result-change log (shared_plans.cc; the proto
  // has the rules). GetSharedPlanStages: a partner key for its own
  // consenting staff (recorded with enrollment), the secretariat, the
  // person themself. ListResultChanges: the enrollment service only.
  absl::StatusOr<v1::SharedPlanStages> GetSharedPlanStages(
      const Principal& caller, const v1::GetSharedPlanStagesRequest& r);
  absl::StatusOr<kaizen::type::ListResultChangesResponse> ListResultChanges(
      const Principal& caller, const kaizen::type::ListResultChangesRequest& r);

 private:
  PlansStore* store_;
  enrollment_client::RosterSource* roster_;
  scheduling_client::MeetingSource* meetings_;
  OutcomeSource* outcomes_;
  const Clock* clock_;
  const partner_client::SharedReadGate* gate_;
  PageTokenCodec page_tokens_;
};

}  // namespace kaizen::plans

#endif  // KAIZEN_SERVICES_PLANS_PLANS_H_

// Small pieces the plans domain files share: resource names, content
// validation, request-id replay, and how a plan is shown to a caller.
// Package-private (BUILD visibility); nothing here is API.
#ifndef KAIZEN_SERVICES_PLANS_INTERNAL_H_
#define KAIZEN_SERVICES_PLANS_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/status/violations.h"
#include "google/protobuf/message.h"
#include "kaizen/plans/v1/plans.pb.h"
#include "services/plans/access.h"
#include "services/plans/plans_store.h"

namespace kaizen::plans::internal {

using ::kaizen::errors::Violations;

inline constexpr int kMaxRequestIdLength = 64;
inline constexpr int kMaxActions = 50;
inline constexpr int kMaxMilestones = 50;
// One statement per wall, one entry per kind of stakeholder.
inline constexpr int kMaxWalls = 4;
inline constexpr int kMaxStakeholders = 4;
inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;

// ---------------------------------------------------------------- names

struct PlanId {
  std::string cohort_id;
  std::string plan_id;
  std::string cohort_name() const { return "cohorts/" + cohort_id; }
  std::string name() const;
};

std::string RevisionName(const PlanId& plan, int64_t number);
std::string FeedbackName(const PlanId& plan, const std::string& id);
std::string PracticeName(const PlanId& plan, const std::string& id);

// "cohorts/{c}" -> c.
absl::StatusOr<std::string> ParseCohortName(absl::string_view field, absl::string_view name);
// "cohorts/{c}/plans/{p}".
absl::StatusOr<PlanId> ParsePlanName(absl::string_view field, absl::string_view name);
// "cohorts/{c}/plans/{p}/revisions/r{n}" with n >= 1.
absl::StatusOr<std::pair<PlanId, int64_t>> ParseRevisionName(absl::string_view field,
                                                             absl::string_view name);
// "cohorts/{c}/plans/{p}/feedback/{f}".
absl::StatusOr<std::pair<PlanId, std::string>> ParseFeedbackName(absl::string_view field,
                                                                 absl::string_view name);

// ---------------------------------------------------------------- validation

// request_id: at most kMaxRequestIdLength characters.
void CheckRequestId(Violations& v, const std::string& request_id);
// Every rule of PlanContent (plans.proto), fields named under `prefix`
// (e.g. "plan.draft").
void CheckContent(Violations& v, const std::string& prefix, const v1::PlanContent& content);
// The stage is INTERIM, FOLLOW_UP or FINAL.
bool IsKnownStage(v1::Stage stage);
// The meeting (by sequence) a stage is presented at: 6, 7, 8.
int StageMeetingSequence(v1::Stage stage);

// ---------------------------------------------------------------- idempotency

// The resource a retried request made the first time, if this is a retry
// (common/storage/request_ids.h); REQUEST_ID_REUSED for another request.
absl::StatusOr<std::optional<std::string>> Replayed(PlansTx& tx, const std::string& scope,
                                                    const std::string& request_id,
                                                    const google::protobuf::Message& request);
// Records that `request_id` made `resource_name` (no-op for an empty id).
absl::Status Remember(PlansTx& tx, const std::string& scope, const std::string& request_id,
                      const google::protobuf::Message& request,
                      const std::string& resource_name, absl::Time now);

// ---------------------------------------------------------------- reading

// FAILED_PRECONDITION COHORT_PURGED once the cohort's personal data was
// purged; PARTICIPANT_ERASED when one of `people` (participant names) was
// erased. Checked inside the transaction of every write, for the writer and
// for everyone the written row names (and by LoadVisiblePlan): the roster
// was fetched before the transaction and may predate an erasure, so only
// the marks in this database decide.
absl::Status RequireNotPurged(PlansTx& tx, const std::string& cohort_id,
                              const std::vector<std::string>& people = {});

// The caller's own participant name as rows record it (CohortAccess::
// author()), as a list for RequireNotPurged; empty for a secretariat
// account without a roster entry (not a person anyone erases).
std::vector<std::string> CallerNames(const CohortAccess& access);

// The plan if the caller may see it at all; NOT_FOUND (exactly as for a
// plan that does not exist) otherwise; COHORT_PURGED after a purge;
// PARTICIPANT_ERASED when the caller was erased (their roster entry
// predating the erasure). Every write that stores the caller's name
// (feedback, practice entries, revisions, stage versions, draft changes)
// loads its plan through here inside its transaction; the plan's owners
// need no check (an erased owner is no longer one, a sole owner's plan is
// gone).
absl::StatusOr<PlanRecord> LoadVisiblePlan(PlansTx& tx, const PlanId& id,
                                           const CohortAccess& access);

// The plan as this caller may see it: etag always; for kFull the draft and
// draft_changed; for kPresented no draft and no revision count. FOLLOW_UP
// stage versions get the actions practised since the INTERIM submission
// and the diff from the INTERIM revision.
absl::StatusOr<v1::Plan> PresentPlan(PlansTx& tx, const PlanRecord& record,
                                     const CohortAccess& access);

// The content of revision `number` (0: an empty plan).
absl::StatusOr<v1::PlanContent> ContentOf(PlansTx& tx, const PlanId& id, int64_t number);

// Whether `content` has an action with id `action_id`.
bool HasAction(const v1::PlanContent& content, const std::string& action_id);

// ---------------------------------------------------------------- partner log
// (shared_plans.cc)

// Appends a SHARE_ACTION_PLAN result change for every owner of `plan` at
// `now`. Call inside the write that changed what GetSharedPlanStages
// returns for them (a stage version, the title of a presented plan, the
// owners).
absl::Status LogPlanChange(PlansTx& tx, const std::string& cohort_id, const v1::Plan& plan,
                           absl::Time now);

}  // namespace kaizen::plans::internal

#endif  // KAIZEN_SERVICES_PLANS_INTERNAL_H_

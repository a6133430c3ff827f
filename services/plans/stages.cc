// Stage versions bound to the calendar: SubmitStage. INTERIM is presented at
// meeting 6, FOLLOW_UP at 7, FINAL at 8; the deadline is the meeting's start
// as scheduling reports it now, so a rescheduled meeting moves it.
#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/etag.h"
#include "common/util/proto_time.h"
#include "common/validation/validation.h"
#include "services/plans/access.h"
#include "services/plans/internal.h"
#include "services/plans/plans.h"
#include "services/plans/plans_errors.h"
#include "services/plans/plans_store.h"

namespace kaizen::plans {

using internal::PlanId;
using internal::Violations;

absl::StatusOr<v1::Plan> Plans::SubmitStage(const Principal& caller,
                                            const v1::SubmitStageRequest& r) {
  ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("name", r.name()));
  Violations v;
  if (!internal::IsKnownStage(r.stage())) v.Add("stage", "must be INTERIM, FOLLOW_UP or FINAL");
  if (r.revision() < 0) v.Add("revision", "must be 0 (the newest) or a revision number");
  if (r.etag().empty()) v.Add("etag", "is required (send the plan's etag)");
  v.Check(ValidateText("late_reason", r.late_reason(), 0, 500, true));
  RETURN_IF_ERROR(v.Result());
  const std::string stage_name = v1::Stage_Name(r.stage());

  // Both reads happen before the transaction: if enrollment or scheduling
  // cannot be reached nothing is written.
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  const int sequence = internal::StageMeetingSequence(r.stage());
  const std::string meeting = absl::StrCat(id.cohort_name(), "/meetings/m", sequence);
  absl::StatusOr<std::optional<absl::Time>> start =
      scheduling_client::MeetingStart(*meetings_, id.cohort_name(), sequence);
  // A missing meeting is a fact about the cohort's calendar: said only to
  // callers who may present this plan (below), never to strangers.
  if (absl::IsNotFound(start.status())) start = std::optional<absl::Time>();
  if (!start.ok()) return start.status();
  const absl::Time now = clock_->Now();
  v1::Plan out;
  RETURN_IF_ERROR(store_->Write([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord plan, internal::LoadVisiblePlan(tx, id, *access));
    const bool owner = access->IsOwner(plan.plan);
    if (!owner && !access->secretariat()) return NotPlanOwner("present a stage version");
    if (!start->has_value()) return StageMeetingNotScheduled(stage_name, meeting);
    const bool late = now >= **start;
    if (late) {
      if (!access->secretariat()) return StageLocked(stage_name, **start);
      if (TrimSpaces(r.late_reason()).empty()) return LateReasonRequired();
    } else if (!owner) {
      // Before the deadline the owners present their own plan.
      return NotPlanOwner("present a stage version before its meeting");
    }
    RETURN_IF_ERROR(CheckEtag(plan.plan.name(), plan.revision, r.etag()));
    if (r.stage() != v1::INTERIM) {
      const bool has_interim =
          std::any_of(plan.plan.stages().begin(), plan.plan.stages().end(),
                      [](const v1::StageVersion& s) { return s.stage() == v1::INTERIM; });
      if (!has_interim) return StageOutOfOrder(stage_name);
    }
    const int64_t number = r.revision() == 0 ? plan.plan.latest_revision() : r.revision();
    if (number == 0) return InvalidField("revision", "commit a revision first");
    RETURN_IF_ERROR(tx.GetRevision(id.cohort_id, id.plan_id, number).status());

    v1::StageVersion version;
    version.set_stage(r.stage());
    version.set_revision(number);
    *version.mutable_submit_time() = ToProtoTimestamp(now);
    version.set_submitted_by(owner && !late ? access->self()->participant() : caller.subject());
    version.set_meeting(meeting);
    *version.mutable_deadline() = ToProtoTimestamp(**start);
    version.set_late(late);
    if (late) version.set_late_reason(TrimSpaces(r.late_reason()));
    // Replace this stage's earlier version (allowed until the deadline),
    // keep the list in stage order.
    auto* stages = plan.plan.mutable_stages();
    for (int i = stages->size() - 1; i >= 0; --i) {
      if (stages->Get(i).stage() == r.stage()) stages->DeleteSubrange(i, 1);
    }
    *stages->Add() = version;
    std::sort(stages->begin(), stages->end(),
              [](const v1::StageVersion& a, const v1::StageVersion& b) {
                return a.stage() < b.stage();
              });
    *plan.plan.mutable_update_time() = ToProtoTimestamp(now);
    RETURN_IF_ERROR(tx.UpdatePlan(&plan));
    // What partners may see changed for every owner (GetSharedPlanStages).
    RETURN_IF_ERROR(internal::LogPlanChange(tx, id.cohort_id, plan.plan, now));
    ASSIGN_OR_RETURN(out, internal::PresentPlan(tx, plan, *access));
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::plans

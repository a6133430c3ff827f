// Action plans as shared with a partner municipality's HR system
// (GetSharedPlanStages), and the result-change log enrollment reads to
// build the partner change feed (ListResultChanges).
//
// What is shared: for each plan the person owns that has a presented stage
// version, the plan's name, title and owner count, and per stage version
// its stage, revision number, submit time, lateness and the presented
// revision's content. Never the draft, other revisions, feedback, the
// practice log, who submitted or the late reason (the secretariat's words).
//
// A team plan is shared only while every owner is an active participant on
// the cohort's roster who consents to share_action_plan now (the gate's
// roster, fetched for this read): their work is in it too. An owner not on
// the roster (cancelled, withdrawn) counts as not consenting; an erased
// owner is no longer an owner (purge removes them). The rule holds for every
// reader, so the person and the secretariat see exactly what an employer
// would (the person's own consent is the gate's check, for partners).
//
// What the log announces (each in the write's own transaction, one row per
// owner): a stage version presented (SubmitStage, late ones included), a
// presented plan's title changed, an owner erased from a team plan (the
// others' plan changed). Not logged here: a team mate's consent change,
// which is enrollment's (its feed carries consent changes).
#include <string>
#include <vector>

#include "clients/partner/result_changes_contract.h"
#include "clients/partner/shared_read.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/plans/internal.h"
#include "services/plans/plans.h"
#include "services/plans/plans_errors.h"
#include "services/plans/plans_store.h"

namespace kaizen::plans {

namespace internal {

absl::Status LogPlanChange(PlansTx& tx, const std::string& cohort_id, const v1::Plan& plan,
                           absl::Time now) {
  for (const std::string& owner : plan.owners()) {
    RETURN_IF_ERROR(
        tx.AppendResultChange(cohort_id, owner, kaizen::type::SHARE_ACTION_PLAN, now));
  }
  return absl::OkStatus();
}

}  // namespace internal

namespace {

// Every owner but `person` is an active participant who consents now.
bool TeamConsents(const v1::Plan& plan, const std::string& person,
                  const enrollment_client::RosterView& roster) {
  for (const std::string& owner : plan.owners()) {
    if (owner == person) continue;
    const enrollment_client::RosterEntry* e = roster.FindByName(owner);
    if (e == nullptr || e->role() != kaizen::enrollment::v1::Participant::PARTICIPANT ||
        !partner_client::Consents(*e, kaizen::type::SHARE_ACTION_PLAN)) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<v1::SharedPlanStages> Plans::GetSharedPlanStages(
    const Principal& caller, const v1::GetSharedPlanStagesRequest& r) {
  ASSIGN_OR_RETURN(partner_client::SharedReadRequest request,
                   partner_client::ParseSharedRead(r.participant(), r.bundle()));
  if (gate_ == nullptr) return errors::Internal("partner reads are not configured");
  // 1. Who may read (roster and consent; nothing is read before this).
  ASSIGN_OR_RETURN(partner_client::SharedReader reader,
                   gate_->Authorise(caller, request, kaizen::type::SHARE_ACTION_PLAN));
  // 2. The data.
  const std::string& cohort_id = request.cohort_id;
  v1::SharedPlanStages out;
  out.set_participant(request.participant);
  RETURN_IF_ERROR(store_->Read([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(bool purged, tx.IsPurged(cohort_id, ""));
    if (purged) return absl::OkStatus();  // nothing personal is left
    ASSIGN_OR_RETURN(bool erased, tx.IsPurged(cohort_id, request.participant));
    if (erased) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::vector<PlanRecord> plans, tx.ListPlans(cohort_id, 0, 0));
    for (const PlanRecord& rec : plans) {
      const v1::Plan& plan = rec.plan;
      bool owns = false;
      for (const std::string& o : plan.owners()) owns |= o == request.participant;
      if (!owns || plan.stages_size() == 0) continue;
      if (!TeamConsents(plan, request.participant, *reader.roster)) continue;
      v1::SharedPlanStages::SharedPlan* shared = out.add_plans();
      shared->set_plan(plan.name());
      shared->set_title(plan.title());
      shared->set_owner_count(plan.owners_size());
      for (const v1::StageVersion& s : plan.stages()) {  // stored in stage order
        ASSIGN_OR_RETURN(RevisionRecord revision,
                         tx.GetRevision(cohort_id, rec.id, s.revision()));
        v1::SharedPlanStages::SharedStage* stage = shared->add_stages();
        stage->set_stage(s.stage());
        stage->set_revision(s.revision());
        *stage->mutable_submit_time() = s.submit_time();
        stage->set_late(s.late());
        *stage->mutable_content() = revision.revision.content();
      }
    }
    return absl::OkStatus();
  }));
  // 3. The provision record (partners only), when anything is provided:
  // an empty answer carries nothing about the person. Enrollment re-checks
  // municipality and consent; a refusal means nothing leaves.
  if (out.plans_size() > 0) {
    RETURN_IF_ERROR(gate_->Record(reader, {"plan.stage_versions"}, kGetSharedPlanStagesMethod));
  }
  return out;
}

absl::StatusOr<kaizen::type::ListResultChangesResponse> Plans::ListResultChanges(
    const Principal& caller, const kaizen::type::ListResultChangesRequest& r) {
  RETURN_IF_ERROR(partner_client::RequireEnrollmentReader(caller));
  ASSIGN_OR_RETURN(partner_client::ResultChangesQuery query,
                   partner_client::ParseListResultChanges(r));
  kaizen::type::ListResultChangesResponse out;
  RETURN_IF_ERROR(store_->Read([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(out, tx.ListResultChanges(query.after_sequence, query.page_size));
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::plans

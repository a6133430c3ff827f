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
// the cohort's roster (the gate's roster, fetched for this read), employed
// by the person's municipality (for a partner key: the key's own, the gate
// checked they are the same) and consenting to share_action_plan now: their
// work is in it too, and it goes to no other town's HR than each owner's
// own employer. An owner not on the roster (cancelled, withdrawn) counts as
// not consenting; an erased owner is no longer an owner (purge removes
// them). The rule holds for every reader, so the person and the secretariat
// see exactly what the employer would (the person's own consent is the
// gate's check, for partners).
//
// The provision record names every owner of what is provided: one
// RecordProvision request with an item per person (the person, then each
// co-owner of a provided team plan once), data items kPlanDataItems. If
// enrollment refuses any item (a consent revoked in the moment since the
// roster was read), the answer is NOT_SHARED_WITH_PARTNER and nothing is
// provided; the partner's next read fetches the roster again and leaves
// that team plan out. (Dropping the one plan instead would need a second
// round of records, and the first round's records of its other owners
// would then name a provision that did not happen; a refusal is rare, so
// the whole answer is refused; see shared_read.h.)
//
// What the log announces (each in the write's own transaction, one row per
// owner): a stage version presented (SubmitStage, late ones included), a
// presented plan's title changed, an owner erased from a team plan (the
// others' plan changed). Not logged here: a team mate's consent change or
// cancellation, which is enrollment's: it writes a SHARE_ACTION_PLAN
// RESULT_CHANGED for the person's other same-town cohort mates (team plans
// are shared within one town only, so every owner whose answer changes).
#include <iterator>
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

// Every owner but `person` is an active participant employed by
// `municipality` who consents now.
bool TeamConsents(const v1::Plan& plan, const std::string& person,
                  const std::string& municipality,
                  const enrollment_client::RosterView& roster) {
  for (const std::string& owner : plan.owners()) {
    if (owner == person) continue;
    const enrollment_client::RosterEntry* e = roster.FindByName(owner);
    if (e == nullptr || e->role() != kaizen::enrollment::v1::Participant::PARTICIPANT ||
        municipality.empty() || e->municipality_code() != municipality ||
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
  // Where the plans may go: the person's employer (for a partner key, the
  // key's municipality: the gate checked they are the same).
  const std::string& municipality = reader.entry->municipality_code();
  // The co-owners of what is provided, for the provision record.
  std::vector<std::string> co_owners;
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
      if (!TeamConsents(plan, request.participant, municipality, *reader.roster)) continue;
      for (const std::string& o : plan.owners()) {
        if (o != request.participant) co_owners.push_back(o);  // the gate drops repeats
      }
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
  // an empty answer carries nothing about the person. One item per owner of
  // what is provided; enrollment re-checks each one's municipality and
  // consent, and any refusal means nothing leaves (see the top).
  if (out.plans_size() > 0) {
    RETURN_IF_ERROR(gate_->Record(reader, {std::begin(kPlanDataItems), std::end(kPlanDataItems)},
                                  kGetSharedPlanStagesMethod, co_owners));
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

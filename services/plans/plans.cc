// Plans and their working draft: CreatePlan, GetPlan, ListPlans, UpdatePlan.
#include "services/plans/plans.h"

#include <algorithm>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/etag.h"
#include "common/util/ids.h"
#include "common/util/proto_time.h"
#include "common/validation/validation.h"
#include "services/plans/access.h"
#include "services/plans/internal.h"
#include "services/plans/plans_errors.h"
#include "services/plans/plans_store.h"

namespace kaizen::plans {

using internal::PlanId;
using internal::Violations;

Plans::Plans(PlansStore* store, enrollment_client::RosterSource* roster,
             scheduling_client::MeetingSource* meetings, OutcomeSource* outcomes,
             const Clock* clock, PlansConfig config, const partner_client::SharedReadGate* gate)
    : store_(store),
      roster_(roster),
      meetings_(meetings),
      outcomes_(outcomes),
      clock_(clock),
      gate_(gate),
      page_tokens_(std::move(config.page_token_key)) {}

namespace {

// The owners of a new plan: the caller alone when they are a participant
// creating their own; any roster participants when an organiser creates it.
absl::StatusOr<std::vector<std::string>> ResolveOwners(const CohortAccess& access,
                                                      const v1::Plan& plan) {
  std::vector<std::string> owners(plan.owners().begin(), plan.owners().end());
  if (owners.empty()) {
    if (access.self() == nullptr) {
      if (!access.member()) return CallerNotOnRoster();
      return InvalidField("plan.owners", "name the participants this plan belongs to");
    }
    return std::vector<std::string>{access.self()->participant()};
  }
  const bool only_self = access.self() != nullptr && owners.size() == 1 &&
                         owners[0] == access.self()->participant();
  if (!only_self && !access.organiser()) {
    if (!access.member()) return CallerNotOnRoster();
    return OrganiserOnly("create a plan for someone else");
  }
  Violations v;
  std::set<std::string> seen;
  for (size_t i = 0; i < owners.size(); ++i) {
    const std::string field = absl::StrCat("plan.owners[", i, "]");
    const RosterEntry* e = access.roster().FindByName(owners[i]);
    if (e == nullptr || e->role() != enrollment::v1::Participant::PARTICIPANT) {
      v.Check(PersonNotOnRoster(field));
    } else if (!seen.insert(owners[i]).second) {
      v.Check(DuplicateId(field));
    }
  }
  RETURN_IF_ERROR(v.Result());
  return owners;
}

}  // namespace

absl::StatusOr<v1::Plan> Plans::CreatePlan(const Principal& caller,
                                           const v1::CreatePlanRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort_id, internal::ParseCohortName("parent", r.parent()));
  Violations v;
  v.Check(ValidateText("plan.title", r.plan().title(), 1, 200, false));
  internal::CheckContent(v, "plan.draft", r.plan().draft());
  if (!r.plan_id().empty() && !IsValidResourceId(r.plan_id())) {
    v.Add("plan_id", "must be 1-63 chars of a-z, 0-9 and '-', starting with a letter");
  }
  internal::CheckRequestId(v, r.request_id());
  RETURN_IF_ERROR(v.Result());
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, r.parent(), caller));
  if (!access->member()) return CallerNotOnRoster();
  ASSIGN_OR_RETURN(std::vector<std::string> owners, ResolveOwners(*access, r.plan()));

  const absl::Time now = clock_->Now();
  // Per caller (common/storage/request_ids.h): one caller's id never replays
  // another caller's plan.
  const std::string scope = absl::StrCat("CreatePlan\x1f", caller.subject(), "\x1f", r.parent());
  v1::Plan out;
  RETURN_IF_ERROR(store_->Write([&](PlansTx& tx) -> absl::Status {
    // The owners the plan names, and the creator (the request id's scope
    // names their account).
    std::vector<std::string> people = owners;
    for (std::string& self : internal::CallerNames(*access)) people.push_back(std::move(self));
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, cohort_id, people));
    ASSIGN_OR_RETURN(auto replayed, internal::Replayed(tx, scope, r.request_id(), r));
    if (replayed.has_value()) {
      ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("name", *replayed));
      ASSIGN_OR_RETURN(PlanRecord rec, tx.GetPlan(id.cohort_id, id.plan_id));
      ASSIGN_OR_RETURN(out, internal::PresentPlan(tx, rec, *access));
      return absl::OkStatus();
    }
    PlanRecord rec;
    rec.cohort_id = cohort_id;
    rec.id = r.plan_id().empty() ? NewId() : r.plan_id();
    const PlanId id{rec.cohort_id, rec.id};
    rec.plan.set_name(id.name());
    rec.plan.set_title(TrimSpaces(r.plan().title()));
    for (const std::string& o : owners) rec.plan.add_owners(o);
    *rec.plan.mutable_draft() = r.plan().draft();
    *rec.plan.mutable_create_time() = ToProtoTimestamp(now);
    *rec.plan.mutable_update_time() = ToProtoTimestamp(now);
    RETURN_IF_ERROR(tx.InsertPlan(&rec));
    RETURN_IF_ERROR(internal::Remember(tx, scope, r.request_id(), r, id.name(), now));
    ASSIGN_OR_RETURN(out, internal::PresentPlan(tx, rec, *access));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Plan> Plans::GetPlan(const Principal& caller, const v1::GetPlanRequest& r) {
  ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("name", r.name()));
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  v1::Plan out;
  RETURN_IF_ERROR(store_->Read([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord rec, internal::LoadVisiblePlan(tx, id, *access));
    ASSIGN_OR_RETURN(out, internal::PresentPlan(tx, rec, *access));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::ListPlansResponse> Plans::ListPlans(const Principal& caller,
                                                       const v1::ListPlansRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort_id, internal::ParseCohortName("parent", r.parent()));
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(r.page_size(), internal::kDefaultPageSize,
                                                    internal::kMaxPageSize));
  const std::string fingerprint = absl::StrCat("plans\x1f", r.parent());
  int64_t after_seq = 0;
  if (!r.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position, page_tokens_.Decode(fingerprint, r.page_token()));
    if (!absl::SimpleAtoi(position, &after_seq)) {
      return errors::InvalidField("page_token", "is not valid", "INVALID_PAGE_TOKEN");
    }
  }
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, r.parent(), caller));
  if (!access->member()) return CallerNotOnRoster();
  v1::ListPlansResponse out;
  RETURN_IF_ERROR(store_->Read([&](PlansTx& tx) -> absl::Status {
    // Visibility filters rows, so read in batches until one more visible
    // plan than the page holds is found or the plans run out.
    std::vector<PlanRecord> visible;
    int64_t position = after_seq;
    while (static_cast<int>(visible.size()) <= page_size) {
      ASSIGN_OR_RETURN(auto rows, tx.ListPlans(cohort_id, position, page_size + 1));
      for (PlanRecord& rec : rows) {
        position = rec.seq;
        if (access->ViewOf(rec.plan) != PlanView::kNone) visible.push_back(std::move(rec));
      }
      if (static_cast<int>(rows.size()) <= page_size) break;
    }
    const bool more = static_cast<int>(visible.size()) > page_size;
    if (more) visible.resize(page_size);
    for (const PlanRecord& rec : visible) {
      ASSIGN_OR_RETURN(*out.add_plans(), internal::PresentPlan(tx, rec, *access));
    }
    if (more) {
      out.set_next_page_token(page_tokens_.Encode(fingerprint, absl::StrCat(visible.back().seq)));
    }
    return absl::OkStatus();
  }));
  return out;
}

namespace {

constexpr absl::string_view kUpdatablePaths[] = {"title",       "draft",
                                                 "draft.vision", "draft.walls",
                                                 "draft.actions", "draft.milestones"};

}  // namespace

absl::StatusOr<v1::Plan> Plans::UpdatePlan(const Principal& caller,
                                           const v1::UpdatePlanRequest& r) {
  ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("plan.name", r.plan().name()));
  std::vector<std::string> paths(r.update_mask().paths().begin(), r.update_mask().paths().end());
  if (paths.empty()) {
    // AIP-134: no mask means the fields the request sets. A request that
    // sets only the title must not empty the draft.
    if (r.plan().has_draft()) paths.push_back("draft");
    if (!r.plan().title().empty()) paths.push_back("title");
    if (paths.empty()) return NothingToUpdate();
  }
  for (const std::string& p : paths) {
    if (std::find(std::begin(kUpdatablePaths), std::end(kUpdatablePaths), p) ==
        std::end(kUpdatablePaths)) {
      return UpdateMaskInvalid(p);
    }
  }
  auto has = [&](absl::string_view p) {
    return std::find(paths.begin(), paths.end(), p) != paths.end();
  };
  Violations v;
  if (r.plan().etag().empty()) v.Add("plan.etag", "is required (send the etag you read)");
  if (has("title")) v.Check(ValidateText("plan.title", r.plan().title(), 1, 200, false));
  internal::CheckContent(v, "plan.draft", r.plan().draft());
  RETURN_IF_ERROR(v.Result());
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  const absl::Time now = clock_->Now();
  v1::Plan out;
  RETURN_IF_ERROR(store_->Write([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord rec, internal::LoadVisiblePlan(tx, id, *access));
    if (!access->IsOwner(rec.plan)) return NotPlanOwner("change the draft");
    RETURN_IF_ERROR(CheckEtag(rec.plan.name(), rec.revision, r.plan().etag()));
    const v1::PlanContent& in = r.plan().draft();
    v1::PlanContent* draft = rec.plan.mutable_draft();
    const std::string title_before = rec.plan.title();
    if (has("title")) rec.plan.set_title(TrimSpaces(r.plan().title()));
    if (has("draft")) *draft = in;
    if (has("draft.vision")) draft->set_vision(in.vision());
    if (has("draft.walls")) *draft->mutable_walls() = in.walls();
    if (has("draft.actions")) *draft->mutable_actions() = in.actions();
    if (has("draft.milestones")) *draft->mutable_milestones() = in.milestones();
    *rec.plan.mutable_update_time() = ToProtoTimestamp(now);
    RETURN_IF_ERROR(tx.UpdatePlan(&rec));
    // Partners see the title beside presented stage versions: a new one is
    // a change for every owner (the draft is never shared).
    if (rec.plan.title() != title_before && rec.plan.stages_size() > 0) {
      RETURN_IF_ERROR(internal::LogPlanChange(tx, id.cohort_id, rec.plan, now));
    }
    ASSIGN_OR_RETURN(out, internal::PresentPlan(tx, rec, *access));
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::plans

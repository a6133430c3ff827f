// Revisions: CommitRevision, ListRevisions, GetRevision, RestoreRevision and
// DiffRevisions. Revisions are immutable; restoring makes a new one.
#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/etag.h"
#include "common/util/proto_time.h"
#include "common/validation/validation.h"
#include "services/plans/access.h"
#include "services/plans/internal.h"
#include "services/plans/plan_diff.h"
#include "services/plans/plans.h"
#include "services/plans/plans_errors.h"
#include "services/plans/plans_store.h"

namespace kaizen::plans {

using internal::PlanId;
using internal::Violations;

namespace {

// Appends revision latest + 1 with `content` and points the plan (and its
// draft) at it. The caller checked ownership and the etag.
absl::StatusOr<RevisionRecord> AppendRevision(PlansTx& tx, PlanRecord& plan,
                                              const CohortAccess& access,
                                              const v1::PlanContent& content,
                                              const std::string& message, int64_t restored_from,
                                              absl::Time now) {
  const PlanId id{plan.cohort_id, plan.id};
  const int64_t parent = plan.plan.latest_revision();
  RevisionRecord rev;
  rev.cohort_id = plan.cohort_id;
  rev.plan_id = plan.id;
  rev.number = parent + 1;
  rev.revision.set_name(internal::RevisionName(id, rev.number));
  rev.revision.set_number(rev.number);
  rev.revision.set_parent(parent);
  rev.revision.set_author(access.author());
  *rev.revision.mutable_create_time() = ToProtoTimestamp(now);
  rev.revision.set_message(message);
  *rev.revision.mutable_content() = content;
  rev.revision.set_restored_from(restored_from);
  RETURN_IF_ERROR(tx.InsertRevision(rev));
  plan.plan.set_latest_revision(rev.number);
  *plan.plan.mutable_draft() = content;
  *plan.plan.mutable_update_time() = ToProtoTimestamp(now);
  RETURN_IF_ERROR(tx.UpdatePlan(&plan));
  return rev;
}

}  // namespace

absl::StatusOr<v1::Revision> Plans::CommitRevision(const Principal& caller,
                                                   const v1::CommitRevisionRequest& r) {
  ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("name", r.name()));
  Violations v;
  if (r.etag().empty()) v.Add("etag", "is required (send the plan's etag)");
  v.Check(ValidateText("message", r.message(), 0, 500, true));
  internal::CheckRequestId(v, r.request_id());
  RETURN_IF_ERROR(v.Result());
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  const absl::Time now = clock_->Now();
  const std::string scope =
      absl::StrCat("CommitRevision\x1f", caller.subject(), "\x1f", r.name());
  v1::Revision out;
  RETURN_IF_ERROR(store_->Write([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord plan, internal::LoadVisiblePlan(tx, id, *access));
    if (!access->IsOwner(plan.plan)) return NotPlanOwner("commit revisions");
    ASSIGN_OR_RETURN(auto replayed, internal::Replayed(tx, scope, r.request_id(), r));
    if (replayed.has_value()) {
      ASSIGN_OR_RETURN(auto rev_id, internal::ParseRevisionName("name", *replayed));
      ASSIGN_OR_RETURN(RevisionRecord rev,
                       tx.GetRevision(id.cohort_id, id.plan_id, rev_id.second));
      out = rev.revision;
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(CheckEtag(plan.plan.name(), plan.revision, r.etag()));
    ASSIGN_OR_RETURN(v1::PlanContent latest,
                     internal::ContentOf(tx, id, plan.plan.latest_revision()));
    if (plan.plan.latest_revision() > 0 && SameContent(latest, plan.plan.draft())) {
      return NothingToCommit();
    }
    const v1::PlanContent draft = plan.plan.draft();
    ASSIGN_OR_RETURN(RevisionRecord rev,
                     AppendRevision(tx, plan, *access, draft, TrimSpaces(r.message()), 0, now));
    RETURN_IF_ERROR(internal::Remember(tx, scope, r.request_id(), r, rev.revision.name(), now));
    out = rev.revision;
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::ListRevisionsResponse> Plans::ListRevisions(
    const Principal& caller, const v1::ListRevisionsRequest& r) {
  ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("parent", r.parent()));
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(r.page_size(), internal::kDefaultPageSize,
                                                    internal::kMaxPageSize));
  const std::string fingerprint = absl::StrCat("revisions\x1f", r.parent());
  int64_t before = 0;
  if (!r.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position, page_tokens_.Decode(fingerprint, r.page_token()));
    if (!absl::SimpleAtoi(position, &before) || before < 1) {
      return errors::InvalidField("page_token", "is not valid", "INVALID_PAGE_TOKEN");
    }
  }
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  v1::ListRevisionsResponse out;
  RETURN_IF_ERROR(store_->Read([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord plan, internal::LoadVisiblePlan(tx, id, *access));
    std::vector<RevisionRecord> visible;
    if (access->ViewOf(plan.plan) == PlanView::kFull) {
      ASSIGN_OR_RETURN(visible, tx.ListRevisions(id.cohort_id, id.plan_id, before, page_size + 1));
    } else {
      // Cohort mates: only the presented revisions (at most three).
      std::vector<int64_t> numbers;
      for (const auto& s : plan.plan.stages()) {
        if (before == 0 || s.revision() < before) numbers.push_back(s.revision());
      }
      std::sort(numbers.rbegin(), numbers.rend());
      numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
      for (int64_t n : numbers) {
        ASSIGN_OR_RETURN(RevisionRecord rev, tx.GetRevision(id.cohort_id, id.plan_id, n));
        visible.push_back(std::move(rev));
      }
    }
    const bool more = static_cast<int>(visible.size()) > page_size;
    if (more) visible.resize(page_size);
    for (const RevisionRecord& rev : visible) *out.add_revisions() = rev.revision;
    if (more) {
      out.set_next_page_token(page_tokens_.Encode(fingerprint, absl::StrCat(visible.back().number)));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Revision> Plans::GetRevision(const Principal& caller,
                                                const v1::GetRevisionRequest& r) {
  ASSIGN_OR_RETURN(auto name, internal::ParseRevisionName("name", r.name()));
  const PlanId& id = name.first;
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  v1::Revision out;
  RETURN_IF_ERROR(store_->Read([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord plan, internal::LoadVisiblePlan(tx, id, *access));
    if (!access->CanSeeRevision(plan.plan, name.second)) {
      return errors::NotFound("Revision", r.name());
    }
    ASSIGN_OR_RETURN(RevisionRecord rev, tx.GetRevision(id.cohort_id, id.plan_id, name.second));
    out = rev.revision;
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Revision> Plans::RestoreRevision(const Principal& caller,
                                                    const v1::RestoreRevisionRequest& r) {
  ASSIGN_OR_RETURN(auto name, internal::ParseRevisionName("name", r.name()));
  const PlanId& id = name.first;
  Violations v;
  if (r.etag().empty()) v.Add("etag", "is required (send the plan's etag)");
  v.Check(ValidateText("message", r.message(), 0, 500, true));
  RETURN_IF_ERROR(v.Result());
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  const absl::Time now = clock_->Now();
  v1::Revision out;
  RETURN_IF_ERROR(store_->Write([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord plan, internal::LoadVisiblePlan(tx, id, *access));
    if (!access->IsOwner(plan.plan)) return NotPlanOwner("restore revisions");
    RETURN_IF_ERROR(CheckEtag(plan.plan.name(), plan.revision, r.etag()));
    ASSIGN_OR_RETURN(RevisionRecord old, tx.GetRevision(id.cohort_id, id.plan_id, name.second));
    ASSIGN_OR_RETURN(v1::PlanContent latest,
                     internal::ContentOf(tx, id, plan.plan.latest_revision()));
    if (SameContent(latest, old.revision.content())) {
      // Already the newest content: only the draft goes back to it.
      if (SameContent(plan.plan.draft(), old.revision.content())) return NothingToCommit();
      *plan.plan.mutable_draft() = old.revision.content();
      *plan.plan.mutable_update_time() = ToProtoTimestamp(now);
      RETURN_IF_ERROR(tx.UpdatePlan(&plan));
      ASSIGN_OR_RETURN(RevisionRecord newest,
                       tx.GetRevision(id.cohort_id, id.plan_id, plan.plan.latest_revision()));
      out = newest.revision;
      return absl::OkStatus();
    }
    const std::string message = r.message().empty()
                                    ? absl::StrCat("revision ", name.second, " restored")
                                    : TrimSpaces(r.message());
    ASSIGN_OR_RETURN(RevisionRecord rev,
                     AppendRevision(tx, plan, *access, old.revision.content(), message,
                                    name.second, now));
    out = rev.revision;
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::PlanDiff> Plans::DiffRevisions(const Principal& caller,
                                                  const v1::DiffRevisionsRequest& r) {
  ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("name", r.name()));
  Violations v;
  if (r.from_revision() < 0) v.Add("from_revision", "must be 0 (an empty plan) or a revision");
  if (r.to_revision() < 1) v.Add("to_revision", "must be a revision number (1 or more)");
  RETURN_IF_ERROR(v.Result());
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  v1::PlanDiff out;
  RETURN_IF_ERROR(store_->Read([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord plan, internal::LoadVisiblePlan(tx, id, *access));
    for (int64_t n : {r.from_revision(), r.to_revision()}) {
      if (n > 0 && !access->CanSeeRevision(plan.plan, n)) {
        return errors::NotFound("Revision", internal::RevisionName(id, n));
      }
    }
    ASSIGN_OR_RETURN(v1::PlanContent from, internal::ContentOf(tx, id, r.from_revision()));
    ASSIGN_OR_RETURN(v1::PlanContent to, internal::ContentOf(tx, id, r.to_revision()));
    out = DiffPlans(r.from_revision(), from, r.to_revision(), to);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::plans

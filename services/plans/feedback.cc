// Feedback on a plan's revisions: CreateFeedback, ListFeedback,
// ResolveFeedback, ReopenFeedback.
//
// Who sees feedback is CohortAccess::CanSeeFeedback: staff all of it, owners
// and cohort mates the COHORT feedback on revisions they may read. Feedback a
// caller may not see is NOT_FOUND, exactly like feedback that does not exist.
#include <string>
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
#include "services/plans/plans.h"
#include "services/plans/plans_errors.h"
#include "services/plans/plans_store.h"

namespace kaizen::plans {

using internal::PlanId;
using internal::Violations;

namespace {

v1::Feedback PresentFeedback(const FeedbackRecord& record) {
  v1::Feedback out = record.feedback;
  out.set_etag(MakeEtag(out.name(), record.revision));
  return out;
}

// Staff give feedback with either visibility; owners reply, visible to the
// cohort; cohort mates only read.
absl::Status CheckMayGiveFeedback(const CohortAccess& access, const v1::Plan& plan,
                                  v1::Feedback::Visibility visibility) {
  if (access.staff()) return absl::OkStatus();
  if (!access.IsOwner(plan)) return StaffOnly("give feedback on someone else's plan");
  if (visibility == v1::Feedback::STAFF) return StaffOnly("give feedback visible only to staff");
  return absl::OkStatus();
}

// The feedback named `id` if the caller may see it, and whether they may
// change it (owners and staff). A cohort mate who can see it is refused with
// NOT_PLAN_OWNER: like the practice log, resolving is the plan's owners'
// business (staff aside), and the caller is a participant whose plan it is
// not.
absl::StatusOr<FeedbackRecord> LoadFeedbackToChange(PlansTx& tx, const PlanId& plan_id,
                                                    const std::string& id, const std::string& name,
                                                    const CohortAccess& access,
                                                    absl::string_view what) {
  ASSIGN_OR_RETURN(PlanRecord plan, internal::LoadVisiblePlan(tx, plan_id, access));
  ASSIGN_OR_RETURN(FeedbackRecord rec, tx.GetFeedback(plan_id.cohort_id, plan_id.plan_id, id));
  if (!access.CanSeeFeedback(plan.plan, rec.feedback)) return errors::NotFound("Feedback", name);
  if (access.ViewOf(plan.plan) != PlanView::kFull) return NotPlanOwner(what);
  return rec;
}

}  // namespace

absl::StatusOr<v1::Feedback> Plans::CreateFeedback(const Principal& caller,
                                                   const v1::CreateFeedbackRequest& r) {
  ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("parent", r.parent()));
  const v1::Feedback& in = r.feedback();
  Violations v;
  if (in.revision() < 1) v.Add("feedback.revision", "must name a revision (1 or more)");
  v.Check(ValidateText("feedback.field", in.field(), 0, 200, false));
  v.Check(ValidateText("feedback.text", in.text(), 1, 4000, true));
  if (!v1::Feedback::Visibility_IsValid(in.visibility())) {
    v.Add("feedback.visibility", "must be COHORT or STAFF");
  }
  internal::CheckRequestId(v, r.request_id());
  RETURN_IF_ERROR(v.Result());
  const v1::Feedback::Visibility visibility =
      in.visibility() == v1::Feedback::VISIBILITY_UNSPECIFIED ? v1::Feedback::COHORT
                                                              : in.visibility();
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));

  const absl::Time now = clock_->Now();
  const std::string scope =
      absl::StrCat("CreateFeedback\x1f", caller.subject(), "\x1f", r.parent());
  v1::Feedback out;
  RETURN_IF_ERROR(store_->Write([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord plan, internal::LoadVisiblePlan(tx, id, *access));
    RETURN_IF_ERROR(CheckMayGiveFeedback(*access, plan.plan, visibility));
    // The scope is per caller and plan; a replay still has to be feedback
    // the caller may see now (their access may have changed since).
    ASSIGN_OR_RETURN(auto replayed, internal::Replayed(tx, scope, r.request_id(), r));
    if (replayed.has_value()) {
      ASSIGN_OR_RETURN(auto name, internal::ParseFeedbackName("name", *replayed));
      ASSIGN_OR_RETURN(FeedbackRecord rec, tx.GetFeedback(id.cohort_id, id.plan_id, name.second));
      if (!access->CanSeeFeedback(plan.plan, rec.feedback)) {
        return errors::NotFound("Feedback", *replayed);
      }
      out = PresentFeedback(rec);
      return absl::OkStatus();
    }
    // Named as the API names revisions ("r{n}"), whatever the store says.
    const std::string revision_name = internal::RevisionName(id, in.revision());
    if (!access->CanSeeRevision(plan.plan, in.revision())) {
      return errors::NotFound("Revision", revision_name);
    }
    absl::StatusOr<RevisionRecord> rev = tx.GetRevision(id.cohort_id, id.plan_id, in.revision());
    if (absl::IsNotFound(rev.status())) return errors::NotFound("Revision", revision_name);
    RETURN_IF_ERROR(rev.status());
    if (!in.action_id().empty() && !internal::HasAction(rev->revision.content(), in.action_id())) {
      return UnknownAction("feedback.action_id");
    }
    FeedbackRecord rec;
    rec.cohort_id = id.cohort_id;
    rec.plan_id = id.plan_id;
    rec.id = NewId();
    v1::Feedback& f = rec.feedback;
    f.set_name(internal::FeedbackName(id, rec.id));
    f.set_revision(in.revision());
    f.set_action_id(in.action_id());
    f.set_field(TrimSpaces(in.field()));
    f.set_text(TrimSpaces(in.text()));
    f.set_visibility(visibility);
    f.set_author(access->author());
    f.set_author_display_name(access->author_display_name());
    *f.mutable_create_time() = ToProtoTimestamp(now);
    RETURN_IF_ERROR(tx.InsertFeedback(&rec));
    RETURN_IF_ERROR(internal::Remember(tx, scope, r.request_id(), r, f.name(), now));
    out = PresentFeedback(rec);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::ListFeedbackResponse> Plans::ListFeedback(const Principal& caller,
                                                             const v1::ListFeedbackRequest& r) {
  ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("parent", r.parent()));
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(r.page_size(), internal::kDefaultPageSize,
                                                    internal::kMaxPageSize));
  const std::string fingerprint = absl::StrCat("feedback\x1f", r.parent());
  int64_t after_seq = 0;
  if (!r.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position, page_tokens_.Decode(fingerprint, r.page_token()));
    if (!absl::SimpleAtoi(position, &after_seq)) {
      return errors::InvalidField("page_token", "is not valid", "INVALID_PAGE_TOKEN");
    }
  }
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  v1::ListFeedbackResponse out;
  RETURN_IF_ERROR(store_->Read([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord plan, internal::LoadVisiblePlan(tx, id, *access));
    // Visibility filters rows, so read in batches until one more visible
    // item than the page holds is found or the feedback runs out.
    std::vector<FeedbackRecord> visible;
    int64_t position = after_seq;
    while (static_cast<int>(visible.size()) <= page_size) {
      ASSIGN_OR_RETURN(auto rows,
                       tx.ListFeedback(id.cohort_id, id.plan_id, position, page_size + 1));
      for (FeedbackRecord& rec : rows) {
        position = rec.seq;
        if (access->CanSeeFeedback(plan.plan, rec.feedback)) visible.push_back(std::move(rec));
      }
      if (static_cast<int>(rows.size()) <= page_size) break;
    }
    const bool more = static_cast<int>(visible.size()) > page_size;
    if (more) visible.resize(page_size);
    for (const FeedbackRecord& rec : visible) *out.add_feedback() = PresentFeedback(rec);
    if (more) {
      out.set_next_page_token(page_tokens_.Encode(fingerprint, absl::StrCat(visible.back().seq)));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Feedback> Plans::ResolveFeedback(const Principal& caller,
                                                    const v1::ResolveFeedbackRequest& r) {
  ASSIGN_OR_RETURN(auto name, internal::ParseFeedbackName("name", r.name()));
  const PlanId& id = name.first;
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  const absl::Time now = clock_->Now();
  v1::Feedback out;
  RETURN_IF_ERROR(store_->Write([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(FeedbackRecord rec, LoadFeedbackToChange(tx, id, name.second, r.name(),
                                                              *access, "resolve feedback"));
    RETURN_IF_ERROR(CheckEtag(rec.feedback.name(), rec.revision, r.etag()));
    if (rec.feedback.resolved()) return AlreadyResolved();
    rec.feedback.set_resolved(true);
    *rec.feedback.mutable_resolve_time() = ToProtoTimestamp(now);
    RETURN_IF_ERROR(tx.UpdateFeedback(&rec));
    out = PresentFeedback(rec);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Feedback> Plans::ReopenFeedback(const Principal& caller,
                                                   const v1::ReopenFeedbackRequest& r) {
  ASSIGN_OR_RETURN(auto name, internal::ParseFeedbackName("name", r.name()));
  const PlanId& id = name.first;
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  v1::Feedback out;
  RETURN_IF_ERROR(store_->Write([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(FeedbackRecord rec, LoadFeedbackToChange(tx, id, name.second, r.name(),
                                                              *access, "reopen feedback"));
    RETURN_IF_ERROR(CheckEtag(rec.feedback.name(), rec.revision, r.etag()));
    if (!rec.feedback.resolved()) return NotResolved();
    rec.feedback.set_resolved(false);
    rec.feedback.clear_resolve_time();
    RETURN_IF_ERROR(tx.UpdateFeedback(&rec));
    out = PresentFeedback(rec);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::plans

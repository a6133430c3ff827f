// The practice log and outcomes beside the plan: CreatePracticeEntry,
// ListPracticeEntries, GetPlanOutcomes. All three are for the plan's owners
// (and, for reading, the cohort's staff); a cohort mate who may see the plan
// is refused with NOT_PLAN_OWNER, anyone else gets NOT_FOUND.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/clock.h"
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

constexpr kaizen::type::Wall kWalls[] = {kaizen::type::PEERS, kaizen::type::SENIORS_AND_BOSSES, kaizen::type::EXECUTIVES,
                               kaizen::type::HR_EVALUATION};

int32_t DayOf(const google::type::Date& d) {
  return static_cast<int32_t>(d.year() * 10000 + d.month() * 100 + d.day());
}

// Page positions are "day:seq" inside the signed token.
std::string EncodePosition(const PracticeRecord& rec) {
  return absl::StrCat(DayOf(rec.entry.date()), ":", rec.seq);
}

absl::StatusOr<PracticePosition> DecodePosition(const std::string& position) {
  std::vector<std::string> parts = absl::StrSplit(position, ':');
  PracticePosition p;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &p.day) ||
      !absl::SimpleAtoi(parts[1], &p.seq)) {
    return errors::InvalidField("page_token", "is not valid", "INVALID_PAGE_TOKEN");
  }
  return p;
}

}  // namespace

absl::StatusOr<v1::PracticeEntry> Plans::CreatePracticeEntry(
    const Principal& caller, const v1::CreatePracticeEntryRequest& r) {
  ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("parent", r.parent()));
  const v1::PracticeEntry& in = r.entry();
  const absl::Time now = clock_->Now();
  Violations v;
  if (in.action_id().empty()) v.Add("entry.action_id", "is required");
  if (!in.has_date()) {
    v.Add("entry.date", "is required");
  } else {
    const absl::Status date = ValidateDate("entry.date", in.date());
    v.Check(date);
    // "Today" is the participants' calendar day, whatever the server's zone.
    const absl::CivilDay today = absl::ToCivilDay(now, TokyoTimeZone());
    if (date.ok() && absl::CivilDay(in.date().year(), in.date().month(), in.date().day()) > today) {
      v.Check(DateInFuture("entry.date"));
    }
  }
  v.Check(ValidateText("entry.done", in.done(), 1, 2000, true));
  v.Check(ValidateText("entry.result", in.result(), 0, 2000, true));
  v.Check(ValidateText("entry.gap", in.gap(), 0, 2000, true));
  internal::CheckRequestId(v, r.request_id());
  RETURN_IF_ERROR(v.Result());
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));

  const std::string scope =
      absl::StrCat("CreatePracticeEntry\x1f", caller.subject(), "\x1f", r.parent());
  v1::PracticeEntry out;
  RETURN_IF_ERROR(store_->Write([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord plan, internal::LoadVisiblePlan(tx, id, *access));
    if (!access->IsOwner(plan.plan)) return NotPlanOwner("keep the practice log");
    // Before the action check: a retry returns the first entry even if the
    // action has since left the draft.
    ASSIGN_OR_RETURN(auto replayed, internal::Replayed(tx, scope, r.request_id(), r));
    if (replayed.has_value()) {
      // Entries are immutable and only ever listed, so find it in the log.
      ASSIGN_OR_RETURN(auto entries,
                       tx.ListPracticeEntries(id.cohort_id, id.plan_id, std::nullopt, 0));
      for (const PracticeRecord& e : entries) {
        if (e.entry.name() == *replayed) {
          out = e.entry;
          return absl::OkStatus();
        }
      }
      return errors::NotFound("PracticeEntry", *replayed);
    }
    if (!internal::HasAction(plan.plan.draft(), in.action_id())) {
      return UnknownAction("entry.action_id");
    }
    PracticeRecord rec;
    rec.cohort_id = id.cohort_id;
    rec.plan_id = id.plan_id;
    rec.id = NewId();
    v1::PracticeEntry& e = rec.entry;
    e.set_name(internal::PracticeName(id, rec.id));
    e.set_action_id(in.action_id());
    *e.mutable_date() = in.date();
    e.set_done(TrimSpaces(in.done()));
    e.set_result(TrimSpaces(in.result()));
    e.set_gap(TrimSpaces(in.gap()));
    e.set_author(access->author());
    *e.mutable_create_time() = ToProtoTimestamp(now);
    RETURN_IF_ERROR(tx.InsertPracticeEntry(&rec));
    RETURN_IF_ERROR(internal::Remember(tx, scope, r.request_id(), r, e.name(), now));
    out = e;
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::ListPracticeEntriesResponse> Plans::ListPracticeEntries(
    const Principal& caller, const v1::ListPracticeEntriesRequest& r) {
  ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("parent", r.parent()));
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(r.page_size(), internal::kDefaultPageSize,
                                                    internal::kMaxPageSize));
  const std::string fingerprint = absl::StrCat("practice\x1f", r.parent());
  std::optional<PracticePosition> after;
  if (!r.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position, page_tokens_.Decode(fingerprint, r.page_token()));
    ASSIGN_OR_RETURN(after, DecodePosition(position));
  }
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  v1::ListPracticeEntriesResponse out;
  RETURN_IF_ERROR(store_->Read([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord plan, internal::LoadVisiblePlan(tx, id, *access));
    if (access->ViewOf(plan.plan) != PlanView::kFull) return NotPlanOwner("see the practice log");
    ASSIGN_OR_RETURN(auto rows,
                     tx.ListPracticeEntries(id.cohort_id, id.plan_id, after, page_size + 1));
    const bool more = static_cast<int>(rows.size()) > page_size;
    if (more) rows.resize(page_size);
    for (const PracticeRecord& rec : rows) *out.add_entries() = rec.entry;
    if (more)
      out.set_next_page_token(page_tokens_.Encode(fingerprint, EncodePosition(rows.back())));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::PlanOutcomes> Plans::GetPlanOutcomes(const Principal& caller,
                                                        const v1::GetPlanOutcomesRequest& r) {
  ASSIGN_OR_RETURN(PlanId id, internal::ParsePlanName("name", r.name()));
  ASSIGN_OR_RETURN(auto access, CohortAccess::Fetch(*roster_, id.cohort_name(), caller));
  v1::Plan plan;
  RETURN_IF_ERROR(store_->Read([&](PlansTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PlanRecord rec, internal::LoadVisiblePlan(tx, id, *access));
    if (access->ViewOf(rec.plan) != PlanView::kFull) {
      return NotPlanOwner("see the plan's outcomes");
    }
    plan = std::move(rec.plan);
    return absl::OkStatus();
  }));
  // The survey source is asked outside the transaction, so a slow survey
  // service never holds a database connection. Its errors (UNAVAILABLE)
  // pass through: scores that cannot be read are not shown as "no data".
  const bool available = outcomes_->available();
  v1::PlanOutcomes out;
  out.set_plan(plan.name());
  out.set_source_available(available);
  for (const std::string& owner : plan.owners()) {
    std::map<kaizen::type::Wall, WallScores> scores;
    // A survey profile is personal: staff see every owner's scores, an owner
    // only their own (a team mate's walls show the actions, no scores).
    const bool own = access->self() != nullptr && access->self()->participant() == owner;
    if (available && (access->staff() || own)) {
      ASSIGN_OR_RETURN(scores, outcomes_->WallScoresOf(owner));
    }
    v1::OwnerOutcomes* o = out.add_owners();
    o->set_owner(owner);
    for (const kaizen::type::Wall wall : kWalls) {
      v1::WallOutcome* w = o->add_walls();
      w->set_wall(wall);
      for (const v1::Action& a : plan.draft().actions()) {
        if (a.target_result() == wall) w->add_action_ids(a.id());
      }
      auto it = scores.find(wall);
      if (it == scores.end()) continue;
      const WallScores& s = it->second;
      if (s.pre.has_value()) {
        w->set_has_pre(true);
        w->set_pre(*s.pre);
      }
      if (s.follow_up_6.has_value()) {
        w->set_has_follow_up_6(true);
        w->set_follow_up_6(*s.follow_up_6);
      }
      if (s.follow_up_12.has_value()) {
        w->set_has_follow_up_12(true);
        w->set_follow_up_12(*s.follow_up_12);
      }
    }
  }
  return out;
}

}  // namespace kaizen::plans

#include "services/plans/internal.h"

#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/request_ids.h"
#include "common/util/clock.h"
#include "common/util/etag.h"
#include "common/util/ids.h"
#include "common/util/resource_name.h"
#include "common/validation/validation.h"
#include "services/plans/plan_diff.h"
#include "services/plans/plans_errors.h"

namespace kaizen::plans::internal {

std::string PlanId::name() const { return absl::StrCat("cohorts/", cohort_id, "/plans/", plan_id); }

std::string RevisionName(const PlanId& plan, int64_t number) {
  return absl::StrCat(plan.name(), "/revisions/r", number);
}

std::string FeedbackName(const PlanId& plan, const std::string& id) {
  return absl::StrCat(plan.name(), "/feedback/", id);
}

std::string PracticeName(const PlanId& plan, const std::string& id) {
  return absl::StrCat(plan.name(), "/practice/", id);
}

absl::StatusOr<std::string> ParseCohortName(absl::string_view field, absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts"}));
  return ids[0];
}

absl::StatusOr<PlanId> ParsePlanName(absl::string_view field, absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts", "plans"}));
  return PlanId{ids[0], ids[1]};
}

absl::StatusOr<std::pair<PlanId, int64_t>> ParseRevisionName(absl::string_view field,
                                                             absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts", "plans", "revisions"}));
  int64_t number = 0;
  const std::string& rev = ids[2];
  if (rev.size() < 2 || rev[0] != 'r' || !absl::SimpleAtoi(rev.substr(1), &number) ||
      number < 1 || rev.substr(1) != absl::StrCat(number)) {
    return errors::InvalidField(field,
                                "must be cohorts/{cohort}/plans/{plan}/revisions/r{number}",
                                "INVALID_NAME");
  }
  return std::make_pair(PlanId{ids[0], ids[1]}, number);
}

absl::StatusOr<std::pair<PlanId, std::string>> ParseFeedbackName(absl::string_view field,
                                                                 absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts", "plans", "feedback"}));
  return std::make_pair(PlanId{ids[0], ids[1]}, ids[2]);
}

void CheckRequestId(Violations& v, const std::string& request_id) {
  if (request_id.size() > kMaxRequestIdLength) {
    v.Add("request_id", "must be at most 64 characters");
  }
}

namespace {

bool KnownWall(kaizen::type::Wall w) { return w >= kaizen::type::PEERS && w <= kaizen::type::HR_EVALUATION; }

}  // namespace

void CheckContent(Violations& v, const std::string& prefix, const v1::PlanContent& c) {
  v.Check(ValidateText(prefix + ".vision", c.vision(), 0, 4000, true));
  // Count limits first, then only the first items of an over-long list are
  // checked, so a huge list is one violation, not one per item.
  if (c.walls_size() > kMaxWalls) {
    v.Add(prefix + ".walls", "must be at most 4 (one statement per wall)");
  }
  std::set<int> walls;
  for (int i = 0; i < c.walls_size() && i < kMaxWalls; ++i) {
    const std::string f = absl::StrCat(prefix, ".walls[", i, "]");
    const v1::WallStatement& w = c.walls(i);
    if (!KnownWall(w.wall())) {
      v.Add(f + ".wall", "must be PEERS, SENIORS_AND_BOSSES, EXECUTIVES or HR_EVALUATION");
    } else if (!walls.insert(w.wall()).second) {
      v.Check(DuplicateId(f + ".wall"));
    }
    v.Check(ValidateText(f + ".text", w.text(), 0, 2000, true));
  }
  if (c.actions_size() > kMaxActions) {
    v.Add(prefix + ".actions", absl::StrCat("must be at most ", kMaxActions));
  }
  std::set<std::string> ids;
  for (int i = 0; i < c.actions_size() && i < kMaxActions; ++i) {
    const std::string f = absl::StrCat(prefix, ".actions[", i, "]");
    const v1::Action& a = c.actions(i);
    if (!IsValidResourceId(a.id())) {
      v.Add(f + ".id", "must be 1-63 chars of a-z, 0-9 and '-', starting with a letter");
    } else if (!ids.insert(a.id()).second) {
      v.Check(DuplicateId(f + ".id"));
    }
    v.Check(ValidateText(f + ".title", a.title(), 1, 200, false));
    v.Check(ValidateText(f + ".description", a.description(), 0, 4000, true));
    if (!KnownWall(a.target_result())) {
      v.Add(f + ".target_result",
            "must be PEERS, SENIORS_AND_BOSSES, EXECUTIVES or HR_EVALUATION");
    }
    if (a.stakeholders_size() > kMaxStakeholders) {
      v.Add(f + ".stakeholders", "must be at most 4 (each kind once)");
    }
    std::set<int> kinds;
    for (int k = 0; k < a.stakeholders_size() && k < kMaxStakeholders; ++k) {
      const v1::Stakeholder s = a.stakeholders(k);
      if (s < v1::PEERS_AROUND || s > v1::HR_DEPARTMENT) {
        v.Add(absl::StrCat(f, ".stakeholders[", k, "]"),
              "must be PEERS_AROUND, SENIORS_BOSSES, EXECUTIVE_TEAM or HR_DEPARTMENT");
      } else if (!kinds.insert(s).second) {
        v.Check(DuplicateId(absl::StrCat(f, ".stakeholders[", k, "]")));
      }
    }
    v.Check(ValidateText(f + ".timeframe", a.timeframe(), 0, 200, false));
    v.Check(ValidateText(f + ".indicator", a.indicator(), 0, 500, true));
    if (a.status() < v1::Action::STATUS_UNSPECIFIED || a.status() > v1::Action::DROPPED) {
      v.Add(f + ".status", "is not a known status");
    }
  }
  if (c.milestones_size() > kMaxMilestones) {
    v.Add(prefix + ".milestones", absl::StrCat("must be at most ", kMaxMilestones));
  }
  for (int i = 0; i < c.milestones_size() && i < kMaxMilestones; ++i) {
    const std::string f = absl::StrCat(prefix, ".milestones[", i, "]");
    v.Check(ValidateText(f + ".title", c.milestones(i).title(), 1, 200, false));
    if (c.milestones(i).has_target_date()) {
      v.Check(ValidateDate(f + ".target_date", c.milestones(i).target_date()));
    }
  }
}

bool IsKnownStage(v1::Stage stage) { return stage >= v1::INTERIM && stage <= v1::FINAL; }

int StageMeetingSequence(v1::Stage stage) {
  switch (stage) {
    case v1::INTERIM:
      return 6;
    case v1::FOLLOW_UP:
      return 7;
    case v1::FINAL:
      return 8;
    default:
      return 0;
  }
}

absl::StatusOr<std::optional<std::string>> Replayed(PlansTx& tx, const std::string& scope,
                                                    const std::string& request_id,
                                                    const google::protobuf::Message& request) {
  if (request_id.empty()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(auto prior, tx.LookupRequestId(scope, request_id));
  return storage::ResolveReplay(prior, request);
}

absl::Status Remember(PlansTx& tx, const std::string& scope, const std::string& request_id,
                      const google::protobuf::Message& request,
                      const std::string& resource_name, absl::Time now) {
  if (request_id.empty()) return absl::OkStatus();
  return tx.SaveRequestId(scope, request_id,
                          {storage::RequestFingerprint(request), resource_name}, now);
}

std::vector<std::string> CallerNames(const CohortAccess& access) {
  std::string self = access.author();
  if (self.empty()) return {};
  return {std::move(self)};
}

absl::StatusOr<PlanRecord> LoadVisiblePlan(PlansTx& tx, const PlanId& id,
                                           const CohortAccess& access) {
  RETURN_IF_ERROR(RequireNotPurged(tx, id.cohort_id, CallerNames(access)));
  ASSIGN_OR_RETURN(PlanRecord rec, tx.GetPlan(id.cohort_id, id.plan_id));
  if (access.ViewOf(rec.plan) == PlanView::kNone) return errors::NotFound("Plan", id.name());
  return rec;
}

absl::StatusOr<v1::PlanContent> ContentOf(PlansTx& tx, const PlanId& id, int64_t number) {
  if (number == 0) return v1::PlanContent();
  ASSIGN_OR_RETURN(RevisionRecord rev, tx.GetRevision(id.cohort_id, id.plan_id, number));
  return rev.revision.content();
}

namespace {

int32_t DayKey(absl::CivilDay d) {
  return static_cast<int32_t>(d.year() * 10000 + d.month() * 100 + d.day());
}

// FOLLOW_UP: actions practised since the INTERIM submission (by practice
// date, Asia/Tokyo) and the diff from the INTERIM revision.
absl::Status DecorateFollowUp(PlansTx& tx, const PlanId& id, const v1::StageVersion& interim,
                              v1::StageVersion& follow_up) {
  const absl::CivilDay since =
      absl::ToCivilDay(absl::FromUnixSeconds(interim.submit_time().seconds()), TokyoTimeZone());
  ASSIGN_OR_RETURN(auto entries, tx.ListPracticeEntries(id.cohort_id, id.plan_id,
                                                         std::nullopt, 0));
  ASSIGN_OR_RETURN(v1::PlanContent from, ContentOf(tx, id, interim.revision()));
  ASSIGN_OR_RETURN(v1::PlanContent to, ContentOf(tx, id, follow_up.revision()));
  // Only actions of the two presented revisions are named: the log also
  // holds actions that only ever lived in the draft, which cohort mates
  // must not learn of.
  std::set<std::string> presented;
  for (const v1::PlanContent* c : {&from, &to}) {
    for (const v1::Action& a : c->actions()) presented.insert(a.id());
  }
  std::set<std::string> practised;
  for (const PracticeRecord& e : entries) {
    const auto& d = e.entry.date();
    if (DayKey(absl::CivilDay(d.year(), d.month(), d.day())) >= DayKey(since) &&
        presented.count(e.entry.action_id()) > 0) {
      practised.insert(e.entry.action_id());
    }
  }
  follow_up.clear_practised_actions();
  for (const std::string& a : practised) follow_up.add_practised_actions(a);
  *follow_up.mutable_since_interim() =
      DiffPlans(interim.revision(), from, follow_up.revision(), to);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Plan> PresentPlan(PlansTx& tx, const PlanRecord& record,
                                     const CohortAccess& access) {
  const PlanId id{record.cohort_id, record.id};
  v1::Plan plan = record.plan;
  plan.set_etag(MakeEtag(plan.name(), record.revision));
  const PlanView view = access.ViewOf(plan);
  if (view == PlanView::kFull) {
    ASSIGN_OR_RETURN(v1::PlanContent latest, ContentOf(tx, id, plan.latest_revision()));
    plan.set_draft_changed(!SameContent(latest, plan.draft()));
  } else {
    plan.clear_draft();
    plan.clear_latest_revision();
    plan.clear_draft_changed();
    // The presented stages without the secretariat's side of a late one:
    // its reason (often about a person's circumstances; partners never get
    // it either) and the staff account that submitted it.
    for (auto& s : *plan.mutable_stages()) {
      s.clear_late_reason();
      if (s.late()) s.clear_submitted_by();
    }
  }
  const v1::StageVersion* interim = nullptr;
  for (const auto& s : plan.stages()) {
    if (s.stage() == v1::INTERIM) interim = &s;
  }
  if (interim != nullptr) {
    const v1::StageVersion interim_copy = *interim;
    for (auto& s : *plan.mutable_stages()) {
      if (s.stage() == v1::FOLLOW_UP) RETURN_IF_ERROR(DecorateFollowUp(tx, id, interim_copy, s));
    }
  }
  return plan;
}

bool HasAction(const v1::PlanContent& content, const std::string& action_id) {
  for (const v1::Action& a : content.actions()) {
    if (a.id() == action_id) return true;
  }
  return false;
}

}  // namespace kaizen::plans::internal

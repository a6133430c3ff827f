// Plans, the draft, revisions and stage versions, through the domain class
// on in-memory SQLite with fake enrollment and scheduling.
#include <atomic>
#include <thread>
#include <vector>

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/plans/plans.h"
#include "services/plans/plans_store.h"
#include "services/plans/plans_test_util.h"

namespace kaizen::plans {
namespace plans_test {

using namespace ::kaizen::plans::testing;  // NOLINT
using Code = absl::StatusCode;

v1::GetPlanRequest Get(const std::string& name) {
  v1::GetPlanRequest r;
  r.set_name(name);
  return r;
}

class PlansDomainTest : public PlansTest {
 protected:
  v1::Plan Read(const Principal& p, const std::string& name) {
    auto plan = plans_->GetPlan(p, Get(name));
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : v1::Plan();
  }

  absl::StatusOr<v1::Plan> EditVision(const Principal& p, const v1::Plan& plan,
                                      const std::string& vision) {
    v1::UpdatePlanRequest u;
    u.mutable_plan()->set_name(plan.name());
    u.mutable_plan()->set_etag(plan.etag());
    u.mutable_plan()->mutable_draft()->set_vision(vision);
    u.mutable_update_mask()->add_paths("draft.vision");
    return plans_->UpdatePlan(p, u);
  }

  absl::StatusOr<v1::Plan> Submit(const Principal& p, const std::string& name, v1::Stage stage,
                                  int64_t revision = 0, const std::string& late_reason = "") {
    auto plan = plans_->GetPlan(p, Get(name));
    v1::SubmitStageRequest s;
    s.set_name(name);
    s.set_stage(stage);
    s.set_revision(revision);
    s.set_etag(plan.ok() ? plan->etag() : "stale");
    s.set_late_reason(late_reason);
    return plans_->SubmitStage(p, s);
  }
};

TEST_F(PlansDomainTest, ParticipantCreatesOwnPlanWithJapaneseDraft) {
  const v1::Plan plan = CreateFor(1);
  EXPECT_EQ(plan.owners_size(), 1);
  EXPECT_EQ(plan.owners(0), Person("p1"));
  EXPECT_EQ(plan.title(), "旗手への5年計画");
  EXPECT_EQ(plan.draft().actions(0).title(), "係内で小さな改善を毎月一つ共有する");
  EXPECT_EQ(plan.latest_revision(), 0);
  EXPECT_TRUE(plan.draft_changed());
  EXPECT_FALSE(plan.etag().empty());
}

TEST_F(PlansDomainTest, OnlyOrganisersCreateTeamPlans) {
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("松阪チームの計画");
  r.mutable_plan()->add_owners(Person("p1"));
  r.mutable_plan()->add_owners(Person("p2"));
  EXPECT_EQ(errors::Reason(plans_->CreatePlan(Participant(1), r).status()), "ORGANISER_ONLY");
  EXPECT_EQ(errors::Reason(plans_->CreatePlan(Advisor(), r).status()), "ORGANISER_ONLY");
  auto team = plans_->CreatePlan(Navigator(), r);
  ASSERT_TRUE(team.ok()) << team.status();
  EXPECT_EQ(team->owners_size(), 2);
  // Both team members edit it.
  EXPECT_TRUE(EditVision(Participant(2), *team, "チームで改善を広げる").ok());

  r.mutable_plan()->set_owners(1, Person("navigator"));
  auto bad = plans_->CreatePlan(Secretariat(), r);
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(errors::Reason(bad.status()), "NOT_ON_ROSTER");
  EXPECT_EQ(errors::GetBadRequest(bad.status())->field_violations(0).field(), "plan.owners[1]");
}

TEST_F(PlansDomainTest, StrangersAndPartnersCannotCreateOrSee) {
  const v1::Plan plan = CreateFor(1);
  // Not on the roster: refused as for a cohort that does not exist.
  EXPECT_EQ(errors::Reason(plans_->GetPlan(Stranger(), Get(plan.name())).status()),
            "NOT_ON_ROSTER");
  const Principal partner = testkit::PartnerHr("242047");
  EXPECT_EQ(errors::Reason(plans_->GetPlan(partner, Get(plan.name())).status()), "NOT_ON_ROSTER");
  // A service reads the roster but sees no plan.
  EXPECT_EQ(plans_->GetPlan(testkit::Service("survey"), Get(plan.name())).status().code(),
            Code::kNotFound);
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("x");
  EXPECT_EQ(errors::Reason(plans_->CreatePlan(Stranger(), r).status()), "NOT_ON_ROSTER");
}

TEST_F(PlansDomainTest, BadDraftNamesEveryBadField) {
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("");
  *r.mutable_plan()->mutable_draft() = SampleContent();
  r.mutable_plan()->mutable_draft()->mutable_actions(1)->set_id("a1");
  r.mutable_plan()->mutable_draft()->mutable_actions(0)->set_target_result(kaizen::type::WALL_UNSPECIFIED);
  auto s = plans_->CreatePlan(Participant(1), r).status();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  std::vector<std::string> fields;
  const auto bad = errors::GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  for (const auto& v : bad->field_violations()) fields.push_back(v.field());
  EXPECT_EQ(fields, (std::vector<std::string>{"plan.title", "plan.draft.actions[0].target_result",
                                              "plan.draft.actions[1].id"}));
}

TEST_F(PlansDomainTest, CohortMatesSeeOnlyPresentedStages) {
  const v1::Plan plan = CreateFor(1);
  EXPECT_EQ(plans_->GetPlan(Participant(3), Get(plan.name())).status().code(), Code::kNotFound);
  const v1::Revision r1 = Commit(Participant(1), plan.name());
  ASSERT_TRUE(Submit(Participant(1), plan.name(), v1::INTERIM).ok());
  EditVision(Participant(1), Read(Participant(1), plan.name()), "下書きの秘密").IgnoreError();
  const v1::Plan seen = Read(Participant(3), plan.name());
  EXPECT_FALSE(seen.has_draft());
  EXPECT_EQ(seen.latest_revision(), 0);
  ASSERT_EQ(seen.stages_size(), 1);
  EXPECT_EQ(seen.stages(0).revision(), r1.number());
  // Staff see the draft.
  EXPECT_EQ(Read(Observer(), plan.name()).draft().vision(), "下書きの秘密");
  // Mates see the presented revision, not others.
  Commit(Participant(1), plan.name());
  v1::GetRevisionRequest g;
  g.set_name(r1.name());
  EXPECT_TRUE(plans_->GetRevision(Participant(3), g).ok());
  g.set_name(plan.name() + "/revisions/r2");
  EXPECT_EQ(plans_->GetRevision(Participant(3), g).status().code(), Code::kNotFound);
  v1::ListRevisionsRequest list;
  list.set_parent(plan.name());
  auto mine = plans_->ListRevisions(Participant(1), list);
  auto theirs = plans_->ListRevisions(Participant(3), list);
  ASSERT_TRUE(mine.ok() && theirs.ok());
  EXPECT_EQ(mine->revisions_size(), 2);
  ASSERT_EQ(theirs->revisions_size(), 1);
  EXPECT_EQ(theirs->revisions(0).number(), 1);
  // Mates may not edit.
  EXPECT_EQ(errors::Reason(EditVision(Participant(3), seen, "x").status()), "NOT_PLAN_OWNER");
}

TEST_F(PlansDomainTest, ListPlansShowsWhatTheCallerMaySeePaged) {
  for (int n = 1; n <= 4; ++n) CreateFor(n, "計画" + std::to_string(n));
  v1::ListPlansRequest r;
  r.set_parent(kCohort);
  r.set_page_size(3);
  auto page1 = plans_->ListPlans(Navigator(), r);
  ASSERT_TRUE(page1.ok()) << page1.status();
  EXPECT_EQ(page1->plans_size(), 3);
  ASSERT_FALSE(page1->next_page_token().empty());
  r.set_page_token(page1->next_page_token());
  auto page2 = plans_->ListPlans(Navigator(), r);
  ASSERT_TRUE(page2.ok());
  EXPECT_EQ(page2->plans_size(), 1);
  EXPECT_TRUE(page2->next_page_token().empty());
  EXPECT_EQ(page2->plans(0).title(), "計画4");
  r.clear_page_token();
  auto own = plans_->ListPlans(Participant(2), r);
  ASSERT_TRUE(own.ok());
  ASSERT_EQ(own->plans_size(), 1);
  EXPECT_EQ(own->plans(0).title(), "計画2");
  r.set_page_token(page1->next_page_token());
  EXPECT_EQ(plans_->ListPlans(Participant(2), r).status().code(), Code::kOk);
  r.set_parent("cohorts/other");
  EXPECT_EQ(errors::Reason(plans_->ListPlans(Navigator(), r).status()), "INVALID_PAGE_TOKEN");
  EXPECT_EQ(errors::Reason(plans_->ListPlans(Stranger(), [] {
                             v1::ListPlansRequest l;
                             l.set_parent(kCohort);
                             return l;
                           }()).status()),
            "NOT_ON_ROSTER");
}

TEST_F(PlansDomainTest, StaleEtagIsAbortedAndChangesNothing) {
  const v1::Plan plan = CreateFor(1);
  ASSERT_TRUE(EditVision(Participant(1), plan, "一回目").ok());
  auto stale = EditVision(Participant(1), plan, "二回目");
  EXPECT_EQ(stale.status().code(), Code::kAborted);
  EXPECT_EQ(Read(Participant(1), plan.name()).draft().vision(), "一回目");
}

// Two editors of one team plan at once, many times: per round exactly one
// write wins, the other is ABORTED, and no acknowledged write is lost.
TEST_F(PlansDomainTest, TwoEditorsOfOneTeamPlanRace) {
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("チーム計画");
  r.mutable_plan()->add_owners(Person("p1"));
  r.mutable_plan()->add_owners(Person("p2"));
  auto team = plans_->CreatePlan(Navigator(), r);
  ASSERT_TRUE(team.ok());
  for (int round = 0; round < 20; ++round) {
    const v1::Plan before = Read(Participant(1), team->name());
    std::atomic<int> ok{0}, aborted{0};
    std::string winner;
    std::vector<std::thread> editors;
    for (int who = 1; who <= 2; ++who) {
      editors.emplace_back([&, who] {
        const std::string text = "round " + std::to_string(round) + " by p" + std::to_string(who);
        auto s = EditVision(Participant(who), before, text);
        if (s.ok()) {
          ++ok;
          winner = text;
        } else if (s.status().code() == Code::kAborted) {
          ++aborted;
        }
      });
    }
    for (auto& t : editors) t.join();
    EXPECT_EQ(ok.load(), 1) << "round " << round;
    EXPECT_EQ(aborted.load(), 1) << "round " << round;
    EXPECT_EQ(Read(Participant(2), team->name()).draft().vision(), winner);
  }
}

TEST_F(PlansDomainTest, CommitRestoreKeepFullHistory) {
  const v1::Plan plan = CreateFor(1);
  const v1::Revision r1 = Commit(Participant(1), plan.name(), "最初の版");
  EXPECT_EQ(r1.number(), 1);
  EXPECT_EQ(r1.parent(), 0);
  EXPECT_EQ(r1.author(), Person("p1"));
  EXPECT_EQ(r1.name(), plan.name() + "/revisions/r1");
  // Unchanged draft: nothing to commit.
  v1::CommitRevisionRequest c;
  c.set_name(plan.name());
  c.set_etag(Read(Participant(1), plan.name()).etag());
  EXPECT_EQ(errors::Reason(plans_->CommitRevision(Participant(1), c).status()),
            "NOTHING_TO_COMMIT");
  ASSERT_TRUE(EditVision(Participant(1), Read(Participant(1), plan.name()), "書き直した").ok());
  EXPECT_TRUE(Read(Participant(1), plan.name()).draft_changed());
  const v1::Revision r2 = Commit(Participant(1), plan.name());
  EXPECT_EQ(r2.parent(), 1);
  EXPECT_FALSE(Read(Participant(1), plan.name()).draft_changed());

  v1::RestoreRevisionRequest restore;
  restore.set_name(r1.name());
  restore.set_etag(Read(Participant(1), plan.name()).etag());
  auto r3 = plans_->RestoreRevision(Participant(1), restore);
  ASSERT_TRUE(r3.ok()) << r3.status();
  EXPECT_EQ(r3->number(), 3);
  EXPECT_EQ(r3->restored_from(), 1);
  EXPECT_EQ(r3->content().vision(), SampleContent().vision());
  EXPECT_EQ(Read(Participant(1), plan.name()).draft().vision(), SampleContent().vision());
  v1::ListRevisionsRequest list;
  list.set_parent(plan.name());
  list.set_page_size(2);
  auto page = plans_->ListRevisions(Participant(1), list);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->revisions_size(), 2);
  EXPECT_EQ(page->revisions(0).number(), 3);
  list.set_page_token(page->next_page_token());
  page = plans_->ListRevisions(Participant(1), list);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->revisions_size(), 1);
  EXPECT_EQ(page->revisions(0).number(), 1);
  EXPECT_EQ(page->revisions(0).content().vision(), SampleContent().vision());  // untouched
}

TEST_F(PlansDomainTest, CommitIsIdempotentPerRequestId) {
  const v1::Plan plan = CreateFor(1);
  v1::CommitRevisionRequest c;
  c.set_name(plan.name());
  c.set_etag(plan.etag());
  c.set_request_id("commit-1");
  auto first = plans_->CommitRevision(Participant(1), c);
  ASSERT_TRUE(first.ok());
  auto again = plans_->CommitRevision(Participant(1), c);  // stale etag, same request id
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), first->name());
}

TEST_F(PlansDomainTest, DiffOfJapaneseRevisions) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());
  v1::UpdatePlanRequest u;
  u.mutable_plan()->set_name(plan.name());
  u.mutable_plan()->set_etag(Read(Participant(1), plan.name()).etag());
  v1::PlanContent next = SampleContent();
  next.mutable_actions(0)->set_title("係内で小さな改善を毎週一つ共有する");
  next.mutable_actions()->RemoveLast();
  u.mutable_plan()->mutable_draft()->CopyFrom(next);
  u.mutable_update_mask()->add_paths("draft");
  ASSERT_TRUE(plans_->UpdatePlan(Participant(1), u).ok());
  Commit(Participant(1), plan.name());
  v1::DiffRevisionsRequest d;
  d.set_name(plan.name());
  d.set_from_revision(1);
  d.set_to_revision(2);
  auto diff = plans_->DiffRevisions(Navigator(), d);
  ASSERT_TRUE(diff.ok()) << diff.status();
  ASSERT_EQ(diff->actions_size(), 2);
  EXPECT_EQ(diff->actions(0).kind(), v1::ActionChange::CHANGED);
  EXPECT_EQ(diff->actions(1).kind(), v1::ActionChange::REMOVED);
  bool found = false;
  for (const auto& t : diff->text()) {
    if (t.field() == "actions[a1].title") {
      found = true;
      EXPECT_EQ(t.rendered(), "係内で小さな改善を毎[-月-]{+週+}一つ共有する");
    }
  }
  EXPECT_TRUE(found);
  d.set_to_revision(9);
  EXPECT_EQ(plans_->DiffRevisions(Navigator(), d).status().code(), Code::kNotFound);
}

TEST_F(PlansDomainTest, StagesLockAtTheMeetingStart) {
  const v1::Plan plan = CreateFor(1);
  EXPECT_EQ(errors::Reason(Submit(Participant(1), plan.name(), v1::INTERIM).status()),
            "INVALID_FIELD");  // no revision yet
  Commit(Participant(1), plan.name());
  EXPECT_EQ(errors::Reason(Submit(Participant(1), plan.name(), v1::FOLLOW_UP).status()),
            "STAGE_OUT_OF_ORDER");
  auto interim = Submit(Participant(1), plan.name(), v1::INTERIM);
  ASSERT_TRUE(interim.ok()) << interim.status();
  ASSERT_EQ(interim->stages_size(), 1);
  EXPECT_EQ(interim->stages(0).meeting(), std::string(kCohort) + "/meetings/m6");
  EXPECT_FALSE(interim->stages(0).late());
  EXPECT_EQ(interim->stages(0).submitted_by(), Person("p1"));

  // One minute before the start: still open. At the start: locked.
  clock_.Set(Meeting6() - absl::Minutes(1));
  ASSERT_TRUE(EditVision(Participant(1), Read(Participant(1), plan.name()), "直前の修正").ok());
  Commit(Participant(1), plan.name());
  EXPECT_TRUE(Submit(Participant(1), plan.name(), v1::INTERIM).ok());
  clock_.Set(Meeting6());
  auto locked = Submit(Participant(1), plan.name(), v1::INTERIM, 1);
  EXPECT_EQ(locked.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(locked.status()), "STAGE_LOCKED");
  EXPECT_EQ(Read(Participant(1), plan.name()).stages(0).revision(), 2);

  // Late: only the secretariat, with a reason that is kept.
  EXPECT_EQ(errors::Reason(Submit(Secretariat(), plan.name(), v1::INTERIM, 1).status()),
            "LATE_REASON_REQUIRED");
  auto late = Submit(Secretariat(), plan.name(), v1::INTERIM, 1, "当日の発表資料に差し替え");
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_TRUE(late->stages(0).late());
  EXPECT_EQ(late->stages(0).late_reason(), "当日の発表資料に差し替え");
  EXPECT_EQ(late->stages(0).revision(), 1);
  // The owner sees it all; a cohort mate sees that it was late, not why or
  // by which staff account.
  EXPECT_EQ(Read(Participant(1), plan.name()).stages(0).late_reason(), "当日の発表資料に差し替え");
  const v1::Plan seen = Read(Participant(3), plan.name());
  ASSERT_EQ(seen.stages_size(), 1);
  EXPECT_TRUE(seen.stages(0).late());
  EXPECT_EQ(seen.stages(0).late_reason(), "");
  EXPECT_EQ(seen.stages(0).submitted_by(), "");
}

TEST_F(PlansDomainTest, RescheduledMeetingMovesTheDeadline) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());
  ASSERT_TRUE(Submit(Participant(1), plan.name(), v1::INTERIM).ok());
  clock_.Set(Meeting7() + absl::Hours(1));
  EXPECT_EQ(errors::Reason(Submit(Participant(1), plan.name(), v1::FOLLOW_UP).status()),
            "STAGE_LOCKED");
  // Meeting 7 moves a week later: open again until the new start.
  meetings_.SetMeeting(ConfirmedMeeting(7, Meeting7() + absl::Hours(24 * 7)));
  auto follow_up = Submit(Participant(1), plan.name(), v1::FOLLOW_UP);
  ASSERT_TRUE(follow_up.ok()) << follow_up.status();
  EXPECT_EQ(follow_up->stages(1).stage(), v1::FOLLOW_UP);
  // A meeting without a confirmed time has no deadline yet.
  auto m8 = ConfirmedMeeting(8, Meeting8());
  m8.set_state(::kaizen::scheduling::v1::Meeting::POLLING);
  m8.clear_start_time();
  meetings_.SetMeeting(m8);
  EXPECT_EQ(errors::Reason(Submit(Participant(1), plan.name(), v1::FINAL).status()),
            "STAGE_MEETING_NOT_SCHEDULED");
}

TEST_F(PlansDomainTest, FollowUpShowsPracticeAndChangesSinceInterim) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());
  ASSERT_TRUE(Submit(Participant(1), plan.name(), v1::INTERIM).ok());
  clock_.Set(Tokyo(2023, 2, 1, 12));
  ASSERT_TRUE(store_->Write([&](PlansTx& tx) -> absl::Status {
    PracticeRecord e;
    e.cohort_id = "fy2022";
    e.plan_id = plan.name().substr(plan.name().rfind('/') + 1);
    e.id = "e1";
    e.entry.set_name(plan.name() + "/practice/e1");
    e.entry.set_action_id("a1");
    e.entry.mutable_date()->set_year(2023);
    e.entry.mutable_date()->set_month(1);
    e.entry.mutable_date()->set_day(20);
    e.entry.set_done("朝会で紹介した");
    return tx.InsertPracticeEntry(&e);
  }).ok());
  ASSERT_TRUE(EditVision(Participant(1), Read(Participant(1), plan.name()), "軌道修正後").ok());
  Commit(Participant(1), plan.name());
  auto follow_up = Submit(Participant(1), plan.name(), v1::FOLLOW_UP);
  ASSERT_TRUE(follow_up.ok()) << follow_up.status();
  const v1::StageVersion& f = follow_up->stages(1);
  ASSERT_EQ(f.practised_actions_size(), 1);
  EXPECT_EQ(f.practised_actions(0), "a1");
  EXPECT_EQ(f.since_interim().from_revision(), 1);
  EXPECT_EQ(f.since_interim().to_revision(), 2);
  ASSERT_GE(f.since_interim().text_size(), 1);
  EXPECT_EQ(f.since_interim().text(0).field(), "vision");
}

TEST_F(PlansDomainTest, SchedulingDownWritesNothing) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());
  const v1::Plan before = Read(Participant(1), plan.name());
  meetings_.SetUnavailable(true);
  auto s = Submit(Participant(1), plan.name(), v1::INTERIM);
  EXPECT_EQ(s.status().code(), Code::kUnavailable);
  EXPECT_EQ(errors::Reason(s.status()), "SCHEDULING_UNAVAILABLE");
  const v1::Plan after = Read(Participant(1), plan.name());
  EXPECT_EQ(after.etag(), before.etag());
  EXPECT_EQ(after.stages_size(), 0);
  roster_.SetUnavailable(true);
  EXPECT_EQ(errors::Reason(plans_->GetPlan(Participant(1), Get(plan.name())).status()),
            "ENROLLMENT_UNAVAILABLE");
}

TEST_F(PlansDomainTest, UpdateMaskIsChecked) {
  const v1::Plan plan = CreateFor(1);
  v1::UpdatePlanRequest u;
  u.mutable_plan()->set_name(plan.name());
  u.mutable_plan()->set_etag(plan.etag());
  u.mutable_update_mask()->add_paths("owners");
  EXPECT_EQ(errors::Reason(plans_->UpdatePlan(Participant(1), u).status()),
            "UPDATE_MASK_INVALID");
  u.mutable_update_mask()->set_paths(0, "title");
  u.mutable_plan()->set_title("新しい題名");
  auto updated = plans_->UpdatePlan(Participant(1), u);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->title(), "新しい題名");
  EXPECT_EQ(updated->draft().vision(), SampleContent().vision());  // untouched
  u.mutable_plan()->clear_etag();
  EXPECT_EQ(errors::GetBadRequest(plans_->UpdatePlan(Participant(1), u).status())
                ->field_violations(0)
                .field(),
            "plan.etag");
}

}  // namespace
}  // namespace kaizen::plans

// An adversarial review of the plans domain: authorisation leaks, stage
// rules at their edges, races, validation limits and malformed names. Each
// test states the rule it holds the service to; the ones marked "Defect"
// failed before the fix next to them.
#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/plans/plans.h"
#include "services/plans/plans_store.h"
#include "services/plans/plans_test_util.h"

namespace kaizen::plans::testing {
namespace review_test {

using Code = absl::StatusCode;

constexpr char kOtherCohort[] = "cohorts/fy2023";

// The code, ErrorInfo reason and (when given) the first BadRequest field.
void ExpectError(const absl::Status& s, Code code, const std::string& reason,
                 const std::string& field = "") {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_EQ(errors::Reason(s), reason) << s;
  if (!field.empty()) {
    auto bad = errors::GetBadRequest(s);
    ASSERT_TRUE(bad.has_value()) << s;
    ASSERT_GE(bad->field_violations_size(), 1) << s;
    EXPECT_EQ(bad->field_violations(0).field(), field) << s;
  }
}

class ReviewTest : public PlansTest {
 protected:
  void SetUp() override {
    PlansTest::SetUp();
    // A second cohort with one participant q1 (subject "user-q1") and no
    // meetings at all in scheduling.
    ev1::Roster other;
    other.set_cohort(kOtherCohort);
    auto* e = other.add_entries();
    e->set_participant(std::string(kOtherCohort) + "/participants/q1");
    e->set_display_name("別期 一郎");
    e->set_role(ev1::Participant::PARTICIPANT);
    e->set_subject("user-q1");
    roster_.SetRoster(other);
  }

  v1::Plan Read(const Principal& p, const std::string& name) {
    v1::GetPlanRequest g;
    g.set_name(name);
    auto plan = plans_->GetPlan(p, g);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : v1::Plan();
  }

  absl::StatusOr<v1::Plan> Update(const Principal& p, const v1::Plan& plan,
                                  const v1::PlanContent& draft) {
    v1::UpdatePlanRequest u;
    u.mutable_plan()->set_name(plan.name());
    u.mutable_plan()->set_etag(plan.etag());
    *u.mutable_plan()->mutable_draft() = draft;
    u.mutable_update_mask()->add_paths("draft");
    return plans_->UpdatePlan(p, u);
  }

  absl::StatusOr<v1::Plan> Submit(const Principal& p, const std::string& name, v1::Stage stage,
                                  int64_t revision = 0, const std::string& late_reason = "",
                                  const std::string& etag = "") {
    v1::SubmitStageRequest s;
    s.set_name(name);
    s.set_stage(stage);
    s.set_revision(revision);
    if (!etag.empty()) {
      s.set_etag(etag);
    } else {
      // The owner's view of the etag (staff and owners see the same one).
      v1::GetPlanRequest g;
      g.set_name(name);
      auto plan = plans_->GetPlan(Participant(1), g);
      s.set_etag(plan.ok() ? plan->etag() : "some-etag");
    }
    s.set_late_reason(late_reason);
    return plans_->SubmitStage(p, s);
  }

  // As owner p1: changes the vision of `plan`'s draft and commits it.
  void EditAndCommit(const v1::Plan& plan) {
    v1::PlanContent c = SampleContent();
    c.set_vision(absl::StrCat("改訂 ", Read(Participant(1), plan.name()).latest_revision()));
    ASSERT_TRUE(Update(Participant(1), Read(Participant(1), plan.name()), c).ok());
    Commit(Participant(1), plan.name());
  }

  v1::CreateFeedbackRequest FeedbackRequest(const std::string& plan, int64_t revision,
                                            v1::Feedback::Visibility visibility,
                                            const std::string& text = "良い計画です") {
    v1::CreateFeedbackRequest r;
    r.set_parent(plan);
    r.mutable_feedback()->set_revision(revision);
    r.mutable_feedback()->set_text(text);
    r.mutable_feedback()->set_visibility(visibility);
    return r;
  }

  v1::CreatePracticeEntryRequest PracticeRequest(const std::string& plan,
                                                 const std::string& action_id, int y, int m,
                                                 int d) {
    v1::CreatePracticeEntryRequest r;
    r.set_parent(plan);
    r.mutable_entry()->set_action_id(action_id);
    r.mutable_entry()->mutable_date()->set_year(y);
    r.mutable_entry()->mutable_date()->set_month(m);
    r.mutable_entry()->mutable_date()->set_day(d);
    r.mutable_entry()->set_done("実践した");
    return r;
  }

  // Every kind of outsider of kCohort: each must get exactly what a caller
  // gets for a plan that does not exist.
  static std::vector<Principal> Outsiders() {
    Principal staff_token_participant = Participant(3);  // on the roster as PARTICIPANT
    staff_token_participant.add_roles(kaizen::type::ROLE_ADVISOR);
    return {
        Stranger(),
        testkit::PartnerHr("242047"),
        testkit::Service("survey"),
        testkit::Service("plans"),
        testkit::Advisor("advisor-of-another-cohort"),
        testkit::Navigator("user-q1"),  // on another cohort's roster
        As("q1", kaizen::type::ROLE_PARTICIPANT),  // a participant of another cohort
        As("navigator", kaizen::type::ROLE_PARTICIPANT),  // roster NAVIGATOR, wrong token role
        testkit::Anonymous(),
    };
  }
};

// ------------------------------------------------------------ request ids

// Defect: the CreatePlan request-id scope was the cohort, not the caller, so
// a cohort mate who sent the same request with the same id got the first
// caller's plan (its name, title, owners and etag) instead of their own.
TEST_F(ReviewTest, CreatePlanRequestIdNeverReplaysAnotherCallersPlan) {
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("旗手への5年計画");
  r.set_request_id("create-1");
  auto mine = plans_->CreatePlan(Participant(1), r);
  ASSERT_TRUE(mine.ok()) << mine.status();
  auto theirs = plans_->CreatePlan(Participant(3), r);
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  EXPECT_NE(theirs->name(), mine->name());
  ASSERT_EQ(theirs->owners_size(), 1);
  EXPECT_EQ(theirs->owners(0), Person("p3"));
  // The first caller's retry still replays their own plan.
  auto again = plans_->CreatePlan(Participant(1), r);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), mine->name());
}

// Defect: the same for commits of a team plan: p2 repeating p1's request id
// got p1's revision back as if p2 had committed it.
TEST_F(ReviewTest, CommitRequestIdIsPerCaller) {
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("チーム計画");
  r.mutable_plan()->add_owners(Person("p1"));
  r.mutable_plan()->add_owners(Person("p2"));
  *r.mutable_plan()->mutable_draft() = SampleContent();
  auto team = plans_->CreatePlan(Navigator(), r);
  ASSERT_TRUE(team.ok()) << team.status();
  v1::CommitRevisionRequest c;
  c.set_name(team->name());
  c.set_etag(team->etag());
  c.set_request_id("commit-1");
  auto first = plans_->CommitRevision(Participant(1), c);
  ASSERT_TRUE(first.ok()) << first.status();
  // p2 holds the same (now stale) etag: a new request of theirs, so ABORTED.
  ExpectError(plans_->CommitRevision(Participant(2), c).status(), Code::kAborted,
              "ETAG_MISMATCH");
}

// Defect: and for feedback: the navigator repeating the advisor's request id
// got the advisor's feedback instead of writing their own.
TEST_F(ReviewTest, FeedbackRequestIdIsPerCaller) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());
  v1::CreateFeedbackRequest r = FeedbackRequest(plan.name(), 1, v1::Feedback::COHORT);
  r.set_request_id("fb-1");
  auto advisor = plans_->CreateFeedback(Advisor(), r);
  ASSERT_TRUE(advisor.ok()) << advisor.status();
  auto navigator = plans_->CreateFeedback(Navigator(), r);
  ASSERT_TRUE(navigator.ok()) << navigator.status();
  EXPECT_NE(navigator->name(), advisor->name());
  EXPECT_EQ(navigator->author(), Person("navigator"));
}

// Defect: and for the practice log of a team plan.
TEST_F(ReviewTest, PracticeRequestIdIsPerCaller) {
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("チーム計画");
  r.mutable_plan()->add_owners(Person("p1"));
  r.mutable_plan()->add_owners(Person("p2"));
  *r.mutable_plan()->mutable_draft() = SampleContent();
  auto team = plans_->CreatePlan(Navigator(), r);
  ASSERT_TRUE(team.ok()) << team.status();
  v1::CreatePracticeEntryRequest e = PracticeRequest(team->name(), "a1", 2022, 10, 30);
  e.set_request_id("log-1");
  auto first = plans_->CreatePracticeEntry(Participant(1), e);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = plans_->CreatePracticeEntry(Participant(2), e);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->name(), first->name());
  EXPECT_EQ(second->author(), Person("p2"));
}

// ------------------------------------------------------------ stages

// Defect: SubmitStage answered STAGE_MEETING_NOT_SCHEDULED (the cohort has
// no meeting 6) before deciding whether the caller may see the plan, so
// strangers, partner keys and participants of other cohorts learnt the
// cohort's schedule, even for plans that do not exist.
TEST_F(ReviewTest, SubmitStageAuthorisesBeforeRevealingTheSchedule) {
  v1::CreatePlanRequest r;
  r.set_parent(kOtherCohort);
  r.mutable_plan()->set_title("別期の計画");
  *r.mutable_plan()->mutable_draft() = SampleContent();
  const Principal q1 = As("q1", kaizen::type::ROLE_PARTICIPANT);
  auto plan = plans_->CreatePlan(q1, r);
  ASSERT_TRUE(plan.ok()) << plan.status();
  Commit(q1, plan->name());
  const v1::Plan current = Read(q1, plan->name());
  // Not on that cohort's roster: refused before the plan or the schedule is
  // looked up, the same for a plan that exists and one that does not.
  for (const Principal& p : {Participant(1), Stranger(), testkit::PartnerHr("242047")}) {
    for (const std::string& name :
         {plan->name(), std::string(kOtherCohort) + "/plans/does-not-exist"}) {
      EXPECT_EQ(errors::Reason(Submit(p, name, v1::INTERIM, 0, "", current.etag()).status()),
                "NOT_ON_ROSTER")
          << p.subject() << " " << name;
    }
  }
  // The owner still hears why.
  ExpectError(Submit(q1, plan->name(), v1::INTERIM, 0, "", current.etag()).status(),
              Code::kFailedPrecondition, "STAGE_MEETING_NOT_SCHEDULED");
}

TEST_F(ReviewTest, CancelledMeetingOpensNothing) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());
  ASSERT_TRUE(Submit(Participant(1), plan.name(), v1::INTERIM).ok());
  clock_.Set(Meeting6() + absl::Hours(1));
  auto m6 = ConfirmedMeeting(6, Meeting6());
  m6.set_state(sv1::Meeting::CANCELLED);
  m6.clear_start_time();
  meetings_.SetMeeting(m6);
  // Neither the owner nor the secretariat can present against a cancelled
  // meeting, and the locked version stays as it was.
  ExpectError(Submit(Participant(1), plan.name(), v1::INTERIM).status(),
              Code::kFailedPrecondition, "STAGE_MEETING_NOT_SCHEDULED");
  ExpectError(Submit(Secretariat(), plan.name(), v1::INTERIM, 1, "理由").status(),
              Code::kFailedPrecondition, "STAGE_MEETING_NOT_SCHEDULED");
  EXPECT_EQ(Read(Participant(1), plan.name()).stages(0).revision(), 1);
}

TEST_F(ReviewTest, StageRulesAtTheirEdges) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());
  // Before the deadline the secretariat and other staff do not present for
  // the owner; cohort mates cannot see a plan without stages at all.
  ExpectError(Submit(Secretariat(), plan.name(), v1::INTERIM).status(),
              Code::kPermissionDenied, "NOT_PLAN_OWNER");
  ExpectError(Submit(Navigator(), plan.name(), v1::INTERIM).status(), Code::kPermissionDenied,
              "NOT_PLAN_OWNER");
  EXPECT_EQ(Submit(Participant(3), plan.name(), v1::INTERIM).status().code(), Code::kNotFound);
  // A revision that does not exist, a negative one, an unknown stage.
  EXPECT_EQ(Submit(Participant(1), plan.name(), v1::INTERIM, 2).status().code(),
            Code::kNotFound);
  ExpectError(Submit(Participant(1), plan.name(), v1::INTERIM, -1).status(),
              Code::kInvalidArgument, "INVALID_FIELD", "revision");
  ExpectError(Submit(Participant(1), plan.name(), static_cast<v1::Stage>(99)).status(),
              Code::kInvalidArgument, "INVALID_FIELD", "stage");
  ExpectError(Submit(Participant(1), plan.name(), v1::STAGE_UNSPECIFIED).status(),
              Code::kInvalidArgument, "INVALID_FIELD", "stage");
  // A revision number of another plan is looked up in this plan only.
  const v1::Plan other = CreateFor(1, "別の計画");
  Commit(Participant(1), other.name());
  EditAndCommit(other);
  EXPECT_EQ(Submit(Participant(1), plan.name(), v1::INTERIM, 2).status().code(),
            Code::kNotFound);
  // A stale etag changes nothing.
  ExpectError(Submit(Participant(1), plan.name(), v1::INTERIM, 0, "", plan.etag()).status(),
              Code::kAborted, "ETAG_MISMATCH");
  EXPECT_EQ(Read(Participant(1), plan.name()).stages_size(), 0);
  // One nanosecond before the start is still open; the start itself is not.
  clock_.Set(Meeting6() - absl::Nanoseconds(1));
  ASSERT_TRUE(Submit(Participant(1), plan.name(), v1::INTERIM).ok());
  clock_.Set(Meeting6());
  ExpectError(Submit(Participant(1), plan.name(), v1::INTERIM).status(),
              Code::kFailedPrecondition, "STAGE_LOCKED");
  // A late reason of spaces is no reason.
  ExpectError(Submit(Secretariat(), plan.name(), v1::INTERIM, 1, "　 ").status(),
              Code::kInvalidArgument, "LATE_REASON_REQUIRED", "late_reason");
  // FOLLOW_UP is open until meeting 7 now that INTERIM exists.
  EXPECT_TRUE(Submit(Participant(1), plan.name(), v1::FOLLOW_UP).ok());
}

// Every owner of a team plan submits at once with the same etag: exactly
// one stage version is recorded.
TEST_F(ReviewTest, ConcurrentSubmitStageOneWins) {
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("チーム計画");
  r.mutable_plan()->add_owners(Person("p1"));
  r.mutable_plan()->add_owners(Person("p2"));
  *r.mutable_plan()->mutable_draft() = SampleContent();
  auto team = plans_->CreatePlan(Navigator(), r);
  ASSERT_TRUE(team.ok());
  Commit(Participant(1), team->name());
  const std::string etag = Read(Participant(1), team->name()).etag();
  std::atomic<int> ok{0}, aborted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto s = Submit(Participant(1 + i % 2), team->name(), v1::INTERIM, 0, "", etag);
      if (s.ok()) ++ok;
      if (s.status().code() == Code::kAborted) ++aborted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), 7);
  EXPECT_EQ(Read(Participant(2), team->name()).stages_size(), 1);
}

// Owners of a team plan commit and edit at the same time, each with what
// they last read: revision numbers never repeat or skip, every revision's
// parent is the one before it, and no committed content is lost.
TEST_F(ReviewTest, ConcurrentCommitsAndEditsNeverDuplicateOrSkipRevisions) {
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("チーム計画");
  r.mutable_plan()->add_owners(Person("p1"));
  r.mutable_plan()->add_owners(Person("p2"));
  auto team = plans_->CreatePlan(Navigator(), r);
  ASSERT_TRUE(team.ok());
  std::atomic<int> commits{0};
  std::vector<std::thread> threads;
  for (int who = 1; who <= 4; ++who) {
    threads.emplace_back([&, who] {
      for (int i = 0; i < 15; ++i) {
        v1::GetPlanRequest g;
        g.set_name(team->name());
        auto plan = plans_->GetPlan(Participant(1 + who % 2), g);
        if (!plan.ok()) continue;
        if (who <= 2) {
          v1::PlanContent draft;
          draft.set_vision(absl::StrCat("編集者", who, "の", i, "回目"));
          (void)Update(Participant(1 + who % 2), *plan, draft);
        } else {
          v1::CommitRevisionRequest c;
          c.set_name(team->name());
          c.set_etag(plan->etag());
          if (plans_->CommitRevision(Participant(1 + who % 2), c).ok()) ++commits;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  v1::ListRevisionsRequest list;
  list.set_parent(team->name());
  list.set_page_size(100);
  auto revisions = plans_->ListRevisions(Participant(1), list);
  ASSERT_TRUE(revisions.ok());
  ASSERT_EQ(revisions->revisions_size(), commits.load());
  for (int i = 0; i < revisions->revisions_size(); ++i) {
    const v1::Revision& rev = revisions->revisions(i);
    EXPECT_EQ(rev.number(), commits.load() - i);
    EXPECT_EQ(rev.parent(), rev.number() - 1);
  }
  EXPECT_EQ(Read(Participant(1), team->name()).latest_revision(), commits.load());
}

// ------------------------------------------------------------ who sees what

TEST_F(ReviewTest, OutsidersGetWhatANonexistentPlanGets) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());
  ASSERT_TRUE(Submit(Participant(1), plan.name(), v1::INTERIM).ok());
  const std::string missing = std::string(kCohort) + "/plans/missing";
  for (const Principal& p : Outsiders()) {
    // A Kaizen service reads the roster and finds no plan it may see; anyone
    // else is refused as not on the roster before any plan is looked up
    // (what a cohort that does not exist gets too: authorise_first_test.cc).
    const bool service = std::find(p.roles().begin(), p.roles().end(),
                                   kaizen::type::ROLE_SERVICE) != p.roles().end();
    const Code expected = service ? Code::kNotFound : Code::kPermissionDenied;
    for (const std::string& name : {plan.name(), missing}) {
      SCOPED_TRACE(absl::StrCat(p.subject(), " ", name));
      v1::GetPlanRequest g;
      g.set_name(name);
      EXPECT_EQ(plans_->GetPlan(p, g).status().code(), expected);
      v1::GetRevisionRequest gr;
      gr.set_name(name + "/revisions/r1");
      EXPECT_EQ(plans_->GetRevision(p, gr).status().code(), expected);
      v1::ListRevisionsRequest lr;
      lr.set_parent(name);
      EXPECT_EQ(plans_->ListRevisions(p, lr).status().code(), expected);
      v1::DiffRevisionsRequest d;
      d.set_name(name);
      d.set_to_revision(1);
      EXPECT_EQ(plans_->DiffRevisions(p, d).status().code(), expected);
      v1::ListFeedbackRequest lf;
      lf.set_parent(name);
      EXPECT_EQ(plans_->ListFeedback(p, lf).status().code(), expected);
      EXPECT_EQ(plans_->CreateFeedback(p, FeedbackRequest(name, 1, v1::Feedback::COHORT))
                    .status()
                    .code(),
                expected);
      v1::ListPracticeEntriesRequest lp;
      lp.set_parent(name);
      EXPECT_EQ(plans_->ListPracticeEntries(p, lp).status().code(), expected);
      EXPECT_EQ(plans_->CreatePracticeEntry(p, PracticeRequest(name, "a1", 2022, 10, 1))
                    .status()
                    .code(),
                expected);
      v1::GetPlanOutcomesRequest o;
      o.set_name(name);
      EXPECT_EQ(plans_->GetPlanOutcomes(p, o).status().code(), expected);
      v1::UpdatePlanRequest u;
      u.mutable_plan()->set_name(name);
      u.mutable_plan()->set_etag("x");
      u.mutable_update_mask()->add_paths("title");
      u.mutable_plan()->set_title("乗っ取り");
      EXPECT_EQ(plans_->UpdatePlan(p, u).status().code(), expected);
      v1::CommitRevisionRequest c;
      c.set_name(name);
      c.set_etag("x");
      EXPECT_EQ(plans_->CommitRevision(p, c).status().code(), expected);
      v1::RestoreRevisionRequest rr;
      rr.set_name(name + "/revisions/r1");
      rr.set_etag("x");
      EXPECT_EQ(plans_->RestoreRevision(p, rr).status().code(), expected);
      EXPECT_EQ(Submit(p, name, v1::INTERIM, 0, "", "x").status().code(), expected);
      v1::ResolveFeedbackRequest rf;
      rf.set_name(name + "/feedback/f1");
      EXPECT_EQ(plans_->ResolveFeedback(p, rf).status().code(), expected);
    }
    v1::ListPlansRequest l;
    l.set_parent(kCohort);
    EXPECT_EQ(plans_->ListPlans(p, l).status().code(), Code::kPermissionDenied) << p.subject();
  }
}

// Staff roles in a token open nothing the roster does not list.
TEST_F(ReviewTest, StaffRolesInATokenAloneOpenNothing) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());
  Principal p3 = Participant(3);
  p3.add_roles(kaizen::type::ROLE_NAVIGATOR);
  p3.add_roles(kaizen::type::ROLE_ADVISOR);
  p3.add_roles(kaizen::type::ROLE_OBSERVER);
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("他人の計画");
  r.mutable_plan()->add_owners(Person("p1"));
  ExpectError(plans_->CreatePlan(p3, r).status(), Code::kPermissionDenied, "ORGANISER_ONLY");
  v1::GetPlanRequest g;
  g.set_name(plan.name());
  EXPECT_EQ(plans_->GetPlan(p3, g).status().code(), Code::kNotFound);
  // The advisor of the cohort, but with only a participant token: nothing.
  const Principal advisor_as_participant = As("advisor", kaizen::type::ROLE_PARTICIPANT);
  ExpectError(plans_->GetPlan(advisor_as_participant, g).status(), Code::kPermissionDenied,
              "NOT_ON_ROSTER");
  ExpectError(plans_->CreatePlan(advisor_as_participant, r).status(), Code::kPermissionDenied,
              "NOT_ON_ROSTER");
}

// Pages stay full and end exactly when most plans are hidden from the caller.
TEST_F(ReviewTest, ListPlansPagesOverHiddenPlans) {
  for (int i = 0; i < 5; ++i) CreateFor(1, absl::StrCat("p1の計画", i));
  CreateFor(3, "p3の計画A");
  for (int i = 0; i < 5; ++i) CreateFor(2, absl::StrCat("p2の計画", i));
  CreateFor(3, "p3の計画B");
  CreateFor(4, "p4の計画");
  v1::ListPlansRequest l;
  l.set_parent(kCohort);
  l.set_page_size(1);
  std::vector<std::string> titles;
  for (int page = 0; page < 5; ++page) {
    auto list = plans_->ListPlans(Participant(3), l);
    ASSERT_TRUE(list.ok()) << list.status();
    for (const auto& p : list->plans()) titles.push_back(p.title());
    EXPECT_EQ(list->plans_size(), 1);
    if (list->next_page_token().empty()) break;
    l.set_page_token(list->next_page_token());
  }
  EXPECT_EQ(titles, (std::vector<std::string>{"p3の計画A", "p3の計画B"}));
}

TEST_F(ReviewTest, CohortMatesNeverSeeStaffFeedbackOrUnpresentedWork) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());  // r1, presented
  ASSERT_TRUE(Submit(Participant(1), plan.name(), v1::INTERIM).ok());
  v1::PlanContent secret = SampleContent();
  secret.set_vision("未発表の構想");
  ASSERT_TRUE(Update(Participant(1), Read(Participant(1), plan.name()), secret).ok());
  Commit(Participant(1), plan.name());  // r2, not presented
  auto staff = plans_->CreateFeedback(Advisor(),
                                      FeedbackRequest(plan.name(), 1, v1::Feedback::STAFF, "内部"));
  ASSERT_TRUE(staff.ok());
  auto on_r2 = plans_->CreateFeedback(Navigator(),
                                      FeedbackRequest(plan.name(), 2, v1::Feedback::COHORT));
  ASSERT_TRUE(on_r2.ok());
  auto visible = plans_->CreateFeedback(
      Navigator(), FeedbackRequest(plan.name(), 1, v1::Feedback::COHORT, "皆で読もう"));
  ASSERT_TRUE(visible.ok());

  Principal mate_with_staff_token = Participant(3);
  mate_with_staff_token.add_roles(kaizen::type::ROLE_ADVISOR);
  mate_with_staff_token.add_roles(kaizen::type::ROLE_NAVIGATOR);
  mate_with_staff_token.add_roles(kaizen::type::ROLE_OBSERVER);
  for (const Principal& mate : {Participant(3), mate_with_staff_token}) {
    const v1::Plan seen = Read(mate, plan.name());
    EXPECT_FALSE(seen.has_draft());
    EXPECT_EQ(seen.latest_revision(), 0);
    EXPECT_FALSE(seen.draft_changed());
    v1::ListFeedbackRequest lf;
    lf.set_parent(plan.name());
    auto list = plans_->ListFeedback(mate, lf);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->feedback_size(), 1);
    EXPECT_EQ(list->feedback(0).name(), visible->name());
    v1::ResolveFeedbackRequest rf;
    rf.set_name(staff->name());
    EXPECT_EQ(plans_->ResolveFeedback(mate, rf).status().code(), Code::kNotFound);
    rf.set_name(on_r2->name());
    EXPECT_EQ(plans_->ResolveFeedback(mate, rf).status().code(), Code::kNotFound);
    rf.set_name(visible->name());
    ExpectError(plans_->ResolveFeedback(mate, rf).status(), Code::kPermissionDenied,
                "NOT_PLAN_OWNER");
    v1::DiffRevisionsRequest d;
    d.set_name(plan.name());
    d.set_from_revision(1);
    d.set_to_revision(2);
    EXPECT_EQ(plans_->DiffRevisions(mate, d).status().code(), Code::kNotFound);
    d.set_from_revision(0);
    d.set_to_revision(1);
    EXPECT_TRUE(plans_->DiffRevisions(mate, d).ok());
    ExpectError(plans_->CreateFeedback(mate, FeedbackRequest(plan.name(), 1,
                                                             v1::Feedback::STAFF))
                    .status(),
                Code::kPermissionDenied, "STAFF_ONLY");
    v1::ListPracticeEntriesRequest lp;
    lp.set_parent(plan.name());
    ExpectError(plans_->ListPracticeEntries(mate, lp).status(), Code::kPermissionDenied,
                "NOT_PLAN_OWNER");
    v1::ListPlansRequest l;
    l.set_parent(kCohort);
    auto plans = plans_->ListPlans(mate, l);
    ASSERT_TRUE(plans.ok());
    for (const v1::Plan& p : plans->plans()) {
      if (p.name() == plan.name()) {
        EXPECT_FALSE(p.has_draft());
      }
    }
  }
  // The owner does not see STAFF feedback either.
  v1::ListFeedbackRequest lf;
  lf.set_parent(plan.name());
  auto owner = plans_->ListFeedback(Participant(1), lf);
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(owner->feedback_size(), 2);
  for (const auto& f : owner->feedback()) EXPECT_NE(f.visibility(), v1::Feedback::STAFF);
}

// Defect: the FOLLOW_UP version's practised_actions listed every action with
// a practice entry, including actions that only ever existed in the draft,
// so cohort mates read action ids of work never presented to them.
TEST_F(ReviewTest, FollowUpNamesOnlyActionsOfPresentedRevisions) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());  // r1: a1, a2
  ASSERT_TRUE(Submit(Participant(1), plan.name(), v1::INTERIM).ok());
  v1::PlanContent draft = SampleContent();
  auto* hidden = draft.add_actions();
  hidden->set_id("mayor-lobbying");
  hidden->set_title("市長への根回し");
  hidden->set_target_result(kaizen::type::EXECUTIVES);
  ASSERT_TRUE(Update(Participant(1), Read(Participant(1), plan.name()), draft).ok());
  clock_.Set(Tokyo(2023, 2, 1, 12));
  ASSERT_TRUE(plans_
                  ->CreatePracticeEntry(Participant(1),
                                        PracticeRequest(plan.name(), "mayor-lobbying", 2023, 1, 20))
                  .ok());
  ASSERT_TRUE(
      plans_->CreatePracticeEntry(Participant(1), PracticeRequest(plan.name(), "a1", 2023, 1, 21))
          .ok());
  // FOLLOW_UP presents r1 again (the hidden action never committed).
  ASSERT_TRUE(Submit(Participant(1), plan.name(), v1::FOLLOW_UP, 1).ok());
  for (const Principal& p : {Participant(3), Participant(1), Navigator()}) {
    const v1::Plan seen = Read(p, plan.name());
    ASSERT_EQ(seen.stages_size(), 2);
    EXPECT_EQ(std::vector<std::string>(seen.stages(1).practised_actions().begin(),
                                       seen.stages(1).practised_actions().end()),
              std::vector<std::string>{"a1"})
        << p.subject();
  }
}

TEST_F(ReviewTest, PageTokensStayWithTheirQuery) {
  const v1::Plan a = CreateFor(1);
  const v1::Plan b = CreateFor(2);
  for (const v1::Plan* p : {&a, &b}) {
    Commit(Participant(p == &a ? 1 : 2), p->name());
    v1::PlanContent c = SampleContent();
    c.set_vision("二版目");
    ASSERT_TRUE(Update(Participant(p == &a ? 1 : 2), Read(Navigator(), p->name()), c).ok());
    Commit(Participant(p == &a ? 1 : 2), p->name());
  }
  v1::ListRevisionsRequest lr;
  lr.set_parent(a.name());
  lr.set_page_size(1);
  auto page = plans_->ListRevisions(Navigator(), lr);
  ASSERT_TRUE(page.ok());
  ASSERT_FALSE(page->next_page_token().empty());
  // Another plan, another list, another cohort: refused.
  lr.set_parent(b.name());
  lr.set_page_token(page->next_page_token());
  ExpectError(plans_->ListRevisions(Navigator(), lr).status(), Code::kInvalidArgument,
              "INVALID_PAGE_TOKEN", "page_token");
  v1::ListFeedbackRequest lf;
  lf.set_parent(a.name());
  lf.set_page_token(page->next_page_token());
  ExpectError(plans_->ListFeedback(Navigator(), lf).status(), Code::kInvalidArgument,
              "INVALID_PAGE_TOKEN", "page_token");
  v1::ListPracticeEntriesRequest lp;
  lp.set_parent(a.name());
  lp.set_page_token(page->next_page_token());
  ExpectError(plans_->ListPracticeEntries(Navigator(), lp).status(), Code::kInvalidArgument,
              "INVALID_PAGE_TOKEN", "page_token");
  v1::ListPlansRequest l;
  l.set_parent(kCohort);
  l.set_page_token(page->next_page_token());
  ExpectError(plans_->ListPlans(Navigator(), l).status(), Code::kInvalidArgument,
              "INVALID_PAGE_TOKEN", "page_token");
  l.set_page_token("garbage");
  ExpectError(plans_->ListPlans(Navigator(), l).status(), Code::kInvalidArgument,
              "INVALID_PAGE_TOKEN", "page_token");
  // Negative page sizes, for every list.
  l.clear_page_token();
  l.set_page_size(-1);
  EXPECT_EQ(plans_->ListPlans(Navigator(), l).status().code(), Code::kInvalidArgument);
  lr.clear_page_token();
  lr.set_page_size(-5);
  EXPECT_EQ(plans_->ListRevisions(Navigator(), lr).status().code(), Code::kInvalidArgument);
  lf.clear_page_token();
  lf.set_page_size(-1);
  EXPECT_EQ(plans_->ListFeedback(Navigator(), lf).status().code(), Code::kInvalidArgument);
  lp.clear_page_token();
  lp.set_page_size(-1);
  EXPECT_EQ(plans_->ListPracticeEntries(Navigator(), lp).status().code(),
            Code::kInvalidArgument);
}

// ------------------------------------------------------------ the draft

// Defect: an UpdatePlan without an update mask that set only the title (a
// PATCH of {"title": ...}) replaced the whole draft with an empty one
// (AIP-134: an absent mask means the fields that are set).
TEST_F(ReviewTest, UpdateWithoutMaskNeverEmptiesTheDraft) {
  const v1::Plan plan = CreateFor(1);
  v1::UpdatePlanRequest u;
  u.mutable_plan()->set_name(plan.name());
  u.mutable_plan()->set_etag(plan.etag());
  u.mutable_plan()->set_title("新しい題名");
  auto updated = plans_->UpdatePlan(Participant(1), u);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->title(), "新しい題名");
  EXPECT_EQ(updated->draft().vision(), SampleContent().vision());
  EXPECT_EQ(updated->draft().actions_size(), 2);
  // Nothing set and no mask: nothing to update, said so, nothing changed.
  v1::UpdatePlanRequest empty;
  empty.mutable_plan()->set_name(plan.name());
  empty.mutable_plan()->set_etag(updated->etag());
  ExpectError(plans_->UpdatePlan(Participant(1), empty).status(), Code::kInvalidArgument,
              "UPDATE_MASK_INVALID", "update_mask.paths");
  EXPECT_EQ(Read(Participant(1), plan.name()).draft().actions_size(), 2);
  // A draft that is set (even empty) with no mask still replaces the draft.
  empty.mutable_plan()->mutable_draft();
  auto cleared = plans_->UpdatePlan(Participant(1), empty);
  ASSERT_TRUE(cleared.ok()) << cleared.status();
  EXPECT_EQ(cleared->draft().actions_size(), 0);
  EXPECT_EQ(cleared->title(), "新しい題名");
}

// Defect: walls and stakeholders had no count limit of their own, so one
// request with many thousands of them produced one violation each (an error
// far larger than the request, beyond what gRPC trailers carry).
TEST_F(ReviewTest, TooManyWallsOrStakeholdersIsOneViolation) {
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("計画");
  for (int i = 0; i < 5000; ++i) {
    auto* w = r.mutable_plan()->mutable_draft()->add_walls();
    w->set_wall(kaizen::type::PEERS);
  }
  auto s = plans_->CreatePlan(Participant(1), r).status();
  ExpectError(s, Code::kInvalidArgument, "INVALID_FIELD", "plan.draft.walls");
  EXPECT_LE(errors::GetBadRequest(s)->field_violations_size(), 4);

  r.mutable_plan()->mutable_draft()->clear_walls();
  auto* a = r.mutable_plan()->mutable_draft()->add_actions();
  a->set_id("a1");
  a->set_title("行動");
  a->set_target_result(kaizen::type::PEERS);
  for (int i = 0; i < 5000; ++i) a->add_stakeholders(v1::PEERS_AROUND);
  s = plans_->CreatePlan(Participant(1), r).status();
  ExpectError(s, Code::kInvalidArgument, "INVALID_FIELD", "plan.draft.actions[0].stakeholders");
  EXPECT_LE(errors::GetBadRequest(s)->field_violations_size(), 4);
  // Four distinct walls and the four stakeholders are fine.
  a->clear_stakeholders();
  for (auto st : {v1::PEERS_AROUND, v1::SENIORS_BOSSES, v1::EXECUTIVE_TEAM, v1::HR_DEPARTMENT}) {
    a->add_stakeholders(st);
  }
  for (auto wall : {kaizen::type::PEERS, kaizen::type::SENIORS_AND_BOSSES, kaizen::type::EXECUTIVES, kaizen::type::HR_EVALUATION}) {
    auto* w = r.mutable_plan()->mutable_draft()->add_walls();
    w->set_wall(wall);
    w->set_text("壁");
  }
  EXPECT_TRUE(plans_->CreatePlan(Participant(1), r).ok());
}

TEST_F(ReviewTest, EveryFieldLimitIsNamed) {
  const v1::Plan plan = CreateFor(1);
  struct Case {
    std::string field;
    std::function<void(v1::PlanContent&)> edit;
  };
  const std::string k4001(4001, 'x');
  const std::vector<Case> cases = {
      {"plan.draft.vision", [&](v1::PlanContent& c) { c.set_vision(std::string(4001, 'a')); }},
      {"plan.draft.vision",
       [&](v1::PlanContent& c) {
         std::string s;
         for (int i = 0; i < 4001; ++i) s += "改";
         c.set_vision(s);
       }},
      {"plan.draft.vision", [&](v1::PlanContent& c) { c.set_vision("壊れた\xE6\x94"); }},
      {"plan.draft.vision", [&](v1::PlanContent& c) { c.set_vision("行\r\n改行"); }},
      {"plan.draft.vision", [&](v1::PlanContent& c) { c.set_vision(std::string("a\0b", 3)); }},
      {"plan.draft.vision", [&](v1::PlanContent& c) { c.set_vision("\xC0\xAF"); }},
      {"plan.draft.walls[0].wall",
       [&](v1::PlanContent& c) { c.mutable_walls(0)->set_wall(static_cast<kaizen::type::Wall>(99)); }},
      {"plan.draft.walls[1].wall",
       [&](v1::PlanContent& c) { c.mutable_walls(1)->set_wall(kaizen::type::PEERS); }},
      {"plan.draft.walls[0].text",
       [&](v1::PlanContent& c) { c.mutable_walls(0)->set_text(std::string(2001, 'w')); }},
      {"plan.draft.actions[0].target_result",
       [&](v1::PlanContent& c) {
         c.mutable_actions(0)->set_target_result(static_cast<kaizen::type::Wall>(99));
       }},
      {"plan.draft.actions[0].target_result",
       [&](v1::PlanContent& c) {
         c.mutable_actions(0)->set_target_result(static_cast<kaizen::type::Wall>(-1));
       }},
      {"plan.draft.actions[0].stakeholders[1]",
       [&](v1::PlanContent& c) {
         c.mutable_actions(0)->add_stakeholders(static_cast<v1::Stakeholder>(99));
       }},
      {"plan.draft.actions[0].stakeholders[1]",
       [&](v1::PlanContent& c) { c.mutable_actions(0)->add_stakeholders(v1::PEERS_AROUND); }},
      {"plan.draft.actions[0].status",
       [&](v1::PlanContent& c) {
         c.mutable_actions(0)->set_status(static_cast<v1::Action::Status>(99));
       }},
      {"plan.draft.actions[0].title", [&](v1::PlanContent& c) { c.mutable_actions(0)->set_title(""); }},
      {"plan.draft.actions[0].title",
       [&](v1::PlanContent& c) { c.mutable_actions(0)->set_title("　"); }},
      {"plan.draft.actions[0].title",
       [&](v1::PlanContent& c) { c.mutable_actions(0)->set_title("改行\nあり"); }},
      {"plan.draft.actions[0].description",
       [&](v1::PlanContent& c) { c.mutable_actions(0)->set_description(k4001); }},
      {"plan.draft.actions[0].indicator",
       [&](v1::PlanContent& c) { c.mutable_actions(0)->set_indicator(std::string(501, 'i')); }},
      {"plan.draft.actions[0].timeframe",
       [&](v1::PlanContent& c) { c.mutable_actions(0)->set_timeframe(std::string(201, 't')); }},
      {"plan.draft.actions[0].id", [&](v1::PlanContent& c) { c.mutable_actions(0)->set_id(""); }},
      {"plan.draft.actions[0].id",
       [&](v1::PlanContent& c) { c.mutable_actions(0)->set_id("A1"); }},
      {"plan.draft.actions[0].id",
       [&](v1::PlanContent& c) { c.mutable_actions(0)->set_id("行動1"); }},
      {"plan.draft.actions[1].id",
       [&](v1::PlanContent& c) { c.mutable_actions(1)->set_id("a1"); }},
      {"plan.draft.actions",
       [&](v1::PlanContent& c) {
         c.clear_actions();
         for (int i = 0; i < 51; ++i) {
           auto* a = c.add_actions();
           a->set_id(absl::StrCat("a", i));
           a->set_title("行動");
           a->set_target_result(kaizen::type::PEERS);
         }
       }},
      {"plan.draft.milestones",
       [&](v1::PlanContent& c) {
         c.clear_milestones();
         for (int i = 0; i < 51; ++i) c.add_milestones()->set_title("節目");
       }},
      {"plan.draft.milestones[0].title",
       [&](v1::PlanContent& c) { c.mutable_milestones(0)->set_title(""); }},
      {"plan.draft.milestones[0].target_date",
       [&](v1::PlanContent& c) { c.mutable_milestones(0)->mutable_target_date()->set_day(32); }},
      {"plan.draft.milestones[0].target_date",
       [&](v1::PlanContent& c) {
         c.mutable_milestones(0)->mutable_target_date()->set_month(2);
         c.mutable_milestones(0)->mutable_target_date()->set_day(29);  // 2023
       }},
  };
  for (const Case& c : cases) {
    v1::PlanContent draft = SampleContent();
    c.edit(draft);
    const v1::Plan current = Read(Participant(1), plan.name());
    auto s = Update(Participant(1), current, draft).status();
    ExpectError(s, Code::kInvalidArgument, errors::Reason(s), c.field);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << c.field;
    // Nothing was written.
    EXPECT_EQ(Read(Participant(1), plan.name()).etag(), current.etag()) << c.field;
  }
  // Exactly at the limits is fine, counted in code points.
  v1::PlanContent draft = SampleContent();
  std::string vision;
  for (int i = 0; i < 4000; ++i) vision += "改";
  draft.set_vision(vision);
  draft.mutable_actions(0)->set_title(std::string(200, 't'));
  ASSERT_TRUE(Update(Participant(1), Read(Participant(1), plan.name()), draft).ok());
  EXPECT_EQ(Read(Participant(1), plan.name()).draft().vision(), vision);

  // Plan title and the other requests' texts.
  v1::CreatePlanRequest r;
  r.set_parent(kCohort);
  r.mutable_plan()->set_title("");
  ExpectError(plans_->CreatePlan(Participant(1), r).status(), Code::kInvalidArgument,
              "TEXT_REQUIRED", "plan.title");
  r.mutable_plan()->set_title(std::string(201, 't'));
  ExpectError(plans_->CreatePlan(Participant(1), r).status(), Code::kInvalidArgument,
              "TEXT_TOO_LONG", "plan.title");
  r.mutable_plan()->set_title("題\x01名");
  ExpectError(plans_->CreatePlan(Participant(1), r).status(), Code::kInvalidArgument,
              "CONTROL_CHARACTER", "plan.title");
  r.mutable_plan()->set_title("題名");
  r.set_plan_id("Bad_Id");
  ExpectError(plans_->CreatePlan(Participant(1), r).status(), Code::kInvalidArgument,
              "INVALID_FIELD", "plan_id");
  r.set_plan_id("");
  r.set_request_id(std::string(65, 'r'));
  ExpectError(plans_->CreatePlan(Participant(1), r).status(), Code::kInvalidArgument,
              "INVALID_FIELD", "request_id");
  v1::CommitRevisionRequest c;
  c.set_name(plan.name());
  c.set_etag(Read(Participant(1), plan.name()).etag());
  c.set_message(std::string(501, 'm'));
  ExpectError(plans_->CommitRevision(Participant(1), c).status(), Code::kInvalidArgument,
              "TEXT_TOO_LONG", "message");
  ExpectError(plans_->CreateFeedback(Navigator(), FeedbackRequest(plan.name(), 1,
                                                                  static_cast<v1::Feedback::Visibility>(99)))
                  .status(),
              Code::kInvalidArgument, "INVALID_FIELD", "feedback.visibility");
  ExpectError(plans_->CreateFeedback(Navigator(), FeedbackRequest(plan.name(), 1,
                                                                  v1::Feedback::COHORT, ""))
                  .status(),
              Code::kInvalidArgument, "TEXT_REQUIRED", "feedback.text");
  v1::DiffRevisionsRequest d;
  d.set_name(plan.name());
  d.set_from_revision(-1);
  d.set_to_revision(0);
  auto diff = plans_->DiffRevisions(Participant(1), d).status();
  EXPECT_EQ(diff.code(), Code::kInvalidArgument);
  EXPECT_EQ(errors::GetBadRequest(diff)->field_violations_size(), 2);
}

TEST_F(ReviewTest, MalformedNamesAreInvalidAndNamed) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());
  for (const std::string& bad :
       {std::string("cohorts//plans/x"), std::string("cohorts/fy2022/plans/"),
        std::string("cohorts/fy2022/plans"), std::string("cohorts/fy2022/plans/x/"),
        std::string("/cohorts/fy2022/plans/x"), std::string("cohorts/FY2022/plans/x"),
        std::string("cohorts/fy2022/plan/x"), std::string("cohorts/fy2022/plans/x/y"),
        std::string("cohorts/fy2022/plans/\xE8\xA8\x88"), std::string("")}) {
    v1::GetPlanRequest g;
    g.set_name(bad);
    ExpectError(plans_->GetPlan(Participant(1), g).status(), Code::kInvalidArgument,
                "INVALID_NAME", "name");
  }
  for (const char* rev : {"r0", "r01", "1", "r-1", "r+1", "R1", "r", "r1x", "rr1",
                                 "r99999999999999999999", "r 1"}) {
    v1::GetRevisionRequest g;
    g.set_name(plan.name() + "/revisions/" + rev);
    ExpectError(plans_->GetRevision(Participant(1), g).status(), Code::kInvalidArgument,
                "INVALID_NAME", "name");
    v1::RestoreRevisionRequest r;
    r.set_name(plan.name() + "/revisions/" + rev);
    r.set_etag("x");
    ExpectError(plans_->RestoreRevision(Participant(1), r).status(), Code::kInvalidArgument,
                "INVALID_NAME", "name");
  }
  v1::GetRevisionRequest g;
  g.set_name(plan.name() + "/revisions/r1");
  EXPECT_TRUE(plans_->GetRevision(Participant(1), g).ok());
  g.set_name(plan.name() + "/revisions/r2");
  EXPECT_EQ(plans_->GetRevision(Participant(1), g).status().code(), Code::kNotFound);
  v1::ListPlansRequest l;
  l.set_parent("cohorts/fy2022/plans");
  ExpectError(plans_->ListPlans(Participant(1), l).status(), Code::kInvalidArgument,
              "INVALID_NAME", "parent");
  v1::ResolveFeedbackRequest rf;
  rf.set_name(plan.name() + "/feedback/");
  ExpectError(plans_->ResolveFeedback(Participant(1), rf).status(), Code::kInvalidArgument,
              "INVALID_NAME", "name");
}

// ------------------------------------------------------------ history

TEST_F(ReviewTest, RestoreKeepsEveryRevisionAndDiffsJapanese) {
  const v1::Plan plan = CreateFor(1);
  Commit(Participant(1), plan.name());  // r1
  v1::PlanContent c = SampleContent();
  c.set_vision("5年後、市役所全体の改善運動の旗手として、上司と一緒に業務を変えている。");
  ASSERT_TRUE(Update(Participant(1), Read(Participant(1), plan.name()), c).ok());
  Commit(Participant(1), plan.name());  // r2
  const std::vector<v1::Revision> before = [&] {
    v1::ListRevisionsRequest l;
    l.set_parent(plan.name());
    auto list = plans_->ListRevisions(Participant(1), l);
    EXPECT_TRUE(list.ok());
    return std::vector<v1::Revision>(list->revisions().begin(), list->revisions().end());
  }();
  // Restore r1 twice (the second is nothing to commit), then r2 again.
  v1::RestoreRevisionRequest r;
  r.set_name(plan.name() + "/revisions/r1");
  r.set_etag(Read(Participant(1), plan.name()).etag());
  auto r3 = plans_->RestoreRevision(Participant(1), r);
  ASSERT_TRUE(r3.ok()) << r3.status();
  EXPECT_EQ(r3->number(), 3);
  EXPECT_EQ(r3->parent(), 2);
  r.set_etag(Read(Participant(1), plan.name()).etag());
  ExpectError(plans_->RestoreRevision(Participant(1), r).status(), Code::kFailedPrecondition,
              "NOTHING_TO_COMMIT");
  // Only owners restore; staff get NOT_PLAN_OWNER.
  ExpectError(plans_->RestoreRevision(Navigator(), r).status(), Code::kPermissionDenied,
              "NOT_PLAN_OWNER");
  r.set_name(plan.name() + "/revisions/r2");
  r.set_etag(Read(Participant(1), plan.name()).etag());
  auto r4 = plans_->RestoreRevision(Participant(1), r);
  ASSERT_TRUE(r4.ok());
  EXPECT_EQ(r4->number(), 4);
  EXPECT_EQ(r4->restored_from(), 2);
  v1::ListRevisionsRequest l;
  l.set_parent(plan.name());
  auto after = plans_->ListRevisions(Participant(1), l);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->revisions_size(), 4);
  // The old revisions are byte for byte what they were.
  EXPECT_EQ(after->revisions(2).SerializeAsString(), before[0].SerializeAsString());
  EXPECT_EQ(after->revisions(3).SerializeAsString(), before[1].SerializeAsString());
  v1::DiffRevisionsRequest d;
  d.set_name(plan.name());
  d.set_from_revision(3);
  d.set_to_revision(4);
  auto diff = plans_->DiffRevisions(Participant(1), d);
  ASSERT_TRUE(diff.ok());
  ASSERT_EQ(diff->text_size(), 1);
  EXPECT_EQ(diff->text(0).rendered(),
            "5年後、[-職場-]{+市役所全体+}の改善運動の旗手として、[-同僚-]{+上司+}と一緒に業務を変えている。");
  // A revision that does not exist, in either position.
  d.set_to_revision(5);
  EXPECT_EQ(plans_->DiffRevisions(Participant(1), d).status().code(), Code::kNotFound);
  d.set_from_revision(5);
  d.set_to_revision(1);
  EXPECT_EQ(plans_->DiffRevisions(Participant(1), d).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace kaizen::plans::testing

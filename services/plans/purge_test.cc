// PurgePersonalData on the domain over in-memory SQLite (what the store
// deletes, checked through the store and the API), and through the real
// gRPC server with GrpcPurgeTarget, the client enrollment uses.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "clients/purge/grpc_purge_target.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/testing/grpc_fixture.h"
#include "gtest/gtest.h"
#include "services/plans/grpc_service.h"
#include "services/plans/plans_store.h"
#include "services/plans/plans_test_util.h"

namespace kaizen::plans {
namespace purge_test {

using namespace ::kaizen::plans::testing;  // NOLINT
using kaizen::type::PurgeReport;
using kaizen::type::PurgeRequest;
using Row = std::pair<std::string, int64_t>;

PurgeRequest WholeCohort() {
  PurgeRequest r;
  r.set_cohort(kCohort);
  return r;
}

PurgeRequest OnePerson(const std::string& id) {
  PurgeRequest r;
  r.set_cohort(kCohort);
  r.set_participant(Person(id));
  r.set_subject("user-" + id);
  return r;
}

std::vector<Row> Counts(const PurgeReport& report) {
  std::vector<Row> out;
  for (const auto& c : report.counts()) out.emplace_back(c.kind(), c.deleted());
  return out;
}

google::type::Date Day(int y, int m, int d) {
  google::type::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// A roster source that runs `between` once, after handing out a roster:
// what happens when an erasure commits while a write is between reading
// the roster (the person is still on it) and its transaction.
class EraseAfterRosterFetch : public enrollment_client::RosterSource {
 public:
  EraseAfterRosterFetch(enrollment_client::RosterSource* inner, std::function<void()> between)
      : inner_(inner), between_(std::move(between)) {}
  absl::StatusOr<enrollment_client::Roster> GetRoster(const std::string& cohort) override {
    auto roster = inner_->GetRoster(cohort);
    if (between_) std::exchange(between_, nullptr)();
    return roster;
  }

 private:
  enrollment_client::RosterSource* inner_;
  std::function<void()> between_;
};

class PlansPurgeTest : public PlansTest {
 protected:
  absl::StatusOr<PurgeReport> Purge(const PurgeRequest& r) {
    return plans_->PurgePersonalData(auth::ServicePrincipal("enrollment"), r);
  }

  // A team plan of p1 and p2, made by the secretariat.
  v1::Plan TeamPlan() {
    v1::CreatePlanRequest r;
    r.set_parent(kCohort);
    r.mutable_plan()->set_title("松阪市チームの計画");
    r.mutable_plan()->add_owners(Person("p1"));
    r.mutable_plan()->add_owners(Person("p2"));
    *r.mutable_plan()->mutable_draft() = SampleContent();
    auto plan = plans_->CreatePlan(Secretariat(), r);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : v1::Plan();
  }

  void Feedback(const Principal& who, const std::string& plan, int64_t revision) {
    v1::CreateFeedbackRequest r;
    r.set_parent(plan);
    r.mutable_feedback()->set_revision(revision);
    r.mutable_feedback()->set_text("指標をもう少し具体的にしましょう。");
    r.mutable_feedback()->set_visibility(v1::Feedback::COHORT);
    auto f = plans_->CreateFeedback(who, r);
    EXPECT_TRUE(f.ok()) << f.status();
  }

  void Practice(int n, const std::string& plan) {
    v1::CreatePracticeEntryRequest r;
    r.set_parent(plan);
    r.mutable_entry()->set_action_id("a1");
    *r.mutable_entry()->mutable_date() = Day(2022, 10, 28);
    r.mutable_entry()->set_done("朝会で改善事例を紹介した。");
    auto e = plans_->CreatePracticeEntry(Participant(n), r);
    EXPECT_TRUE(e.ok()) << e.status();
  }

  absl::StatusOr<v1::Plan> Get(const Principal& who, const std::string& name) {
    v1::GetPlanRequest g;
    g.set_name(name);
    return plans_->GetPlan(who, g);
  }

  int ListedPlans() {
    v1::ListPlansRequest l;
    l.set_parent(kCohort);
    auto listed = plans_->ListPlans(Secretariat(), l);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? listed->plans_size() : -1;
  }
};

TEST_F(PlansPurgeTest, OnlyTheEnrollmentServiceMayPurge) {
  for (const auto& caller : {Secretariat(), Navigator(), Participant(1),
                             auth::ServicePrincipal("survey")}) {
    absl::Status s = plans_->PurgePersonalData(caller, WholeCohort()).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << caller.DebugString();
    EXPECT_EQ(errors::Reason(s), "ENROLLMENT_ONLY");
  }
}

TEST_F(PlansPurgeTest, CohortPurgeDeletesEveryPlanAndNothingComesBack) {
  const v1::Plan own = CreateFor(1);
  const v1::Revision rev = Commit(Participant(1), own.name());
  Feedback(Navigator(), own.name(), 1);
  Practice(1, own.name());
  const v1::Plan team = TeamPlan();
  ASSERT_EQ(ListedPlans(), 2);

  auto report = Purge(WholeCohort());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->service(), "plans");
  EXPECT_EQ(Counts(*report), (std::vector<Row>{{"plans", 2},
                                               {"revisions", 1},
                                               {"stage_versions", 0},
                                               {"feedback", 1},
                                               {"practice_entries", 1},
                                               {"owners_removed", 0},
                                               {"authorship_cleared", 0},
                                               {"request_ids", 0},
                                               {"result_changes", 0}}));
  EXPECT_EQ(ListedPlans(), 0);
  EXPECT_EQ(errors::Reason(Get(Participant(1), own.name()).status()), "COHORT_PURGED");

  v1::CreatePlanRequest create;
  create.set_parent(kCohort);
  create.mutable_plan()->set_title("もう一度");
  EXPECT_EQ(errors::Reason(plans_->CreatePlan(Participant(3), create).status()),
            "COHORT_PURGED");

  EXPECT_FALSE(report->repeat());

  // A retry (enrollment lost the answer) deletes nothing more and answers
  // with the first report, its time included, marked as a repeat.
  clock_.Advance(absl::Hours(2));
  auto again = Purge(WholeCohort());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->repeat());
  EXPECT_EQ(Counts(*again), Counts(*report));
  EXPECT_EQ(again->complete_time().seconds(), report->complete_time().seconds());
}

TEST_F(PlansPurgeTest, ErasureTakesOnlyThatPersonsShare) {
  const v1::Plan mine = CreateFor(1);
  Commit(Participant(1), mine.name());
  Practice(1, mine.name());
  const v1::Plan team = TeamPlan();
  Commit(Participant(1), team.name());  // r1 by p1
  Feedback(Participant(1), team.name(), 1);  // p1's reply on the team plan
  Feedback(Navigator(), team.name(), 1);
  const v1::Plan other = CreateFor(3);
  auto before = Get(Participant(2), team.name());
  ASSERT_TRUE(before.ok()) << before.status();

  auto report = Purge(OnePerson("p1"));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->participant(), Person("p1"));
  EXPECT_EQ(Counts(*report), (std::vector<Row>{{"plans", 1},
                                               {"revisions", 1},
                                               {"stage_versions", 0},
                                               {"feedback", 1},
                                               {"practice_entries", 1},
                                               {"owners_removed", 1},
                                               {"authorship_cleared", 1},
                                               {"request_ids", 0},
                                               {"result_changes", 0}}));
  EXPECT_TRUE(absl::IsNotFound(Get(Secretariat(), mine.name()).status()));
  auto kept = Get(Participant(2), team.name());
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_EQ(kept->owners_size(), 1);
  EXPECT_EQ(kept->owners(0), Person("p2"));
  // Changed by the erasure, so its etag is new: a cache keyed on the old one
  // would keep p1's name.
  EXPECT_NE(kept->etag(), before->etag());
  v1::GetRevisionRequest g;
  g.set_name(team.name() + "/revisions/r1");
  auto rev = plans_->GetRevision(Participant(2), g);
  ASSERT_TRUE(rev.ok()) << rev.status();
  EXPECT_EQ(rev->author(), "");  // the content stays for p2, without p1's name
  v1::ListFeedbackRequest lf;
  lf.set_parent(team.name());
  auto feedback = plans_->ListFeedback(Participant(2), lf);
  ASSERT_TRUE(feedback.ok()) << feedback.status();
  ASSERT_EQ(feedback->feedback_size(), 1);  // the navigator's
  EXPECT_EQ(feedback->feedback(0).author(), Person("navigator"));
  EXPECT_TRUE(Get(Participant(3), other.name()).ok());

  // Nothing new for p1; the cohort itself goes on.
  v1::CreatePlanRequest create;
  create.set_parent(kCohort);
  create.mutable_plan()->set_title("もう一度");
  EXPECT_EQ(errors::Reason(plans_->CreatePlan(Participant(1), create).status()),
            "PARTICIPANT_ERASED");
  EXPECT_TRUE(plans_->CreatePlan(Participant(4), create).ok());

  // A retried erasure answers with the first report.
  clock_.Advance(absl::Minutes(5));
  auto again = Purge(OnePerson("p1"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->repeat());
  EXPECT_EQ(again->participant(), Person("p1"));
  EXPECT_EQ(Counts(*again), Counts(*report));
  EXPECT_EQ(again->complete_time().seconds(), report->complete_time().seconds());
  // Another person's erasure is a first purge of its own.
  auto p3 = Purge(OnePerson("p3"));
  ASSERT_TRUE(p3.ok()) << p3.status();
  EXPECT_FALSE(p3->repeat());
  EXPECT_EQ(p3->counts(0).deleted(), 1);  // p3's plan
}

// The navigator is erased after their write read the roster (they are
// still on it) and before its transaction: nothing naming them is stored.
TEST_F(PlansPurgeTest, AnErasureDuringAStaffWriteWinsOverTheRosterFetchedBefore) {
  const v1::Plan own = CreateFor(1);
  Commit(Participant(1), own.name());
  EraseAfterRosterFetch racing_roster(&roster_, [&] {
    auto erased = Purge(OnePerson("navigator"));
    EXPECT_TRUE(erased.ok()) << erased.status();
  });
  Plans racing(store_.get(), &racing_roster, &meetings_, &outcomes_, &clock_,
               PlansConfig{"plans-page-key-0123456789"});
  v1::CreateFeedbackRequest r;
  r.set_parent(own.name());
  r.mutable_feedback()->set_revision(1);
  r.mutable_feedback()->set_text("指標をもう少し具体的にしましょう。");
  absl::Status s = racing.CreateFeedback(Navigator(), r).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(errors::Reason(s), "PARTICIPANT_ERASED");

  v1::ListFeedbackRequest lf;
  lf.set_parent(own.name());
  auto feedback = plans_->ListFeedback(Secretariat(), lf);
  ASSERT_TRUE(feedback.ok()) << feedback.status();
  EXPECT_EQ(feedback->feedback_size(), 0);
}

// The same for a plan the (erased) navigator creates for a participant:
// the request id they sent would name their account.
TEST_F(PlansPurgeTest, AnErasedCreatorMakesNoPlan) {
  EraseAfterRosterFetch racing_roster(&roster_, [&] {
    auto erased = Purge(OnePerson("navigator"));
    EXPECT_TRUE(erased.ok()) << erased.status();
  });
  Plans racing(store_.get(), &racing_roster, &meetings_, &outcomes_, &clock_,
               PlansConfig{"plans-page-key-0123456789"});
  v1::CreatePlanRequest create;
  create.set_parent(kCohort);
  create.set_request_id("navigator-req-1");
  create.mutable_plan()->set_title("鈴木さんの計画");
  create.mutable_plan()->add_owners(Person("p3"));
  EXPECT_EQ(errors::Reason(racing.CreatePlan(Navigator(), create).status()),
            "PARTICIPANT_ERASED");
  EXPECT_EQ(ListedPlans(), 0);
}

class PlansPurgeServerTest : public PlansPurgeTest {
 protected:
  void SetUp() override {
    PlansPurgeTest::SetUp();
    service_ = std::make_unique<PlansGrpcService>(plans_.get(), &server_.signer());
    ASSERT_TRUE(
        server_.Start("plans", {{v1::PlansService::service_full_name(), service_.get()}}).ok());
  }
  std::unique_ptr<PlansGrpcService> service_;
  testkit::InProcessGrpcServer server_;
};

TEST_F(PlansPurgeServerTest, EnrollmentPurgesThroughGrpcAndTheSecretariatIsRefused) {
  CreateFor(1);
  auto stub = v1::PlansService::NewStub(server_.channel());
  PurgeReport out;
  grpc::Status denied =
      stub->PurgePersonalData(server_.As(Secretariat()).get(), WholeCohort(), &out);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ListedPlans(), 1);

  purge_client::GrpcPurgeTarget target("plans", std::string(purge_client::kPlansPurgeMethod),
                                       server_.channel(), &server_.signer(), absl::Seconds(30));
  auto report = target.Purge(WholeCohort());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->counts(0).kind(), "plans");
  EXPECT_EQ(report->counts(0).deleted(), 1);
  EXPECT_EQ(ListedPlans(), 0);
}

}  // namespace
}  // namespace kaizen::plans

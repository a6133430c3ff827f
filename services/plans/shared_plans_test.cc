// GetSharedPlanStages and the result-change log, on real in-memory SQLite
// with the fake roster (consent set per person) and a fake provision
// recorder: who sees what (team plans only with every owner's consent),
// what is recorded, what the log announces.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "clients/partner/fake_provision_recorder.h"
#include "clients/partner/partner_client_errors.h"
#include "clients/partner/shared_read.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/testing/principals.h"
#include "gtest/gtest.h"
#include "services/plans/plans_test_util.h"

namespace kaizen::plans {
namespace shared_plans_test {

using namespace ::kaizen::plans::testing;  // NOLINT
using ::kaizen::type::ListResultChangesRequest;
using ::kaizen::type::ListResultChangesResponse;

constexpr char kMatsusaka[] = "242047";

// p1, p2 (松阪市) and p3 (131016) consent to share their action plan; p4
// does not.
ev1::Roster ConsentingRoster() {
  ev1::Roster roster = Fy2022Roster();
  for (auto& e : *roster.mutable_entries()) {
    if (e.participant() != Person("p4")) e.mutable_consent()->set_share_action_plan(true);
  }
  return roster;
}

class SharedPlansTest : public PlansTest {
 protected:
  void SetUp() override {
    PlansTest::SetUp();
    roster_.SetRoster(ConsentingRoster());
    gate_ = std::make_unique<partner_client::SharedReadGate>(&roster_, &recorder_);
    plans_ = std::make_unique<Plans>(store_.get(), &roster_, &meetings_, &outcomes_, &clock_,
                                     PlansConfig{"plans-page-key-0123456789"}, gate_.get());
  }

  v1::Plan Team(const std::vector<std::string>& ids, const std::string& title) {
    v1::CreatePlanRequest r;
    r.set_parent(kCohort);
    r.mutable_plan()->set_title(title);
    *r.mutable_plan()->mutable_draft() = SampleContent();
    for (const auto& id : ids) r.mutable_plan()->add_owners(Person(id));
    auto plan = plans_->CreatePlan(Navigator(), r);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : v1::Plan();
  }

  absl::StatusOr<v1::Plan> Submit(const Principal& p, const std::string& name, v1::Stage stage,
                                  const std::string& late_reason = "",
                                  const std::string& etag = "") {
    v1::GetPlanRequest g;
    g.set_name(name);
    auto plan = plans_->GetPlan(p, g);
    v1::SubmitStageRequest s;
    s.set_name(name);
    s.set_stage(stage);
    s.set_etag(!etag.empty() ? etag : plan.ok() ? plan->etag() : "stale");
    s.set_late_reason(late_reason);
    return plans_->SubmitStage(p, s);
  }

  // p1's own plan, committed and presented (INTERIM).
  v1::Plan PresentedOwn() {
    const v1::Plan plan = CreateFor(1, "旗手への5年計画");
    Commit(Participant(1), plan.name());
    auto presented = Submit(Participant(1), plan.name(), v1::INTERIM);
    EXPECT_TRUE(presented.ok()) << presented.status();
    return presented.ok() ? *presented : v1::Plan();
  }

  // A team plan of `ids`, committed by the first owner and presented.
  v1::Plan PresentedTeam(const std::vector<std::string>& ids, const std::string& title) {
    const v1::Plan plan = Team(ids, title);
    const int first = ids[0].back() - '0';
    Commit(Participant(first), plan.name());
    auto presented = Submit(Participant(first), plan.name(), v1::INTERIM);
    EXPECT_TRUE(presented.ok()) << presented.status();
    return presented.ok() ? *presented : v1::Plan();
  }

  absl::StatusOr<v1::SharedPlanStages> Shared(const Principal& as, const std::string& who,
                                              const std::string& bundle = "") {
    v1::GetSharedPlanStagesRequest r;
    r.set_participant(who);
    r.set_bundle(bundle);
    return plans_->GetSharedPlanStages(as, r);
  }

  void SetConsent(const std::string& id, bool share) {
    ev1::Roster roster = ConsentingRoster();
    for (auto& e : *roster.mutable_entries()) {
      if (e.participant() == Person(id)) e.mutable_consent()->set_share_action_plan(share);
    }
    roster_.SetRoster(roster);
  }

  ListResultChangesResponse Changes(int64_t after = 0, int page_size = 1000) {
    ListResultChangesRequest r;
    r.set_after_sequence(after);
    r.set_page_size(page_size);
    auto out = plans_->ListResultChanges(auth::ServicePrincipal("enrollment"), r);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : ListResultChangesResponse();
  }

  std::vector<std::string> Logged(int64_t after = 0) {
    std::vector<std::string> out;
    const ListResultChangesResponse page = Changes(after);
    for (const auto& c : page.changes()) {
      EXPECT_EQ(c.category(), kaizen::type::SHARE_ACTION_PLAN);
      out.push_back(c.participant());
    }
    return out;
  }

  static bool NotShared(const absl::Status& s) {
    return s.code() == absl::StatusCode::kPermissionDenied &&
           errors::Reason(s) == partner_client::kNotSharedWithPartner;
  }

  partner_client::FakeProvisionRecorder recorder_;
  std::unique_ptr<partner_client::SharedReadGate> gate_;
};

TEST_F(SharedPlansTest, PartnerSeesPresentedStagesOfItsConsentingStaffAndTheReadIsRecorded) {
  const v1::Plan own = PresentedOwn();
  CreateFor(1, "まだ発表していない計画");  // nothing presented: not shared
  auto got = Shared(testkit::PartnerHr(kMatsusaka), Person("p1"), "bundle-1");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->participant(), Person("p1"));
  ASSERT_EQ(got->plans_size(), 1);
  const auto& plan = got->plans(0);
  EXPECT_EQ(plan.plan(), own.name());
  EXPECT_EQ(plan.title(), "旗手への5年計画");
  EXPECT_EQ(plan.owner_count(), 1);
  ASSERT_EQ(plan.stages_size(), 1);
  EXPECT_EQ(plan.stages(0).stage(), v1::INTERIM);
  EXPECT_EQ(plan.stages(0).revision(), 1);
  EXPECT_FALSE(plan.stages(0).late());
  EXPECT_EQ(plan.stages(0).content().vision(), SampleContent().vision());

  const auto requests = recorder_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method(), "/kaizen.plans.v1.PlansService/GetSharedPlanStages");
  EXPECT_EQ(requests[0].bundle(), "bundle-1");
  EXPECT_EQ(requests[0].recipient().municipality_code(), kMatsusaka);
  ASSERT_EQ(requests[0].items_size(), 1);
  EXPECT_EQ(requests[0].items(0).participant(), Person("p1"));
  EXPECT_EQ(requests[0].items(0).category(), kaizen::type::SHARE_ACTION_PLAN);
  const auto& items = requests[0].items(0).data_items();
  EXPECT_EQ(std::vector<std::string>(items.begin(), items.end()),
            (std::vector<std::string>{"plan.stage_versions", "plan.title", "plan.owner_count"}));
}

TEST_F(SharedPlansTest, TheMethodNameIsTheProtosOwn) {
  const auto* method = v1::GetSharedPlanStagesRequest::descriptor()
                           ->file()
                           ->FindServiceByName("PlansService")
                           ->FindMethodByName("GetSharedPlanStages");
  ASSERT_NE(method, nullptr);
  EXPECT_EQ(std::string(kGetSharedPlanStagesMethod),
            "/" + method->service()->full_name() + "/" + method->name());
}

TEST_F(SharedPlansTest, ATeamPlanIsSharedOnlyWhileEveryOwnerConsents) {
  PresentedTeam({"p1", "p2"}, "松阪チームの計画");
  PresentedTeam({"p1", "p4"}, "p4 は同意していない");
  auto got = Shared(testkit::PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->plans_size(), 1);
  EXPECT_EQ(got->plans(0).title(), "松阪チームの計画");
  EXPECT_EQ(got->plans(0).owner_count(), 2);

  SetConsent("p2", false);  // p2 revokes: the team plan goes from p1's answer too
  got = Shared(testkit::PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->plans_size(), 0);
  // The same rule for the person and the secretariat (what an employer sees).
  EXPECT_EQ(Shared(Participant(1), Person("p1"))->plans_size(), 0);
}

TEST_F(SharedPlansTest, AnOwnerNoLongerOnTheRosterCountsAsNotConsenting) {
  PresentedTeam({"p1", "p2"}, "松阪チームの計画");
  EXPECT_EQ(Shared(testkit::PartnerHr(kMatsusaka), Person("p1"))->plans_size(), 1);
  ev1::Roster roster = ConsentingRoster();
  auto* entries = roster.mutable_entries();
  entries->erase(std::remove_if(entries->begin(), entries->end(),
                                [](const ev1::Roster::Entry& e) {
                                  return e.participant() == Person("p2");
                                }),
                 entries->end());
  roster_.SetRoster(roster);
  EXPECT_EQ(Shared(testkit::PartnerHr(kMatsusaka), Person("p1"))->plans_size(), 0);
}

// Reviewer 2, repro 1: a team plan co-written by p3 (employed by 131016)
// went to 松阪市's key, and the provision record named p1 only. Now it goes
// to nobody's HR (each owner's work may reach only their own employer), for
// every reader alike, and nothing is recorded for what is not provided.
TEST_F(SharedPlansTest, Reviewer2CrossTownCoOwnerDataGoesToAnotherTownUnrecorded) {
  PresentedTeam({"p1", "p3"}, "町を越えたチーム");
  auto got = Shared(testkit::PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->plans_size(), 0) << "131016 employee's co-written plan went to 242047";
  EXPECT_TRUE(recorder_.requests().empty());
  // Nor to 131016's key through p3.
  got = Shared(testkit::PartnerHr("131016"), Person("p3"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->plans_size(), 0);
  EXPECT_EQ(Shared(Participant(1), Person("p1"))->plans_size(), 0);
  EXPECT_EQ(Shared(Secretariat(), Person("p3"))->plans_size(), 0);
}

// The provision record names every owner of what is provided: one request,
// an item per person with the same category and data items.
TEST_F(SharedPlansTest, TheRecordNamesEveryOwnerOfAProvidedTeamPlan) {
  PresentedTeam({"p1", "p2"}, "松阪チームの計画");
  PresentedOwn();
  PresentedTeam({"p2", "p1"}, "二つ目のチーム計画");  // p2 again: recorded once
  PresentedTeam({"p1", "p3"}, "町を越えたチーム");   // not provided: p3 not recorded
  auto got = Shared(testkit::PartnerHr(kMatsusaka), Person("p1"), "bundle-7");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->plans_size(), 3);
  const auto requests = recorder_.requests();
  ASSERT_EQ(requests.size(), 1u);
  ASSERT_EQ(requests[0].items_size(), 2);
  EXPECT_EQ(requests[0].items(0).participant(), Person("p1"));
  EXPECT_EQ(requests[0].items(1).participant(), Person("p2"));
  for (const auto& item : requests[0].items()) {
    EXPECT_EQ(item.category(), kaizen::type::SHARE_ACTION_PLAN);
    EXPECT_EQ(item.data_items_size(), 3);
  }
  EXPECT_EQ(requests[0].bundle(), "bundle-7");
}

// A co-owner's consent revoked between the roster read and the record:
// enrollment refuses their item, and the whole answer is refused.
TEST_F(SharedPlansTest, ACoOwnerRefusedAtTheRecordProvidesNothing) {
  PresentedOwn();
  PresentedTeam({"p1", "p2"}, "松阪チームの計画");
  recorder_.Refuse(Person("p2"), kaizen::type::SHARE_ACTION_PLAN);
  EXPECT_TRUE(NotShared(Shared(testkit::PartnerHr(kMatsusaka), Person("p1")).status()));
  // Once the roster says so too, the team plan is left out and the rest goes.
  SetConsent("p2", false);
  auto got = Shared(testkit::PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->plans_size(), 1);
  EXPECT_EQ(got->plans(0).owner_count(), 1);
  EXPECT_EQ(recorder_.requests().back().items_size(), 1);
}

TEST_F(SharedPlansTest, OneRefusalForAnotherTownNoConsentUnknownPersonOrCohort) {
  PresentedOwn();
  const Principal partner = testkit::PartnerHr(kMatsusaka);
  EXPECT_TRUE(NotShared(Shared(partner, Person("p3")).status()));  // 131016
  EXPECT_TRUE(NotShared(Shared(partner, Person("p9")).status()));
  EXPECT_TRUE(NotShared(Shared(partner, Person("navigator")).status()));
  EXPECT_TRUE(NotShared(Shared(partner, "cohorts/nowhere/participants/p1").status()));
  SetConsent("p1", false);
  EXPECT_TRUE(NotShared(Shared(partner, Person("p1")).status()));
  EXPECT_TRUE(recorder_.requests().empty());
}

TEST_F(SharedPlansTest, ConsentRevokedBeforeTheRecordProvidesNothing) {
  PresentedOwn();
  recorder_.Refuse(Person("p1"), kaizen::type::SHARE_ACTION_PLAN);
  EXPECT_TRUE(NotShared(Shared(testkit::PartnerHr(kMatsusaka), Person("p1")).status()));
}

TEST_F(SharedPlansTest, EnrollmentDownIsUnavailable) {
  PresentedOwn();
  recorder_.SetUnavailable(true);
  EXPECT_EQ(Shared(testkit::PartnerHr(kMatsusaka), Person("p1")).status().code(),
            absl::StatusCode::kUnavailable);
  recorder_.SetUnavailable(false);
  roster_.SetUnavailable(true);
  EXPECT_EQ(errors::Reason(Shared(testkit::PartnerHr(kMatsusaka), Person("p1")).status()),
            "ENROLLMENT_UNAVAILABLE");
}

TEST_F(SharedPlansTest, SecretariatAndTheSelfReadWithoutRecordsOthersMayNot) {
  PresentedOwn();
  EXPECT_EQ(Shared(Secretariat(), Person("p1"))->plans_size(), 1);
  EXPECT_EQ(Shared(Participant(1), Person("p1"))->plans_size(), 1);
  EXPECT_TRUE(recorder_.requests().empty());
  for (const Principal& other : {Participant(2), Navigator(), testkit::Service("survey")}) {
    EXPECT_EQ(errors::Reason(Shared(other, Person("p1")).status()),
              partner_client::kOwnResultsOnly);
  }
}

TEST_F(SharedPlansTest, NothingPresentedIsAnEmptyAnswerWithoutARecord) {
  CreateFor(1);
  auto got = Shared(testkit::PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->plans_size(), 0);
  EXPECT_TRUE(recorder_.requests().empty());
}

TEST_F(SharedPlansTest, StageVersionsAndTitlesAreLoggedPerOwnerInTheirTransaction) {
  const v1::Plan team = Team({"p1", "p2"}, "松阪チームの計画");
  Commit(Participant(1), team.name());
  EXPECT_FALSE(Submit(Participant(1), team.name(), v1::INTERIM, "", "stale-etag").ok());
  EXPECT_TRUE(Logged().empty());  // a failed write logs nothing
  ASSERT_TRUE(Submit(Participant(1), team.name(), v1::INTERIM).ok());
  EXPECT_EQ(Logged(), (std::vector<std::string>{Person("p1"), Person("p2")}));

  // A new title of a presented plan is a change; of an unpresented one, not.
  int64_t cursor = Changes().last_sequence();
  auto retitle = [&](const Principal& as, const std::string& name) {
    v1::GetPlanRequest g;
    g.set_name(name);
    auto plan = plans_->GetPlan(as, g);
    EXPECT_TRUE(plan.ok()) << plan.status();
    v1::UpdatePlanRequest u;
    u.mutable_plan()->set_name(name);
    u.mutable_plan()->set_etag(plan.ok() ? plan->etag() : "");
    u.mutable_plan()->set_title("新しい題");
    u.mutable_update_mask()->add_paths("title");
    return plans_->UpdatePlan(as, u).status();
  };
  ASSERT_TRUE(retitle(Participant(2), team.name()).ok());
  EXPECT_EQ(Logged(cursor).size(), 2u);
  const v1::Plan own = CreateFor(3);
  cursor = Changes().last_sequence();
  ASSERT_TRUE(retitle(Participant(3), own.name()).ok());
  EXPECT_TRUE(Logged(cursor).empty());

  // A late submission by the secretariat is logged too.
  Commit(Participant(3), own.name());
  clock_.Set(Meeting6() + absl::Hours(1));
  ASSERT_TRUE(Submit(Secretariat(), own.name(), v1::INTERIM, "当日提出").ok());
  EXPECT_EQ(Logged(cursor), std::vector<std::string>{Person("p3")});
  auto got = Shared(Participant(3), Person("p3"));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->plans_size(), 1);
  EXPECT_TRUE(got->plans(0).stages(0).late());
}

TEST_F(SharedPlansTest, ErasureDeletesThePersonsRowsAndTellsTheTeamMates) {
  PresentedTeam({"p1", "p2"}, "松阪チームの計画");
  PresentedOwn();
  kaizen::type::PurgeRequest erase;
  erase.set_cohort(kCohort);
  erase.set_participant(Person("p2"));
  const int64_t before = Changes().last_sequence();
  auto report = plans_->PurgePersonalData(auth::ServicePrincipal("enrollment"), erase);
  ASSERT_TRUE(report.ok()) << report.status();
  const auto& last = report->counts(report->counts_size() - 1);
  EXPECT_EQ(last.kind(), "result_changes");
  EXPECT_EQ(last.deleted(), 1);  // the team plan's INTERIM
  for (const std::string& p : Logged()) EXPECT_NE(p, Person("p2"));
  EXPECT_EQ(Logged(before), std::vector<std::string>{Person("p1")});  // one owner fewer
  EXPECT_EQ(Shared(Participant(1), Person("p1"))->plans(0).owner_count(), 1);

  kaizen::type::PurgeRequest purge;
  purge.set_cohort(kCohort);
  ASSERT_TRUE(plans_->PurgePersonalData(auth::ServicePrincipal("enrollment"), purge).ok());
  EXPECT_TRUE(Logged().empty());
}

TEST_F(SharedPlansTest, ListResultChangesIsForEnrollmentOnlyAndPages) {
  PresentedTeam({"p1", "p2"}, "松阪チームの計画");
  PresentedOwn();
  PresentedTeam({"p3", "p4"}, "もう一つ");  // 2 + 1 + 2 rows
  ListResultChangesRequest r;
  for (const Principal& other : {Secretariat(), testkit::Service("scheduling")}) {
    EXPECT_EQ(errors::Reason(plans_->ListResultChanges(other, r).status()), "ENROLLMENT_ONLY");
  }
  r.set_page_size(1001);
  EXPECT_EQ(plans_->ListResultChanges(auth::ServicePrincipal("enrollment"), r).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<int64_t> seen;
  int64_t cursor = 0;
  for (int pages = 0; pages < 10; ++pages) {
    const ListResultChangesResponse page = Changes(cursor, 2);
    EXPECT_LE(page.changes_size(), 2);
    for (const auto& c : page.changes()) seen.push_back(c.sequence());
    if (page.last_sequence() == cursor) break;
    cursor = page.last_sequence();
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

}  // namespace
}  // namespace kaizen::plans

// The enrollment rules against real in-memory SQLite and a fake clock.
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "common/util/ids.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace enrollment_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

std::string FieldOf(const absl::Status& s) {
  auto bad = errors::GetBadRequest(s);
  return bad.has_value() && bad->field_violations_size() > 0
             ? bad->field_violations(0).field()
             : "";
}

class EnrollmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    enrollment_ = std::make_unique<Enrollment>(
        store_.get(), &clock_,
        WithoutEmailConfirmation(EnrollmentConfig{
            "page-token-key-0123456789", "access-key-0123456789", "claim-key-0123456789"}));
    cohort_ = MakeOpenCohort(Fy2022Cohort(), "fy2022");
  }

  std::string MakeOpenCohort(v1::Cohort cohort, const std::string& id) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = cohort;
    create.set_cohort_id(id);
    auto created = enrollment_->CreateCohort(Secretariat(), create);
    EXPECT_TRUE(created.ok()) << created.status();
    v1::TransitionCohortRequest open;
    open.set_name(created->name());
    open.set_state(v1::Cohort::OPEN);
    EXPECT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
    return created->name();
  }

  v1::Application MustApply(int n, const std::string& town, int team = 1) {
    auto app = enrollment_->CreateApplication(Anonymous(), Apply(cohort_, n, town, team));
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() ? *app : v1::Application();
  }

  v1::Cohort Cohort() {
    v1::GetCohortRequest get;
    get.set_name(cohort_);
    return *enrollment_->GetCohort(Secretariat(), get);
  }

  v1::Application Get(const std::string& name) {
    v1::GetApplicationRequest get;
    get.set_name(name);
    auto app = enrollment_->GetApplication(Secretariat(), get);
    EXPECT_TRUE(app.ok()) << app.status();
    return *app;
  }

  // Makes `who` (a staff principal) staff of the current cohort.
  void AddStaff(const Principal& who, v1::Participant::Role role) {
    v1::CreateParticipantRequest r;
    r.set_parent(cohort_);
    r.mutable_participant()->set_display_name("架空 スタッフ");
    r.mutable_participant()->set_role(role);
    r.mutable_participant()->set_subject(who.subject());
    ASSERT_TRUE(enrollment_->CreateParticipant(Secretariat(), r).ok());
  }

  absl::StatusOr<v1::Application> Withdraw(const v1::Application& app) {
    v1::WithdrawApplicationRequest w;
    w.set_name(app.name());
    return enrollment_->WithdrawApplication(WithToken(app.access_token()), w);
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
  std::string cohort_;
};

// ------------------------------------------------------------ cohorts

TEST_F(EnrollmentTest, CohortIsCreatedAsDraftWithDefaults) {
  v1::CreateCohortRequest create;
  *create.mutable_cohort() = Fy2022Cohort();
  auto c = enrollment_->CreateCohort(Secretariat(), create);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->state(), v1::Cohort::DRAFT);
  EXPECT_EQ(c->offer_ttl().seconds(), 48 * 3600);
  EXPECT_EQ(c->retention_days(), 365);
  EXPECT_EQ(c->max_waitlist(), 50);
  EXPECT_FALSE(c->etag().empty());
  // Drafts are hidden from the public.
  v1::GetCohortRequest get;
  get.set_name(c->name());
  EXPECT_EQ(enrollment_->GetCohort(Anonymous(), get).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(EnrollmentTest, OnlySecretariatCreatesCohorts) {
  v1::CreateCohortRequest create;
  *create.mutable_cohort() = Fy2022Cohort();
  EXPECT_EQ(enrollment_->CreateCohort(Navigator(), create).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(enrollment_->CreateCohort(Anonymous(), create).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(EnrollmentTest, InvalidCohortNamesEveryBadField) {
  v1::CreateCohortRequest create;
  *create.mutable_cohort() = Fy2022Cohort();
  create.mutable_cohort()->set_capacity(0);
  create.mutable_cohort()->mutable_fee()->set_currency_code("USD");
  auto c = enrollment_->CreateCohort(Secretariat(), create);
  ASSERT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  auto bad = errors::GetBadRequest(c.status());
  std::vector<std::string> fields;
  for (const auto& v : bad->field_violations()) fields.push_back(v.field());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "cohort.capacity"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "cohort.fee.currency_code"), fields.end());
}

TEST_F(EnrollmentTest, RepeatedRequestIdReturnsFirstCohort) {
  v1::CreateCohortRequest create;
  *create.mutable_cohort() = Fy2022Cohort();
  create.set_request_id("req-1");
  auto first = enrollment_->CreateCohort(Secretariat(), create);
  auto second = enrollment_->CreateCohort(Secretariat(), create);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->name(), second->name());
  create.mutable_cohort()->set_title("別の研究会");
  EXPECT_EQ(errors::Reason(enrollment_->CreateCohort(Secretariat(), create).status()),
            "REQUEST_ID_REUSED");
}

TEST_F(EnrollmentTest, StaleEtagIsAborted) {
  v1::Cohort current = Cohort();
  v1::UpdateCohortRequest update;
  *update.mutable_cohort() = current;
  update.mutable_cohort()->set_title("改名1");
  update.mutable_update_mask()->add_paths("title");
  ASSERT_TRUE(enrollment_->UpdateCohort(Secretariat(), update).ok());
  update.mutable_cohort()->set_title("改名2");  // still the old etag
  auto stale = enrollment_->UpdateCohort(Secretariat(), update);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(errors::Reason(stale.status()), "ETAG_MISMATCH");
  EXPECT_EQ(Cohort().title(), "改名1");
}

TEST_F(EnrollmentTest, UpdateMaskIsRequiredAndChecked) {
  v1::UpdateCohortRequest update;
  *update.mutable_cohort() = Cohort();
  EXPECT_EQ(errors::Reason(enrollment_->UpdateCohort(Secretariat(), update).status()),
            "UPDATE_MASK_REQUIRED");
  update.mutable_update_mask()->add_paths("state");
  EXPECT_EQ(FieldOf(enrollment_->UpdateCohort(Secretariat(), update).status()),
            "update_mask");
}

TEST_F(EnrollmentTest, CapacityCannotDropBelowSeatsTaken) {
  for (int i = 0; i < 3; ++i) MustApply(i, kTowns[0]);
  v1::UpdateCohortRequest update;
  *update.mutable_cohort() = Cohort();
  update.mutable_cohort()->set_capacity(2);
  update.mutable_cohort()->set_max_municipalities(2);
  update.mutable_update_mask()->add_paths("capacity");
  update.mutable_update_mask()->add_paths("max_municipalities");
  EXPECT_EQ(errors::Reason(enrollment_->UpdateCohort(Secretariat(), update).status()),
            "CAPACITY_BELOW_TAKEN");
}

TEST_F(EnrollmentTest, InvalidTransitionNamesStates) {
  v1::TransitionCohortRequest t;
  t.set_name(cohort_);
  t.set_state(v1::Cohort::FINISHED);
  auto r = enrollment_->TransitionCohort(Secretariat(), t);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(r.status()), "INVALID_STATE_TRANSITION");
}

TEST_F(EnrollmentTest, ListCohortsPaginatesWithOpaqueTokens) {
  for (int i = 0; i < 4; ++i) MakeOpenCohort(Fy2022Cohort(), absl::StrCat("c", i));
  v1::ListCohortsRequest list;
  list.set_page_size(2);
  std::vector<std::string> names;
  for (int page = 0; page < 5; ++page) {
    auto r = enrollment_->ListCohorts(Anonymous(), list);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const auto& c : r->cohorts()) names.push_back(c.name());
    if (r->next_page_token().empty()) break;
    list.set_page_token(r->next_page_token());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"cohorts/c3", "cohorts/c2", "cohorts/c1",
                                             "cohorts/c0", "cohorts/fy2022"}));
  list.set_page_token("tampered" + list.page_token());
  EXPECT_EQ(errors::Reason(enrollment_->ListCohorts(Anonymous(), list).status()),
            "INVALID_PAGE_TOKEN");
}

// ------------------------------------------------------------ applications

TEST_F(EnrollmentTest, EligibleApplicantIsAcceptedWithParticipant) {
  v1::Application app = MustApply(1, kTowns[2]);
  EXPECT_EQ(app.state(), v1::Application::ACCEPTED);
  EXPECT_EQ(app.participants_size(), 1);
  EXPECT_FALSE(app.access_token().empty());
  ASSERT_EQ(app.history_size(), 2);
  EXPECT_EQ(app.history(0).state(), v1::Application::SUBMITTED);
  EXPECT_EQ(Cohort().seats_taken(), 1);
  v1::GetParticipantRequest get;
  get.set_name(app.participants(0));
  auto p = enrollment_->GetParticipant(Secretariat(), get);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->display_name(), "山田 太郎100");
  EXPECT_EQ(p->fee_status(), v1::Participant::UNPAID);
  EXPECT_TRUE(p->consent().share_attendance());
}

// Rows written in bulk get ids in creation order (common/util/ids.h,
// NewTimeOrderedId), so each insert lands on the page of the last one in
// the id indexes (docs/benchmarks.md, tenth look).
TEST_F(EnrollmentTest, ApplicationAndParticipantIdsSortInCreationOrder) {
  auto id_of = [](const std::string& name) { return name.substr(name.rfind('/') + 1); };
  std::vector<std::string> applications, participants;
  for (int i = 0; i < 5; ++i) {  // random ids would be in this order once in 120
    const v1::Application app = MustApply(i, kTowns[i]);
    ASSERT_EQ(app.participants_size(), 1);
    applications.push_back(id_of(app.name()));
    participants.push_back(id_of(app.participants(0)));
    clock_.Advance(absl::Milliseconds(5));
  }
  v1::CreateParticipantRequest staff;
  staff.set_parent(cohort_);
  staff.mutable_participant()->set_display_name("架空 スタッフ");
  staff.mutable_participant()->set_role(v1::Participant::NAVIGATOR);
  auto made = enrollment_->CreateParticipant(Secretariat(), staff);
  ASSERT_TRUE(made.ok()) << made.status();
  participants.push_back(id_of(made->name()));
  EXPECT_TRUE(std::is_sorted(applications.begin(), applications.end()));
  EXPECT_TRUE(std::is_sorted(participants.begin(), participants.end()));
}

TEST_F(EnrollmentTest, BadMunicipalityCodeNamesTheField) {
  auto request = Apply(cohort_, 1, "131017");  // wrong check digit
  auto r = enrollment_->CreateApplication(Anonymous(), request);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(r.status()), "application.members[0].municipality_code");
  EXPECT_EQ(errors::Reason(r.status()), "MUNICIPALITY_CODE_CHECK_DIGIT");
}

TEST_F(EnrollmentTest, AgeOutOfRangeNamesTheField) {
  auto request = Apply(cohort_, 1, kTowns[0], 2);
  // 40 on 2022-07-24.
  request.mutable_application()->mutable_members(1)->mutable_birth_date()->set_year(1982);
  auto r = enrollment_->CreateApplication(Anonymous(), request);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(r.status()), "application.members[1].birth_date");
  EXPECT_EQ(errors::Reason(r.status()), "AGE_OUT_OF_RANGE");
  EXPECT_EQ(Cohort().seats_taken(), 0);  // nothing half-written
}

TEST_F(EnrollmentTest, SecretariatCanOverrideEligibilityWithReason) {
  auto request = Apply(cohort_, 1, kTowns[0]);
  request.mutable_application()->mutable_members(0)->mutable_birth_date()->set_year(1980);
  request.set_eligibility_override_reason("推薦により特別に受け入れ");
  EXPECT_EQ(enrollment_->CreateApplication(Anonymous(), request).status().code(),
            absl::StatusCode::kUnauthenticated);
  auto r = enrollment_->CreateApplication(Secretariat(), request);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state(), v1::Application::ACCEPTED);
  EXPECT_EQ(r->eligibility_override_reason(), "推薦により特別に受け入れ");
  EXPECT_EQ(r->history(1).reason(), "ELIGIBILITY_OVERRIDDEN");
}

TEST_F(EnrollmentTest, TeamMustShareOneMunicipality) {
  auto request = Apply(cohort_, 1, kTowns[0], 2);
  request.mutable_application()->mutable_members(1)->set_municipality_code(kTowns[1]);
  auto r = enrollment_->CreateApplication(Anonymous(), request);
  EXPECT_EQ(FieldOf(r.status()), "application.members[1].municipality_code");
  EXPECT_EQ(errors::Reason(r.status()), "TEAM_MUNICIPALITY_MISMATCH");
}

TEST_F(EnrollmentTest, KanaAndEmailAreValidated) {
  auto request = Apply(cohort_, 1, kTowns[0]);
  request.mutable_application()->mutable_members(0)->set_kana("Yamada");
  request.mutable_application()->mutable_members(0)->set_email("not-an-email");
  auto r = enrollment_->CreateApplication(Anonymous(), request);
  auto bad = errors::GetBadRequest(r.status());
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 2);
  EXPECT_EQ(bad->field_violations(0).field(), "application.members[0].kana");
  EXPECT_EQ(bad->field_violations(1).field(), "application.members[0].email");
}

TEST_F(EnrollmentTest, SameEmailCannotApplyTwice) {
  MustApply(1, kTowns[0]);
  auto r = enrollment_->CreateApplication(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(errors::Reason(r.status()), "DUPLICATE_APPLICANT");
}

TEST_F(EnrollmentTest, RepeatedRequestIdReturnsFirstApplicationAndToken) {
  auto request = Apply(cohort_, 1, kTowns[0]);
  request.set_request_id("b7c1d0e2-retry");
  auto first = enrollment_->CreateApplication(Anonymous(), request);
  auto second = enrollment_->CreateApplication(Anonymous(), request);
  ASSERT_TRUE(first.ok() && second.ok()) << second.status();
  EXPECT_EQ(first->name(), second->name());
  EXPECT_EQ(first->access_token(), second->access_token());
  EXPECT_EQ(Cohort().seats_taken(), 1);
}

TEST_F(EnrollmentTest, ApplicationsOnlyWhileOpenAndInWindow) {
  clock_.Set(absl::FromUnixSeconds(1656601200));  // close time: exclusive
  auto r = enrollment_->CreateApplication(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  EXPECT_EQ(errors::Reason(r.status()), "APPLICATION_WINDOW_CLOSED");
  clock_.Set(June1());
  v1::TransitionCohortRequest close;
  close.set_name(cohort_);
  close.set_state(v1::Cohort::CLOSED);
  ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), close).ok());
  r = enrollment_->CreateApplication(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  EXPECT_EQ(errors::Reason(r.status()), "COHORT_NOT_OPEN");
}

TEST_F(EnrollmentTest, FullCohortWaitlistsInArrivalOrder) {
  for (int i = 0; i < 10; ++i) MustApply(i, kTowns[i % 3]);
  v1::Application w1 = MustApply(20, kTowns[0]);
  v1::Application w2 = MustApply(21, kTowns[1]);
  EXPECT_EQ(w1.state(), v1::Application::WAITLISTED);
  EXPECT_EQ(w1.history(1).reason(), "COHORT_FULL");
  EXPECT_EQ(w1.waitlist_position(), 1);
  EXPECT_EQ(w2.waitlist_position(), 2);
  EXPECT_EQ(Cohort().seats_taken(), 10);
}

TEST_F(EnrollmentTest, SeventhMunicipalityWaitsEvenWithSeatsFree) {
  for (int i = 0; i < 6; ++i) MustApply(i, kTowns[i]);
  v1::Application seventh = MustApply(6, kTowns[6]);
  EXPECT_EQ(seventh.state(), v1::Application::WAITLISTED);
  EXPECT_EQ(seventh.history(1).reason(), "MUNICIPALITY_LIMIT_REACHED");
  EXPECT_EQ(Cohort().seats_taken(), 6);
  EXPECT_EQ(Cohort().municipalities_taken(), 6);
  // Someone from a town already in still gets a seat.
  EXPECT_EQ(MustApply(7, kTowns[0]).state(), v1::Application::ACCEPTED);
}

TEST_F(EnrollmentTest, TeamIsAcceptedWholeOrWaits) {
  for (int i = 0; i < 8; ++i) MustApply(i, kTowns[0]);
  v1::Application team = MustApply(50, kTowns[1], 3);
  EXPECT_EQ(team.state(), v1::Application::WAITLISTED);
  EXPECT_EQ(Cohort().seats_taken(), 8);
  v1::Application pair = MustApply(51, kTowns[1], 2);
  EXPECT_EQ(pair.state(), v1::Application::ACCEPTED);
  EXPECT_EQ(pair.participants_size(), 2);
}

TEST_F(EnrollmentTest, PartialTeamTakesWhatFitsWhenAllowed) {
  v1::Cohort c = Fy2022Cohort();
  c.set_allow_partial_team(true);
  cohort_ = MakeOpenCohort(c, "partial");
  for (int i = 0; i < 8; ++i) MustApply(i, kTowns[0]);
  v1::Application team = MustApply(50, kTowns[1], 3);
  EXPECT_EQ(team.state(), v1::Application::ACCEPTED);
  EXPECT_EQ(team.admitted_member_count(), 2);
  EXPECT_EQ(team.participants_size(), 2);
  EXPECT_EQ(Cohort().seats_taken(), 10);
}

TEST_F(EnrollmentTest, WithdrawalOffersSeatToNextEligibleSkippingMunicipalityLimit) {
  // 6 towns in, 10 seats taken; town 0 holds 5 seats.
  std::vector<v1::Application> in;
  for (int i = 0; i < 5; ++i) in.push_back(MustApply(i, kTowns[0]));
  for (int i = 1; i < 6; ++i) in.push_back(MustApply(10 + i, kTowns[i]));
  v1::Application seventh_town = MustApply(30, kTowns[6]);  // first in queue
  v1::Application town0 = MustApply(31, kTowns[0]);         // second
  ASSERT_EQ(seventh_town.state(), v1::Application::WAITLISTED);
  ASSERT_EQ(town0.state(), v1::Application::WAITLISTED);

  // A town-0 person withdraws: town 0 stays in, so the 7th town still may
  // not join; the seat goes to the next eligible one.
  ASSERT_TRUE(Withdraw(in[0]).ok());
  EXPECT_EQ(Get(seventh_town.name()).state(), v1::Application::WAITLISTED);
  v1::Application offered = Get(town0.name());
  EXPECT_EQ(offered.state(), v1::Application::OFFERED);
  EXPECT_EQ(absl::FromUnixSeconds(offered.offer_expire_time().seconds()),
            June1() + absl::Hours(48));
  EXPECT_EQ(Cohort().seats_taken(), 10);  // the offer holds the seat

  // The participation of the withdrawn applicant was cancelled.
  v1::GetParticipantRequest get;
  get.set_name(in[0].participants(0));
  EXPECT_EQ(enrollment_->GetParticipant(Secretariat(), get)->state(),
            v1::Participant::CANCELLED);

  // When a whole town leaves, the 7th town's application gets its offer.
  ASSERT_TRUE(Withdraw(in[5]).ok());  // kTowns[1]'s only member
  EXPECT_EQ(Get(seventh_town.name()).state(), v1::Application::OFFERED);
}

TEST_F(EnrollmentTest, OfferExpiresAndPassesOn) {
  std::vector<v1::Application> in;
  for (int i = 0; i < 10; ++i) in.push_back(MustApply(i, kTowns[0]));
  v1::Application first = MustApply(20, kTowns[0]);
  v1::Application second = MustApply(21, kTowns[0]);
  ASSERT_TRUE(Withdraw(in[3]).ok());
  ASSERT_EQ(Get(first.name()).state(), v1::Application::OFFERED);

  clock_.Advance(absl::Hours(47));
  EXPECT_EQ(*enrollment_->ExpireLapsedOffers(), 0);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(*enrollment_->ExpireLapsedOffers(), 1);
  EXPECT_EQ(Get(first.name()).state(), v1::Application::EXPIRED);
  v1::Application next = Get(second.name());
  EXPECT_EQ(next.state(), v1::Application::OFFERED);

  // Taking up a lapsed offer fails and the lapse sticks.
  v1::AnswerOfferRequest answer;
  answer.set_name(first.name());
  EXPECT_EQ(errors::Reason(
                enrollment_->AcceptOffer(WithToken(first.access_token()), answer).status()),
            "OFFER_EXPIRED");

  answer.set_name(second.name());
  auto accepted = enrollment_->AcceptOffer(WithToken(second.access_token()), answer);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->state(), v1::Application::ACCEPTED);
  EXPECT_EQ(Cohort().seats_taken(), 10);
}

TEST_F(EnrollmentTest, AcceptingALapsedOfferReportsExpiryWithoutSweeper) {
  std::vector<v1::Application> in;
  for (int i = 0; i < 10; ++i) in.push_back(MustApply(i, kTowns[0]));
  v1::Application waiting = MustApply(20, kTowns[0]);
  ASSERT_TRUE(Withdraw(in[0]).ok());
  clock_.Advance(absl::Hours(49));
  v1::AnswerOfferRequest answer;
  answer.set_name(waiting.name());
  auto r = enrollment_->AcceptOffer(WithToken(waiting.access_token()), answer);
  EXPECT_EQ(errors::Reason(r.status()), "OFFER_EXPIRED");
  EXPECT_EQ(Get(waiting.name()).state(), v1::Application::EXPIRED);
}

TEST_F(EnrollmentTest, DecliningAnOfferPassesItOn) {
  std::vector<v1::Application> in;
  for (int i = 0; i < 10; ++i) in.push_back(MustApply(i, kTowns[0]));
  v1::Application a = MustApply(20, kTowns[0]);
  v1::Application b = MustApply(21, kTowns[0]);
  ASSERT_TRUE(Withdraw(in[0]).ok());
  v1::AnswerOfferRequest answer;
  answer.set_name(a.name());
  auto declined = enrollment_->DeclineOffer(WithToken(a.access_token()), answer);
  ASSERT_TRUE(declined.ok()) << declined.status();
  EXPECT_EQ(declined->state(), v1::Application::WITHDRAWN);
  EXPECT_EQ(Get(b.name()).state(), v1::Application::OFFERED);
}

TEST_F(EnrollmentTest, PriorityMovesAheadInTheQueue) {
  std::vector<v1::Application> in;
  for (int i = 0; i < 10; ++i) in.push_back(MustApply(i, kTowns[0]));
  v1::Application a = MustApply(20, kTowns[0]);
  v1::Application b = MustApply(21, kTowns[0]);
  v1::PrioritizeApplicationRequest p;
  p.set_name(b.name());
  p.set_priority(10);
  p.set_reason("チーム参加の自治体を優先");
  auto prioritized = enrollment_->PrioritizeApplication(Secretariat(), p);
  ASSERT_TRUE(prioritized.ok()) << prioritized.status();
  EXPECT_EQ(prioritized->waitlist_position(), 1);
  ASSERT_TRUE(Withdraw(in[0]).ok());
  EXPECT_EQ(Get(b.name()).state(), v1::Application::OFFERED);
  EXPECT_EQ(Get(a.name()).state(), v1::Application::WAITLISTED);
}

TEST_F(EnrollmentTest, ManualDecisionsRecordWhoAndWhy) {
  std::vector<v1::Application> in;
  for (int i = 0; i < 10; ++i) in.push_back(MustApply(i, kTowns[0]));
  v1::Application waiting = MustApply(20, kTowns[0]);
  v1::DecideApplicationRequest accept;
  accept.set_name(waiting.name());
  accept.set_reason("定員超過のため");
  EXPECT_EQ(errors::Reason(enrollment_->AcceptApplication(Secretariat(), accept).status()),
            "COHORT_FULL");
  accept.set_reason("");
  EXPECT_EQ(FieldOf(enrollment_->AcceptApplication(Secretariat(), accept).status()), "reason");

  v1::DecideApplicationRequest reject;
  reject.set_name(in[2].name());
  reject.set_reason("勤務先が対象外");
  auto rejected = enrollment_->RejectApplication(Secretariat(), reject);
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(rejected->history().rbegin()->actor(), "secretariat-1");
  EXPECT_EQ(rejected->history().rbegin()->reason(), "勤務先が対象外");
  // The freed seat is offered; the secretariat may accept the offer's
  // application directly.
  ASSERT_EQ(Get(waiting.name()).state(), v1::Application::OFFERED);
  accept.set_reason("事務局判断で確定");
  auto accepted = enrollment_->AcceptApplication(Secretariat(), accept);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->state(), v1::Application::ACCEPTED);
  EXPECT_EQ(Cohort().seats_taken(), 10);
}

TEST_F(EnrollmentTest, ApplicantSeesOnlyOwnApplication) {
  v1::Application mine = MustApply(1, kTowns[0]);
  v1::Application theirs = MustApply(2, kTowns[0]);
  v1::GetApplicationRequest get;
  get.set_name(theirs.name());
  auto r = enrollment_->GetApplication(WithToken(mine.access_token()), get);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::Reason(r.status()), "NOT_YOUR_APPLICATION");
  get.set_name(mine.name());
  EXPECT_TRUE(enrollment_->GetApplication(WithToken(mine.access_token()), get).ok());
  // A signed-in participant who did not submit it is refused too.
  EXPECT_EQ(enrollment_->GetApplication(User("someone"), get).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(EnrollmentTest, NavigatorSeesApplicationsWithoutEmailOrBirthDate) {
  AddStaff(Navigator(), v1::Participant::NAVIGATOR);
  v1::Application app = MustApply(1, kTowns[0]);
  v1::GetApplicationRequest get;
  get.set_name(app.name());
  auto seen = enrollment_->GetApplication(Navigator(), get);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(seen->members(0).display_name(), "山田 太郎100");
  EXPECT_TRUE(seen->members(0).email().empty());
  EXPECT_FALSE(seen->members(0).has_birth_date());
  v1::ListApplicationsRequest list;
  list.set_parent(cohort_);
  EXPECT_TRUE(enrollment_->ListApplications(Navigator(), list)->applications(0).members(0).email().empty());
  // The secretariat and the applicant see everything.
  EXPECT_EQ(enrollment_->GetApplication(Secretariat(), get)->members(0).email(),
            "person100@city.example.jp");
  EXPECT_TRUE(enrollment_->GetApplication(WithToken(app.access_token()), get)
                  ->members(0).has_birth_date());
}

TEST_F(EnrollmentTest, OtherStaffSeeParticipantsWithoutContactOrMoney) {
  AddStaff(User("obs", kaizen::type::ROLE_OBSERVER), v1::Participant::OBSERVER);
  v1::Application app = MustApply(1, kTowns[0]);
  v1::GetParticipantRequest get;
  get.set_name(app.participants(0));
  auto observer = enrollment_->GetParticipant(User("obs", kaizen::type::ROLE_OBSERVER), get);
  ASSERT_TRUE(observer.ok()) << observer.status();
  EXPECT_EQ(observer->display_name(), "山田 太郎100");
  EXPECT_TRUE(observer->email().empty());
  EXPECT_EQ(observer->fee_status(), v1::Participant::FEE_STATUS_UNSPECIFIED);
  EXPECT_EQ(enrollment_->GetParticipant(Secretariat(), get)->fee_status(),
            v1::Participant::UNPAID);
}

TEST_F(EnrollmentTest, StaffRolesOpenOnlyTheirOwnCohorts) {
  AddStaff(Navigator(), v1::Participant::NAVIGATOR);
  v1::Application app = MustApply(1, kTowns[0]);
  v1::ListApplicationsRequest list;
  list.set_parent(cohort_);
  EXPECT_TRUE(enrollment_->ListApplications(Navigator(), list).ok());
  // Another cohort, where this navigator is not staff.
  const std::string other = MakeOpenCohort(Fy2022Cohort(), "other");
  list.set_parent(other);
  EXPECT_EQ(enrollment_->ListApplications(Navigator(), list).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::ListParticipantsRequest people;
  people.set_parent(other);
  EXPECT_EQ(enrollment_->ListParticipants(User("obs", kaizen::type::ROLE_OBSERVER), people)
                .status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::GetRosterRequest roster;
  roster.set_parent(other);
  EXPECT_EQ(enrollment_->GetRoster(Navigator(), roster).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(enrollment_->GetRoster(Service(), roster).ok());
  // A staff participation without the matching role in the token opens nothing.
  v1::GetParticipantRequest get;
  get.set_name(app.participants(0));
  Principal advisor_token_only = User(Navigator().subject(), kaizen::type::ROLE_ADVISOR);
  EXPECT_EQ(enrollment_->GetParticipant(advisor_token_only, get).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(enrollment_->GetParticipant(Navigator(), get).ok());
}

TEST_F(EnrollmentTest, SignedInApplicantIsLinkedToParticipant) {
  auto r = enrollment_->CreateApplication(User("user-42"), Apply(cohort_, 1, kTowns[0]));
  ASSERT_TRUE(r.ok());
  v1::GetApplicationRequest get;
  get.set_name(r->name());
  EXPECT_TRUE(enrollment_->GetApplication(User("user-42"), get).ok());
  v1::GetParticipantRequest gp;
  gp.set_name(r->participants(0));
  auto p = enrollment_->GetParticipant(User("user-42"), gp);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->subject(), "user-42");
  EXPECT_EQ(enrollment_->GetParticipant(User("user-43"), gp).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(EnrollmentTest, WaitlistHasAnAbuseLimit) {
  v1::Cohort c = Fy2022Cohort();
  c.set_capacity(1);
  c.set_max_municipalities(1);
  c.set_max_waitlist(2);
  cohort_ = MakeOpenCohort(c, "tiny");
  MustApply(1, kTowns[0]);
  MustApply(2, kTowns[0]);
  MustApply(3, kTowns[0]);
  auto r = enrollment_->CreateApplication(Anonymous(), Apply(cohort_, 4, kTowns[0]));
  // FAILED_PRECONDITION, not RESOURCE_EXHAUSTED: retrying will not help
  // until the state changes (issue 12).
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(r.status()), "WAITLIST_FULL");
}

TEST_F(EnrollmentTest, ListApplicationsFiltersAndPaginatesInQueueOrder) {
  for (int i = 0; i < 12; ++i) MustApply(i, kTowns[i % 2]);
  v1::ListApplicationsRequest list;
  list.set_parent(cohort_);
  list.set_state(v1::Application::WAITLISTED);
  auto r = enrollment_->ListApplications(Secretariat(), list);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->applications_size(), 2);
  EXPECT_EQ(r->applications(0).waitlist_position(), 1);
  list.clear_state();
  list.set_municipality_code(kTowns[1]);
  list.set_page_size(4);
  int seen = 0;
  while (true) {
    auto page = enrollment_->ListApplications(Secretariat(), list);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& a : page->applications()) {
      EXPECT_EQ(a.municipality_code(), kTowns[1]);
      ++seen;
    }
    if (page->next_page_token().empty()) break;
    list.set_page_token(page->next_page_token());
  }
  EXPECT_EQ(seen, 6);
  // A token from another query is refused.
  list.set_municipality_code(kTowns[0]);
  list.set_page_token(enrollment_->ListApplications(Secretariat(), [&] {
                        v1::ListApplicationsRequest l;
                        l.set_parent(cohort_);
                        l.set_page_size(1);
                        return l;
                      }())->next_page_token());
  EXPECT_EQ(errors::Reason(enrollment_->ListApplications(Secretariat(), list).status()),
            "INVALID_PAGE_TOKEN");
  EXPECT_EQ(enrollment_->ListApplications(User("p"), list).status().code(),
            absl::StatusCode::kPermissionDenied);
}

// ------------------------------------------------------------ concurrency

TEST_F(EnrollmentTest, SixtyFourConcurrentApplicantsFillExactlyTheFreeSeats) {
  // Use a file database so the threads really contend across connections.
  const std::string path =
      absl::StrCat(getenv("TEST_TMPDIR"), "/concurrent-", NewId(), ".db");
  storage::DatabaseOptions options;
  options.path = path;
  auto store = EnrollmentStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
  enrollment_ = std::make_unique<Enrollment>(
      store_.get(), &clock_,
      WithoutEmailConfirmation(EnrollmentConfig{"page-token-key-0123456789",
                                                "access-key-0123456789", "claim-key-0123456789"}));
  v1::Cohort race = Fy2022Cohort();
  race.set_max_waitlist(100);
  cohort_ = MakeOpenCohort(race, "race");
  for (int i = 0; i < 7; ++i) MustApply(i, kTowns[i % 3]);  // 3 seats left

  constexpr int kApplicants = 64;
  std::vector<absl::StatusOr<v1::Application>> results(kApplicants, absl::UnknownError(""));
  absl::Notification go;
  std::vector<std::thread> threads;
  for (int i = 0; i < kApplicants; ++i) {
    threads.emplace_back([&, i] {
      go.WaitForNotification();
      v1::CreateApplicationRequest r = Apply(cohort_, 1000 + i, kTowns[i % 4]);
      results[i] = enrollment_->CreateApplication(Anonymous(), r);
    });
  }
  go.Notify();
  for (auto& t : threads) t.join();

  int accepted = 0;
  std::vector<std::string> waitlisted;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    if (r->state() == v1::Application::ACCEPTED) ++accepted;
    if (r->state() == v1::Application::WAITLISTED) waitlisted.push_back(r->name());
  }
  EXPECT_EQ(accepted, 3);
  EXPECT_EQ(waitlisted.size(), static_cast<size_t>(kApplicants - 3));
  EXPECT_EQ(Cohort().seats_taken(), 10);

  // The queue is in arrival (commit) order: positions 1..61, each once,
  // and each waitlisted application's history time is not before its
  // predecessor's.
  v1::ListApplicationsRequest list;
  list.set_parent(cohort_);
  list.set_state(v1::Application::WAITLISTED);
  list.set_page_size(500);
  auto queue = enrollment_->ListApplications(Secretariat(), list);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->applications_size(), kApplicants - 3);
  for (int i = 0; i < queue->applications_size(); ++i) {
    EXPECT_EQ(queue->applications(i).waitlist_position(), i + 1);
  }
  std::sort(waitlisted.begin(), waitlisted.end());
  std::vector<std::string> listed;
  for (const auto& a : queue->applications()) listed.push_back(a.name());
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, waitlisted);
}

// ------------------------------------------------------------ participants

TEST_F(EnrollmentTest, StaffAreAddedWithoutTakingSeats) {
  v1::CreateParticipantRequest create;
  create.set_parent(cohort_);
  create.mutable_participant()->set_display_name("中村 進");
  create.mutable_participant()->set_role(v1::Participant::NAVIGATOR);
  create.mutable_participant()->set_municipality_code("242047");
  auto staff = enrollment_->CreateParticipant(Secretariat(), create);
  ASSERT_TRUE(staff.ok()) << staff.status();
  EXPECT_EQ(staff->fee_status(), v1::Participant::WAIVED);
  EXPECT_EQ(Cohort().seats_taken(), 0);
  create.mutable_participant()->set_role(v1::Participant::PARTICIPANT);
  EXPECT_EQ(errors::Reason(enrollment_->CreateParticipant(Secretariat(), create).status()),
            "STAFF_ROLE_REQUIRED");
}

TEST_F(EnrollmentTest, CancellingAParticipantPromotesTheNext) {
  std::vector<v1::Application> in;
  for (int i = 0; i < 10; ++i) in.push_back(MustApply(i, kTowns[0]));
  v1::Application waiting = MustApply(20, kTowns[0]);
  v1::CancelParticipantRequest cancel;
  cancel.set_name(in[4].participants(0));
  auto p = enrollment_->CancelParticipant(Secretariat(), cancel);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->state(), v1::Participant::CANCELLED);
  EXPECT_EQ(Get(waiting.name()).state(), v1::Application::OFFERED);
  EXPECT_EQ(errors::Reason(enrollment_->CancelParticipant(Secretariat(), cancel).status()),
            "ALREADY_CANCELLED");
}

TEST_F(EnrollmentTest, PaymentsDriveFeeStatusAndAreIdempotent) {
  v1::Application app = MustApply(1, kTowns[0]);
  v1::RecordPaymentRequest pay;
  pay.set_name(app.participants(0));
  pay.set_kind(v1::Participant::Payment::PAYMENT);
  pay.mutable_amount()->set_currency_code("JPY");
  pay.mutable_amount()->set_units(10000);
  pay.set_request_id("pay-1");
  auto p = enrollment_->RecordPayment(Secretariat(), pay);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->fee_status(), v1::Participant::PAID);
  p = enrollment_->RecordPayment(Secretariat(), pay);  // retried
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->payments_size(), 1);

  v1::RecordPaymentRequest refund = pay;
  refund.set_kind(v1::Participant::Payment::REFUND);
  refund.mutable_amount()->set_units(20000);
  refund.set_request_id("refund-1");
  EXPECT_EQ(errors::Reason(enrollment_->RecordPayment(Secretariat(), refund).status()),
            "REFUND_EXCEEDS_PAID");
  refund.mutable_amount()->set_units(10000);
  refund.set_request_id("refund-2");
  p = enrollment_->RecordPayment(Secretariat(), refund);
  ASSERT_TRUE(p.ok());
  // Refunded in full while still taking part: the fee is due again (issue
  // 15: fee_status agrees with owes_fee). REFUNDED is for those who owe
  // nothing (fees_test).
  EXPECT_EQ(p->fee_status(), v1::Participant::UNPAID);
  EXPECT_EQ(p->balance().units(), 10000);

  pay.mutable_amount()->set_currency_code("USD");
  pay.set_request_id("pay-2");
  EXPECT_EQ(FieldOf(enrollment_->RecordPayment(Secretariat(), pay).status()),
            "amount.currency_code");
  EXPECT_EQ(enrollment_->RecordPayment(Navigator(), pay).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(EnrollmentTest, TextbookShipsOnlyFromItsAvailabilityDate) {
  v1::Application app = MustApply(1, kTowns[0]);
  v1::RecordShipmentRequest ship;
  ship.set_name(app.participants(0));
  ship.set_item_id("kaizen-undo");
  ASSERT_TRUE(enrollment_->RecordShipment(Secretariat(), ship).ok());
  EXPECT_EQ(errors::Reason(enrollment_->RecordShipment(Secretariat(), ship).status()),
            "ALREADY_SHIPPED");
  ship.set_item_id("shin-kaizen-bon");
  EXPECT_EQ(errors::Reason(enrollment_->RecordShipment(Secretariat(), ship).status()),
            "ITEM_NOT_YET_AVAILABLE");
  clock_.Set(absl::FromUnixSeconds(1663167600));  // 2022-09-15 00:00 JST
  auto p = enrollment_->RecordShipment(Secretariat(), ship);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->shipments_size(), 2);
  ship.set_item_id("unknown");
  EXPECT_EQ(FieldOf(enrollment_->RecordShipment(Secretariat(), ship).status()), "item_id");
}

TEST_F(EnrollmentTest, RosterListsActivePeopleForServices) {
  MustApply(1, kTowns[0]);
  MustApply(2, kTowns[1], 2);
  v1::GetRosterRequest get;
  get.set_parent(cohort_);
  auto roster = enrollment_->GetRoster(Service(), get);
  ASSERT_TRUE(roster.ok()) << roster.status();
  EXPECT_EQ(roster->entries_size(), 3);
  EXPECT_EQ(roster->entries(1).municipality_code(), kTowns[1]);
  EXPECT_EQ(enrollment_->GetRoster(User("p"), get).status().code(),
            absl::StatusCode::kPermissionDenied);
}

// Other services gate partner reads by consent at read time, so the roster
// carries each person's current consent and follows every change.
TEST_F(EnrollmentTest, RosterCarriesCurrentConsent) {
  v1::Application a = MustApply(1, kTowns[0]);  // shares attendance
  MustApply(2, kTowns[1], 2);                   // both team members share attendance
  v1::GetRosterRequest get;
  get.set_parent(cohort_);
  auto roster = enrollment_->GetRoster(Service(), get);
  ASSERT_TRUE(roster.ok()) << roster.status();
  ASSERT_EQ(roster->entries_size(), 3);
  EXPECT_EQ(roster->entries(0).participant(), a.participants(0));
  EXPECT_TRUE(roster->entries(0).consent().share_attendance());
  EXPECT_FALSE(roster->entries(0).consent().share_action_plan());
  EXPECT_TRUE(roster->entries(1).consent().share_attendance());
  EXPECT_TRUE(roster->entries(2).consent().share_attendance());

  v1::UpdateConsentRequest change;
  change.set_name(a.participants(0));
  change.mutable_consent()->set_share_attendance(false);  // all three are required
  change.mutable_consent()->set_share_action_plan(true);
  change.mutable_consent()->set_share_survey_profile(false);
  ASSERT_TRUE(enrollment_->UpdateConsent(Secretariat(), change).ok());
  roster = enrollment_->GetRoster(Service(), get);
  ASSERT_TRUE(roster.ok()) << roster.status();
  EXPECT_FALSE(roster->entries(0).consent().share_attendance());
  EXPECT_TRUE(roster->entries(0).consent().share_action_plan());
  EXPECT_TRUE(roster->entries(1).consent().share_attendance());
}

// ------------------------------------------------------------ partners

TEST_F(EnrollmentTest, ChangeFeedIsLimitedToMunicipalityAndConsent) {
  v1::Application a = MustApply(1, kTowns[0]);  // consents to attendance
  auto quiet_request = Apply(cohort_, 2, kTowns[0]);
  quiet_request.mutable_application()->mutable_members(0)->clear_consent();
  auto quiet = enrollment_->CreateApplication(Anonymous(), quiet_request);
  ASSERT_TRUE(quiet.ok());
  v1::Application b = MustApply(3, kTowns[0]);
  MustApply(4, kTowns[1]);

  v1::ListChangesRequest feed;
  auto changes = enrollment_->ListChanges(PartnerHr(kTowns[0]), feed);
  ASSERT_TRUE(changes.ok()) << changes.status();
  // The one who shares nothing is not in the feed at all; the other town's
  // participant neither.
  ASSERT_EQ(changes->changes_size(), 2);
  EXPECT_EQ(changes->changes(0).participant(), a.participants(0));
  EXPECT_EQ(changes->changes(0).display_name(), "山田 太郎100");
  EXPECT_EQ(changes->changes(0).cohort_title(), "2022年度 次世代改善リーダー事例研究会");
  EXPECT_EQ(changes->changes(1).participant(), b.participants(0));

  // Nothing new: same cursor back, no changes.
  feed.set_cursor(changes->next_cursor());
  auto none = enrollment_->ListChanges(PartnerHr(kTowns[0]), feed);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->changes_size(), 0);

  // Revoking consent tells the partner to forget: DELETED, without data.
  v1::UpdateConsentRequest revoke;
  revoke.set_name(a.participants(0));
  // All three false: sharing nothing is said explicitly.
  revoke.mutable_consent()->set_share_attendance(false);
  revoke.mutable_consent()->set_share_action_plan(false);
  revoke.mutable_consent()->set_share_survey_profile(false);
  ASSERT_TRUE(enrollment_->UpdateConsent(Secretariat(), revoke).ok());
  // (After the tombstone of the category it shared: result_feed_test.cc.)
  auto after = enrollment_->ListChanges(PartnerHr(kTowns[0]), feed);
  ASSERT_EQ(after->changes_size(), 2);
  EXPECT_EQ(after->changes(0).kind(), v1::Change::RESULT_WITHDRAWN);
  EXPECT_EQ(after->changes(1).kind(), v1::Change::DELETED);
  EXPECT_EQ(after->changes(1).display_name(), "");

  // A sharing participant's withdrawal appears as CANCELLED, after the
  // tombstone of what they shared.
  feed.set_cursor(after->next_cursor());
  ASSERT_TRUE(Withdraw(b).ok());
  auto withdrawn = enrollment_->ListChanges(PartnerHr(kTowns[0]), feed);
  ASSERT_EQ(withdrawn->changes_size(), 2);
  EXPECT_EQ(withdrawn->changes(0).kind(), v1::Change::RESULT_WITHDRAWN);
  EXPECT_EQ(withdrawn->changes(1).state(), v1::Participant::CANCELLED);

  // Another municipality's cursor is refused; a participant may not read.
  auto foreign = enrollment_->ListChanges(PartnerHr(kTowns[1]), feed);
  EXPECT_EQ(errors::Reason(foreign.status()), "INVALID_CURSOR");
  EXPECT_EQ(enrollment_->ListChanges(User("p"), v1::ListChangesRequest()).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(EnrollmentTest, PartnerKeysCannotApplyOrActForEmployees) {
  auto r = enrollment_->CreateApplication(PartnerHr(kTowns[0]), Apply(cohort_, 1, kTowns[0]));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::Reason(r.status()), "PARTNER_FEED_ONLY");
  // Even a partner principal that somehow carries an applicant's subject or
  // link is never "the applicant" or "self".
  auto app = enrollment_->CreateApplication(User("hr-242047"), Apply(cohort_, 2, kTowns[0]));
  ASSERT_TRUE(app.ok());
  v1::GetParticipantRequest get;
  get.set_name(app->participants(0));
  EXPECT_EQ(enrollment_->GetParticipant(PartnerHr("242047"), get).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::UpdateConsentRequest consent;
  consent.set_name(app->participants(0));
  consent.mutable_consent()->set_share_survey_profile(true);
  EXPECT_EQ(enrollment_->UpdateConsent(PartnerHr("242047"), consent).status().code(),
            absl::StatusCode::kPermissionDenied);
}

// Issue 12: a team mate's consent was reset to {} on admission (a rule in
// SeatLedger::AdmitApplication), dropping what the application recorded for
// them. Each member now keeps their own, which differs per member here so a
// copy of member 0's would fail too.
TEST_F(EnrollmentTest, TeamMatesKeepTheConsentTheyChose) {
  auto team = Apply(cohort_, 1, kTowns[0], 3);
  auto* members = team.mutable_application()->mutable_members();
  members->Mutable(1)->mutable_consent()->set_share_action_plan(true);
  members->Mutable(1)->mutable_consent()->set_share_attendance(false);
  members->Mutable(2)->clear_consent();
  auto app = enrollment_->CreateApplication(Anonymous(), team);
  ASSERT_TRUE(app.ok()) << app.status();
  ASSERT_EQ(app->participants_size(), 3);
  v1::GetParticipantRequest get;
  std::vector<v1::Participant> people;
  for (const std::string& name : app->participants()) {
    get.set_name(name);
    auto p = enrollment_->GetParticipant(Secretariat(), get);
    ASSERT_TRUE(p.ok()) << p.status();
    people.push_back(*p);
  }
  EXPECT_TRUE(people[0].consent().share_attendance());
  EXPECT_FALSE(people[0].consent().share_action_plan());
  EXPECT_FALSE(people[1].consent().share_attendance());
  EXPECT_TRUE(people[1].consent().share_action_plan());
  EXPECT_FALSE(people[2].consent().share_attendance());
  EXPECT_FALSE(people[2].consent().share_action_plan());
  // The history says where it came from.
  ASSERT_EQ(people[1].consent_history_size(), 1);
  EXPECT_TRUE(people[1].consent_history(0).consent().share_action_plan());
  EXPECT_EQ(people[1].consent_history(0).actor(), "applicant");
}

TEST_F(EnrollmentTest, DuplicateEmailErrorNamesNoApplication) {
  MustApply(1, kTowns[0]);
  auto r = enrollment_->CreateApplication(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  EXPECT_EQ(errors::Reason(r.status()), "DUPLICATE_APPLICANT");
  EXPECT_EQ(r.status().message().find("applications/"), absl::string_view::npos);
  EXPECT_FALSE(errors::GetResourceInfo(r.status()).has_value());
}

TEST_F(EnrollmentTest, AnonymousRequestIdsDoNotCollideAcrossApplicants) {
  auto first = Apply(cohort_, 1, kTowns[0]);
  first.set_request_id("signup-1");
  auto second = Apply(cohort_, 2, kTowns[0]);
  second.set_request_id("signup-1");  // someone else picks the same id
  auto a = enrollment_->CreateApplication(Anonymous(), first);
  auto b = enrollment_->CreateApplication(Anonymous(), second);
  ASSERT_TRUE(a.ok() && b.ok()) << b.status();
  EXPECT_NE(a->name(), b->name());
  EXPECT_EQ(enrollment_->CreateApplication(Anonymous(), first)->name(), a->name());  // retry
}

TEST_F(EnrollmentTest, PurgeOnlyAfterRetentionAndFeedSeesDeletion) {
  v1::Application a = MustApply(1, kTowns[0]);
  v1::PurgeCohortPersonalDataRequest purge;
  purge.set_name(cohort_);
  EXPECT_EQ(errors::Reason(enrollment_->PurgeCohortPersonalData(Secretariat(), purge).status()),
            "COHORT_NOT_FINISHED");
  for (auto state : {v1::Cohort::RUNNING, v1::Cohort::FINISHED}) {
    v1::TransitionCohortRequest t;
    t.set_name(cohort_);
    t.set_state(state);
    ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), t).ok());
  }
  EXPECT_EQ(errors::Reason(enrollment_->PurgeCohortPersonalData(Secretariat(), purge).status()),
            "RETENTION_NOT_ELAPSED");
  clock_.Advance(absl::Hours(24 * 365));
  auto purged = enrollment_->PurgeCohortPersonalData(Secretariat(), purge);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->applications_deleted(), 1);
  EXPECT_EQ(purged->participants_deleted(), 1);
  v1::GetApplicationRequest get;
  get.set_name(a.name());
  EXPECT_EQ(enrollment_->GetApplication(Secretariat(), get).status().code(),
            absl::StatusCode::kNotFound);
  auto changes = enrollment_->ListChanges(PartnerHr(kTowns[0]), v1::ListChangesRequest());
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->changes().rbegin()->kind(), v1::Change::DELETED);
  for (const auto& c : changes->changes()) EXPECT_EQ(c.display_name(), "");
}

}  // namespace
}  // namespace kaizen::enrollment

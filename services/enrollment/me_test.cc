// GetMe, the participant-safe member list and the secretariat's list
// filters and totals (me.cc, participants.cc, applications.cc, cohorts.cc),
// against real in-memory SQLite.
#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace me_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

std::string FieldOf(const absl::Status& s) {
  auto bad = errors::GetBadRequest(s);
  return bad.has_value() && bad->field_violations_size() > 0 ? bad->field_violations(0).field()
                                                             : "";
}

class MeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    enrollment_ = std::make_unique<Enrollment>(
        store_.get(), &clock_,
        WithoutEmailConfirmation(EnrollmentConfig{
            "page-token-key-0123456789", "access-key-0123456789", "claim-key-0123456789"}));
    cohort_ = OpenCohort("fy2022", 10);
  }

  std::string OpenCohort(const std::string& id, int capacity) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.mutable_cohort()->set_capacity(capacity);
    create.mutable_cohort()->set_max_municipalities(std::min(capacity, 6));
    create.set_cohort_id(id);
    auto created = enrollment_->CreateCohort(Secretariat(), create);
    EXPECT_TRUE(created.ok()) << created.status();
    v1::TransitionCohortRequest open;
    open.set_name(created->name());
    open.set_state(v1::Cohort::OPEN);
    EXPECT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
    return created->name();
  }

  v1::Application ApplyAs(const Principal& who, const std::string& cohort, int n,
                          const std::string& town, int team = 1) {
    auto app = enrollment_->CreateApplication(who, Apply(cohort, n, town, team));
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() ? *app : v1::Application();
  }

  v1::ListParticipantsRequest ListOf(const std::string& cohort) {
    v1::ListParticipantsRequest r;
    r.set_parent(cohort);
    return r;
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
  std::string cohort_;
};

TEST_F(MeTest, GetMeListsMyApplicationsAndParticipationsPerCohort) {
  const std::string small = OpenCohort("fy2023", 1);
  v1::Application accepted = ApplyAs(User("me"), cohort_, 1, kTowns[0]);
  ApplyAs(Anonymous(), small, 2, kTowns[1]);                      // takes the only seat
  v1::Application waiting = ApplyAs(User("me"), small, 3, kTowns[2]);  // waits
  ApplyAs(User("someone-else"), cohort_, 4, kTowns[3]);

  auto me = enrollment_->GetMe(User("me"), v1::GetMeRequest());
  ASSERT_TRUE(me.ok()) << me.status();
  EXPECT_EQ(me->subject(), "me");
  ASSERT_EQ(me->roles_size(), 1);
  EXPECT_EQ(me->roles(0), kaizen::type::ROLE_PARTICIPANT);
  ASSERT_EQ(me->cohorts_size(), 2);
  // Newest cohort first.
  const v1::Me::CohortEntry& newer = me->cohorts(0);
  EXPECT_EQ(newer.cohort(), small);
  EXPECT_EQ(newer.cohort_state(), v1::Cohort::OPEN);
  ASSERT_EQ(newer.applications_size(), 1);
  EXPECT_EQ(newer.applications(0).name(), waiting.name());
  EXPECT_EQ(newer.applications(0).state(), v1::Application::WAITLISTED);
  EXPECT_EQ(newer.applications(0).waitlist_position(), 1);
  EXPECT_EQ(newer.participations_size(), 0);
  const v1::Me::CohortEntry& older = me->cohorts(1);
  EXPECT_EQ(older.cohort(), cohort_);
  EXPECT_EQ(older.cohort_title(), "2022年度 次世代改善リーダー事例研究会");
  ASSERT_EQ(older.applications_size(), 1);
  EXPECT_EQ(older.applications(0).state(), v1::Application::ACCEPTED);
  ASSERT_EQ(older.participations_size(), 1);
  EXPECT_EQ(older.participations(0).name(), accepted.participants(0));
  EXPECT_EQ(older.participations(0).role(), v1::Participant::PARTICIPANT);
  EXPECT_EQ(older.participations(0).application(), accepted.name());

  // Someone with nothing gets an empty page, not an error.
  auto nobody = enrollment_->GetMe(User("new"), v1::GetMeRequest());
  ASSERT_TRUE(nobody.ok());
  EXPECT_EQ(nobody->cohorts_size(), 0);
  EXPECT_EQ(errors::Reason(enrollment_->GetMe(Anonymous(), {}).status()), kLoginRequired);
  EXPECT_EQ(errors::Reason(enrollment_->GetMe(WithToken("t"), {}).status()), kLoginRequired);
  EXPECT_EQ(errors::Reason(enrollment_->GetMe(PartnerHr("242047"), {}).status()),
            kPartnerFeedOnly);
}

TEST_F(MeTest, MembersSeeNamesAndTownsOnly) {
  ApplyAs(User("me"), cohort_, 1, kTowns[0]);
  ApplyAs(Anonymous(), cohort_, 2, kTowns[1], 2);
  v1::ListCohortMembersRequest r;
  r.set_parent(cohort_);
  r.set_page_size(2);
  auto page = enrollment_->ListCohortMembers(User("me"), r);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->total_size(), 3);
  ASSERT_EQ(page->members_size(), 2);
  EXPECT_EQ(page->members(0).display_name(), "山田 太郎100");
  EXPECT_EQ(page->members(0).municipality_code(), kTowns[0]);
  EXPECT_EQ(page->members(0).role(), v1::Participant::PARTICIPANT);
  ASSERT_FALSE(page->next_page_token().empty());
  r.set_page_token(page->next_page_token());
  auto rest = enrollment_->ListCohortMembers(User("me"), r);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->members_size(), 1);
  EXPECT_EQ(rest->members(0).display_name(), "山田 太郎201");
  EXPECT_TRUE(rest->next_page_token().empty());
  // Staff may read it too.
  EXPECT_TRUE(enrollment_->ListCohortMembers(Secretariat(), r).ok());
}

TEST_F(MeTest, OutsidersAreRefusedAlikeWhetherTheCohortExistsOrNot) {
  ApplyAs(User("me"), cohort_, 1, kTowns[0]);
  v1::ListCohortMembersRequest real;
  real.set_parent(cohort_);
  v1::ListCohortMembersRequest invented;
  invented.set_parent("cohorts/nothing");
  for (const Principal& outsider : {User("stranger"), Navigator(), WithToken("t")}) {
    auto a = enrollment_->ListCohortMembers(outsider, real);
    auto b = enrollment_->ListCohortMembers(outsider, invented);
    EXPECT_EQ(a.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(errors::Reason(a.status()), kMembersOnly);
    EXPECT_EQ(a.status(), b.status());
  }
  EXPECT_EQ(errors::Reason(enrollment_->ListCohortMembers(Anonymous(), real).status()),
            kLoginRequired);
  // A member of one cohort is an outsider to another.
  const std::string other = OpenCohort("fy2023", 5);
  v1::ListCohortMembersRequest theirs;
  theirs.set_parent(other);
  EXPECT_EQ(errors::Reason(enrollment_->ListCohortMembers(User("me"), theirs).status()),
            kMembersOnly);
  // The secretariat is told the truth about a missing cohort.
  EXPECT_EQ(enrollment_->ListCohortMembers(Secretariat(), invented).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(MeTest, SecretariatFiltersParticipantsByFeeShipmentAndConsent) {
  v1::Application a = ApplyAs(Anonymous(), cohort_, 1, kTowns[0]);
  v1::Application b = ApplyAs(Anonymous(), cohort_, 2, kTowns[1]);
  auto quiet = Apply(cohort_, 3, kTowns[2]);
  quiet.mutable_application()->mutable_members(0)->clear_consent();
  ASSERT_TRUE(enrollment_->CreateApplication(Anonymous(), quiet).ok());
  // a pays; a gets the first book.
  v1::RecordPaymentRequest pay;
  pay.set_name(a.participants(0));
  pay.set_kind(v1::Participant::Payment::PAYMENT);
  pay.mutable_amount()->set_currency_code("JPY");
  pay.mutable_amount()->set_units(10000);
  ASSERT_TRUE(enrollment_->RecordPayment(Secretariat(), pay).ok());
  v1::RecordShipmentRequest ship;
  ship.set_name(a.participants(0));
  ship.set_item_id("kaizen-undo");
  ASSERT_TRUE(enrollment_->RecordShipment(Secretariat(), ship).ok());

  auto r = ListOf(cohort_);
  r.set_fee_status(v1::Participant::UNPAID);
  auto unpaid = enrollment_->ListParticipants(Secretariat(), r);
  ASSERT_TRUE(unpaid.ok()) << unpaid.status();
  EXPECT_EQ(unpaid->total_size(), 2);
  EXPECT_EQ(unpaid->participants(0).name(), b.participants(0));

  r = ListOf(cohort_);
  r.set_unshipped_item_id("kaizen-undo");
  r.set_page_size(1);
  auto pending = enrollment_->ListParticipants(Secretariat(), r);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->total_size(), 2);  // b and the quiet one
  ASSERT_EQ(pending->participants_size(), 1);
  EXPECT_EQ(pending->participants(0).name(), b.participants(0));
  ASSERT_FALSE(pending->next_page_token().empty());
  r.set_page_token(pending->next_page_token());
  auto second = enrollment_->ListParticipants(Secretariat(), r);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->participants_size(), 1);
  EXPECT_NE(second->participants(0).name(), b.participants(0));
  EXPECT_TRUE(second->next_page_token().empty());
  EXPECT_EQ(second->total_size(), 2);

  r = ListOf(cohort_);
  r.set_shares(v1::ATTENDANCE);
  auto sharing = enrollment_->ListParticipants(Secretariat(), r);
  ASSERT_TRUE(sharing.ok());
  EXPECT_EQ(sharing->total_size(), 2);
  // Without a filter: everyone, with the total.
  auto all = enrollment_->ListParticipants(Secretariat(), ListOf(cohort_));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total_size(), 3);
}

TEST_F(MeTest, FiltersAreValidatedAndFeesStayTheSecretariats) {
  auto r = ListOf(cohort_);
  r.set_shares(static_cast<v1::ConsentCategory>(42));
  auto bad = enrollment_->ListParticipants(Secretariat(), r);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(bad.status()), kInvalidFilter);
  EXPECT_EQ(FieldOf(bad.status()), "shares");
  r = ListOf(cohort_);
  r.set_fee_status(static_cast<v1::Participant::FeeStatus>(9));
  EXPECT_EQ(FieldOf(enrollment_->ListParticipants(Secretariat(), r).status()), "fee_status");
  r = ListOf(cohort_);
  r.set_role(static_cast<v1::Participant::Role>(77));
  EXPECT_EQ(FieldOf(enrollment_->ListParticipants(Secretariat(), r).status()), "role");
  r = ListOf(cohort_);
  r.set_unshipped_item_id("no-such-book");
  auto unknown = enrollment_->ListParticipants(Secretariat(), r);
  EXPECT_EQ(errors::Reason(unknown.status()), kUnknownItem);
  EXPECT_EQ(FieldOf(unknown.status()), "unshipped_item_id");
  // Other staff never see fees or shipments, so they cannot filter by them.
  r = ListOf(cohort_);
  r.set_fee_status(v1::Participant::PAID);
  EXPECT_EQ(errors::Reason(enrollment_->ListParticipants(Navigator(), r).status()),
            kSecretariatOnly);
  // A page token is bound to its filters.
  ApplyAs(Anonymous(), cohort_, 1, kTowns[0]);
  ApplyAs(Anonymous(), cohort_, 2, kTowns[1]);
  r = ListOf(cohort_);
  r.set_page_size(1);
  auto first = enrollment_->ListParticipants(Secretariat(), r);
  ASSERT_TRUE(first.ok());
  r.set_page_token(first->next_page_token());
  r.set_shares(v1::ATTENDANCE);
  EXPECT_EQ(errors::Reason(enrollment_->ListParticipants(Secretariat(), r).status()),
            kInvalidPageToken);
}

TEST_F(MeTest, ApplicationAndCohortListsCountEveryPage) {
  for (int i = 0; i < 3; ++i) ApplyAs(Anonymous(), cohort_, i + 1, kTowns[i]);
  v1::ListApplicationsRequest apps;
  apps.set_parent(cohort_);
  apps.set_page_size(1);
  auto page = enrollment_->ListApplications(Secretariat(), apps);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->applications_size(), 1);
  EXPECT_EQ(page->total_size(), 3);
  apps.set_state(static_cast<v1::Application::State>(99));
  EXPECT_EQ(FieldOf(enrollment_->ListApplications(Secretariat(), apps).status()), "state");

  v1::CreateCohortRequest draft;
  *draft.mutable_cohort() = Fy2022Cohort();
  ASSERT_TRUE(enrollment_->CreateCohort(Secretariat(), draft).ok());
  v1::ListCohortsRequest cohorts;
  auto staff_view = enrollment_->ListCohorts(Secretariat(), cohorts);
  auto public_view = enrollment_->ListCohorts(Anonymous(), cohorts);
  ASSERT_TRUE(staff_view.ok() && public_view.ok());
  EXPECT_EQ(staff_view->total_size(), 2);   // the draft counts for the secretariat
  EXPECT_EQ(public_view->total_size(), 1);  // and not for anyone else
}

}  // namespace
}  // namespace kaizen::enrollment

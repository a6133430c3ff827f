// Issue 15 point 1 through the domain: every place a municipality code
// enters enrollment checks it against the national master, and every
// response that shows a code shows the name beside it (real in-memory
// SQLite, real codes).
#include <memory>
#include <string>

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace municipalities_enrollment_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

constexpr char kSapporo[] = "011002";
constexpr char kSapporoChuo[] = "011011";   // ward of 札幌市
constexpr char kOsakaKita[] = "271276";     // ward of 大阪市
constexpr char kMatsusaka[] = "242047";
constexpr char kChiyoda[] = "131016";       // Tokyo special ward: a municipality
constexpr char kNoSuchTown[] = "013005";    // valid check digit, not in the master

// The field and description of a one-violation INVALID_ARGUMENT.
struct Refusal {
  std::string reason, field, description;
};
Refusal RefusalOf(const absl::Status& s) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  Refusal r{errors::Reason(s), "", ""};
  auto bad = errors::GetBadRequest(s);
  if (bad.has_value() && bad->field_violations_size() > 0) {
    r.field = bad->field_violations(0).field();
    r.description = bad->field_violations(0).description();
  }
  return r;
}

class MunicipalitiesEnrollmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = EnrollmentStore::Open(storage::DatabaseOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    enrollment_ = std::make_unique<Enrollment>(
        store_.get(), &clock_,
        WithoutEmailConfirmation(EnrollmentConfig{
            "page-token-key-0123456789", "access-key-0123456789", "claim-key-0123456789"}));
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.set_cohort_id("fy2022");
    auto created = enrollment_->CreateCohort(Secretariat(), create);
    ASSERT_TRUE(created.ok()) << created.status();
    cohort_ = created->name();
    v1::TransitionCohortRequest open;
    open.set_name(cohort_);
    open.set_state(v1::Cohort::OPEN);
    ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
  }

  absl::StatusOr<v1::Application> ApplyFrom(int n, const std::string& town,
                                             const Principal& who = Anonymous()) {
    return enrollment_->CreateApplication(who, Apply(cohort_, n, town));
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
  std::string cohort_;
};

TEST_F(MunicipalitiesEnrollmentTest, ApplicantsFromWardsAreSentToTheirCity) {
  Refusal r = RefusalOf(ApplyFrom(1, kSapporoChuo).status());
  EXPECT_EQ(r.reason, kMunicipalityIsWard);
  EXPECT_EQ(r.field, "application.members[0].municipality_code");
  EXPECT_EQ(r.description, "011011 is a ward of 札幌市 (011002); use the city's code");

  // In a team, the member's own field is named.
  v1::CreateApplicationRequest team = Apply(cohort_, 2, kOsakaKita, 2);
  team.mutable_application()->mutable_members(0)->set_municipality_code("271004");
  r = RefusalOf(enrollment_->CreateApplication(Anonymous(), team).status());
  EXPECT_EQ(r.field, "application.members[1].municipality_code");
}

TEST_F(MunicipalitiesEnrollmentTest, OneCityCannotCountAsTwoMunicipalities) {
  ASSERT_TRUE(ApplyFrom(1, kSapporo).ok());
  // Before the master, 011011 passed and counted as a second municipality.
  EXPECT_EQ(errors::Reason(ApplyFrom(2, kSapporoChuo).status()), kMunicipalityIsWard);
  v1::GetCohortRequest get;
  get.set_name(cohort_);
  auto cohort = enrollment_->GetCohort(Secretariat(), get);
  ASSERT_TRUE(cohort.ok()) << cohort.status();
  EXPECT_EQ(cohort->municipalities_taken(), 1);
}

TEST_F(MunicipalitiesEnrollmentTest, UnknownCodesAndPrefecturesAreRefused) {
  Refusal r = RefusalOf(ApplyFrom(1, kNoSuchTown).status());
  EXPECT_EQ(r.reason, kMunicipalityUnknown);
  EXPECT_EQ(r.field, "application.members[0].municipality_code");
  EXPECT_EQ(errors::Reason(ApplyFrom(2, "010006").status()), "NOT_A_MUNICIPALITY");  // 北海道
  EXPECT_EQ(errors::Reason(ApplyFrom(3, "016951").status()), kMunicipalityUnknown);  // 色丹村
  // Tokyo's special wards are municipalities.
  EXPECT_TRUE(ApplyFrom(4, kChiyoda).ok());
}

TEST_F(MunicipalitiesEnrollmentTest, StaffAndFiltersAreCheckedToo) {
  v1::CreateParticipantRequest staff;
  staff.set_parent(cohort_);
  staff.mutable_participant()->set_display_name("中村 進");
  staff.mutable_participant()->set_role(v1::Participant::NAVIGATOR);
  staff.mutable_participant()->set_municipality_code(kOsakaKita);
  Refusal r = RefusalOf(enrollment_->CreateParticipant(Secretariat(), staff).status());
  EXPECT_EQ(r.reason, kMunicipalityIsWard);
  EXPECT_EQ(r.field, "participant.municipality_code");
  EXPECT_EQ(r.description, "271276 is a ward of 大阪市 (271004); use the city's code");

  staff.mutable_participant()->set_municipality_code(kMatsusaka);
  auto created = enrollment_->CreateParticipant(Secretariat(), staff);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->municipality_name(), "松阪市");

  v1::ListApplicationsRequest apps;
  apps.set_parent(cohort_);
  apps.set_municipality_code(kSapporoChuo);
  r = RefusalOf(enrollment_->ListApplications(Secretariat(), apps).status());
  EXPECT_EQ(r.reason, kMunicipalityIsWard);
  EXPECT_EQ(r.field, "municipality_code");
  v1::ListParticipantsRequest people;
  people.set_parent(cohort_);
  people.set_municipality_code(kNoSuchTown);
  r = RefusalOf(enrollment_->ListParticipants(Secretariat(), people).status());
  EXPECT_EQ(r.reason, kMunicipalityUnknown);
  EXPECT_EQ(r.field, "municipality_code");
}

TEST_F(MunicipalitiesEnrollmentTest, ResponsesShowTheNameBesideEveryCode) {
  // A client's copy of the output-only name is neither echoed nor stored.
  v1::CreateApplicationRequest request = Apply(cohort_, 1, kMatsusaka);
  request.mutable_application()->mutable_members(0)->set_municipality_name("偽市");
  request.mutable_application()->set_municipality_name("偽市");
  auto app = enrollment_->CreateApplication(User("me"), request);
  ASSERT_TRUE(app.ok()) << app.status();
  EXPECT_EQ(app->municipality_name(), "松阪市");
  EXPECT_EQ(app->members(0).municipality_name(), "松阪市");
  ASSERT_EQ(app->participants_size(), 1);
  ASSERT_TRUE(store_
                  ->Read([&](EnrollmentTx& tx) -> absl::Status {
                    const std::string& name = app->name();
                    auto rec = tx.GetApplication("fy2022", name.substr(name.rfind('/') + 1));
                    if (!rec.ok()) return rec.status();
                    EXPECT_EQ(rec->application.municipality_name(), "");
                    EXPECT_EQ(rec->application.members(0).municipality_name(), "");
                    return absl::OkStatus();
                  })
                  .ok());

  v1::GetApplicationRequest get_app;
  get_app.set_name(app->name());
  EXPECT_EQ(enrollment_->GetApplication(Secretariat(), get_app)->municipality_name(), "松阪市");
  v1::ListApplicationsRequest apps;
  apps.set_parent(cohort_);
  apps.set_municipality_code(kMatsusaka);
  auto listed = enrollment_->ListApplications(Secretariat(), apps);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->applications_size(), 1);
  EXPECT_EQ(listed->applications(0).members(0).municipality_name(), "松阪市");

  v1::GetParticipantRequest get_p;
  get_p.set_name(app->participants(0));
  EXPECT_EQ(enrollment_->GetParticipant(Secretariat(), get_p)->municipality_name(), "松阪市");
  v1::ListParticipantsRequest people;
  people.set_parent(cohort_);
  EXPECT_EQ(enrollment_->ListParticipants(Secretariat(), people)->participants(0)
                .municipality_name(),
            "松阪市");

  v1::GetRosterRequest roster;
  roster.set_parent(cohort_);
  auto r = enrollment_->GetRoster(Service(), roster);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->entries_size(), 1);
  EXPECT_EQ(r->entries(0).municipality_name(), "松阪市");

  v1::ListCohortMembersRequest members;
  members.set_parent(cohort_);
  auto m = enrollment_->ListCohortMembers(User("me"), members);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->members_size(), 1);
  EXPECT_EQ(m->members(0).municipality_name(), "松阪市");

  auto feed = enrollment_->ListChanges(PartnerHr(kMatsusaka), v1::ListChangesRequest());
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->changes_size(), 1);  // Person() shares attendance
  EXPECT_EQ(feed->changes(0).municipality_name(), "松阪市");
}

}  // namespace
}  // namespace kaizen::enrollment

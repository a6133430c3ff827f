// Authorise before revealing (issue 16, point 4): a caller who is then
// refused must learn nothing about the object first, not whether it exists,
// not whether an etag matches, not the state it is in, and not whether a
// draft cohort exists. Each test compares what a stranger sees for an object
// that exists with what they see for one that does not (or for the right and
// a wrong etag): the answers must be identical.
#include <string>

#include "common/status/errors.h"
#include "common/testing/observed.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace authorise_first_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

using ::kaizen::testkit::Observed;

class AuthoriseFirstTest : public ::testing::Test {
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
  }

  std::string Cohort(const std::string& id, bool open) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.set_cohort_id(id);
    auto created = enrollment_->CreateCohort(Secretariat(), create);
    EXPECT_TRUE(created.ok()) << created.status();
    if (open) {
      v1::TransitionCohortRequest t;
      t.set_name(created->name());
      t.set_state(v1::Cohort::OPEN);
      t.set_etag(created->etag());
      EXPECT_TRUE(enrollment_->TransitionCohort(Secretariat(), t).ok());
    }
    return created->name();
  }

  v1::Application MustApply(const std::string& cohort, int n) {
    auto app = enrollment_->CreateApplication(Anonymous(), Apply(cohort, n, kTowns[n % 12]));
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() ? *app : v1::Application();
  }

  std::unique_ptr<EnrollmentStore> store_;
  FakeClock clock_;
  std::unique_ptr<Enrollment> enrollment_;
};

TEST_F(AuthoriseFirstTest, WithdrawingSomeoneElsesApplicationRevealsNeitherEtagNorExistence) {
  const std::string cohort = Cohort("fy2022", true);
  const v1::Application app = MustApply(cohort, 1);
  const Principal stranger = User("someone-else");

  v1::WithdrawApplicationRequest right;
  right.set_name(app.name());
  right.set_etag(app.etag());
  v1::WithdrawApplicationRequest wrong = right;
  wrong.set_etag("\"stale\"");
  v1::WithdrawApplicationRequest missing = right;
  missing.set_name(cohort + "/applications/does-not-exist");

  const absl::Status a = enrollment_->WithdrawApplication(stranger, right).status();
  const absl::Status b = enrollment_->WithdrawApplication(stranger, wrong).status();
  const absl::Status c = enrollment_->WithdrawApplication(stranger, missing).status();
  EXPECT_EQ(a.code(), absl::StatusCode::kPermissionDenied) << a;
  EXPECT_EQ(Observed(a), Observed(b));
  EXPECT_EQ(Observed(a), Observed(c));

  // The applicant (by link) still hears about a stale etag, the secretariat
  // about a missing application.
  v1::WithdrawApplicationRequest stale = wrong;
  EXPECT_EQ(enrollment_->WithdrawApplication(WithToken(enrollment_->AccessTokenFor(app.name())),
                                             stale)
                .status()
                .code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(enrollment_->WithdrawApplication(Secretariat(), missing).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AuthoriseFirstTest, AnsweringAnOfferOfSomeoneElseRevealsNothing) {
  const std::string cohort = Cohort("fy2022", true);
  const v1::Application app = MustApply(cohort, 1);
  v1::AnswerOfferRequest real;
  real.set_name(app.name());
  v1::AnswerOfferRequest missing;
  missing.set_name(cohort + "/applications/nope");
  const Principal stranger = User("someone-else");
  EXPECT_EQ(Observed(enrollment_->AcceptOffer(stranger, real).status()),
            Observed(enrollment_->AcceptOffer(stranger, missing).status()));
  EXPECT_EQ(enrollment_->AcceptOffer(stranger, real).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(AuthoriseFirstTest, GettingAnApplicationThatDoesNotExistIsRefusedToStrangers) {
  const std::string cohort = Cohort("fy2022", true);
  const v1::Application app = MustApply(cohort, 1);
  v1::GetApplicationRequest real;
  real.set_name(app.name());
  v1::GetApplicationRequest missing;
  missing.set_name(cohort + "/applications/nope");
  const Principal stranger = User("someone-else");
  const absl::Status a = enrollment_->GetApplication(stranger, real).status();
  EXPECT_EQ(a.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Observed(a), Observed(enrollment_->GetApplication(stranger, missing).status()));
  // A link for exactly that name may learn it is gone; staff too.
  EXPECT_EQ(enrollment_->GetApplication(WithToken(enrollment_->AccessTokenFor(missing.name())),
                                        missing)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(enrollment_->GetApplication(Secretariat(), missing).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AuthoriseFirstTest, ParticipationsAreNotProbedThroughEtagsOrNames) {
  const std::string cohort = Cohort("fy2022", true);
  MustApply(cohort, 1);  // admitted: a participant exists
  v1::ListParticipantsRequest list;
  list.set_parent(cohort);
  auto people = enrollment_->ListParticipants(Secretariat(), list);
  ASSERT_TRUE(people.ok()) << people.status();
  ASSERT_GE(people->participants_size(), 1);
  const v1::Participant& p = people->participants(0);
  const Principal stranger = User("someone-else");

  v1::UpdateConsentRequest right;
  right.set_name(p.name());
  right.set_etag(p.etag());
  right.mutable_consent()->set_share_attendance(true);
  v1::UpdateConsentRequest wrong = right;
  wrong.set_etag("\"stale\"");
  v1::UpdateConsentRequest missing = right;
  missing.set_name(cohort + "/participants/nope");
  const absl::Status a = enrollment_->UpdateConsent(stranger, right).status();
  EXPECT_EQ(a.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Observed(a), Observed(enrollment_->UpdateConsent(stranger, wrong).status()));
  EXPECT_EQ(Observed(a), Observed(enrollment_->UpdateConsent(stranger, missing).status()));

  v1::CancelParticipantRequest cancel_missing;
  cancel_missing.set_name(cohort + "/participants/nope");
  v1::CancelParticipantRequest cancel_real;
  cancel_real.set_name(p.name());
  cancel_real.set_etag("\"stale\"");
  EXPECT_EQ(Observed(enrollment_->CancelParticipant(stranger, cancel_real).status()),
            Observed(enrollment_->CancelParticipant(stranger, cancel_missing).status()));

  v1::GetParticipantRequest get_real;
  get_real.set_name(p.name());
  v1::GetParticipantRequest get_missing;
  get_missing.set_name(cohort + "/participants/nope");
  EXPECT_EQ(Observed(enrollment_->GetParticipant(stranger, get_real).status()),
            Observed(enrollment_->GetParticipant(stranger, get_missing).status()));
}

TEST_F(AuthoriseFirstTest, ADraftCohortIsIndistinguishableFromNoneToOutsiders) {
  const std::string draft = Cohort("fy2023-draft", false);
  const std::string none = "cohorts/no-such-cohort";
  const Principal navigator = Navigator("navigator-elsewhere");

  v1::ListApplicationsRequest apps_draft;
  apps_draft.set_parent(draft);
  v1::ListApplicationsRequest apps_none;
  apps_none.set_parent(none);
  const absl::Status a = enrollment_->ListApplications(navigator, apps_draft).status();
  EXPECT_EQ(a.code(), absl::StatusCode::kPermissionDenied) << a;
  EXPECT_EQ(Observed(a), Observed(enrollment_->ListApplications(navigator, apps_none).status()));

  v1::ListParticipantsRequest people_draft;
  people_draft.set_parent(draft);
  v1::ListParticipantsRequest people_none;
  people_none.set_parent(none);
  EXPECT_EQ(Observed(enrollment_->ListParticipants(navigator, people_draft).status()),
            Observed(enrollment_->ListParticipants(navigator, people_none).status()));

  v1::GetRosterRequest roster_draft;
  roster_draft.set_parent(draft);
  v1::GetRosterRequest roster_none;
  roster_none.set_parent(none);
  EXPECT_EQ(Observed(enrollment_->GetRoster(navigator, roster_draft).status()),
            Observed(enrollment_->GetRoster(navigator, roster_none).status()));

  // Applying to a draft looks exactly like applying to nothing (the names
  // differ, so compare code and reason).
  const absl::Status d = enrollment_->CreateApplication(Anonymous(), Apply(draft, 1, kTowns[0]))
                             .status();
  const absl::Status n = enrollment_->CreateApplication(Anonymous(), Apply(none, 1, kTowns[0]))
                             .status();
  EXPECT_EQ(d.code(), absl::StatusCode::kNotFound) << d;
  EXPECT_EQ(n.code(), absl::StatusCode::kNotFound) << n;
  EXPECT_EQ(errors::Reason(d), errors::Reason(n));
  // The secretariat is told why.
  EXPECT_EQ(enrollment_->CreateApplication(Secretariat(), Apply(draft, 2, kTowns[1]))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

// Issue 12's RPCs: a claim link, a claim and a member list reveal nothing
// to someone who may not have them, for real and invented names alike.
TEST_F(AuthoriseFirstTest, ClaimsAndMemberListsRevealNothingToStrangers) {
  const std::string cohort = Cohort("fy2022", true);
  const v1::Application team = [&] {
    auto r = Apply(cohort, 1, kTowns[1], 2);
    auto app = enrollment_->CreateApplication(User("submitter"), r);
    EXPECT_TRUE(app.ok()) << app.status();
    return *app;
  }();
  const Principal stranger = User("someone-else");

  v1::IssueClaimLinkRequest real_link;
  real_link.set_name(team.participants(1));
  v1::IssueClaimLinkRequest bound_link;  // its state would say "already claimed"
  bound_link.set_name(team.participants(0));
  v1::IssueClaimLinkRequest no_link;
  no_link.set_name(cohort + "/participants/does-not-exist");
  const absl::Status a = enrollment_->IssueClaimLink(stranger, real_link).status();
  EXPECT_EQ(a.code(), absl::StatusCode::kPermissionDenied) << a;
  EXPECT_EQ(Observed(a), Observed(enrollment_->IssueClaimLink(stranger, bound_link).status()));
  EXPECT_EQ(Observed(a), Observed(enrollment_->IssueClaimLink(stranger, no_link).status()));

  v1::ClaimApplicationRequest real_claim;
  real_claim.set_name(team.name());  // claimed already: would be APPLICATION_ALREADY_CLAIMED
  v1::ClaimApplicationRequest no_claim;
  no_claim.set_name(cohort + "/applications/does-not-exist");
  Principal wrong_token = stranger;
  wrong_token.set_access_token("not-the-token");
  EXPECT_EQ(Observed(enrollment_->ClaimApplication(wrong_token, real_claim).status()),
            Observed(enrollment_->ClaimApplication(wrong_token, no_claim).status()));

  const std::string draft = Cohort("fy2023-draft", false);
  v1::ListCohortMembersRequest members_real, members_draft, members_none;
  members_real.set_parent(cohort);
  members_draft.set_parent(draft);
  members_none.set_parent("cohorts/no-such-cohort");
  const absl::Status m = enrollment_->ListCohortMembers(stranger, members_real).status();
  EXPECT_EQ(errors::Reason(m), kMembersOnly);
  EXPECT_EQ(Observed(m), Observed(enrollment_->ListCohortMembers(stranger, members_draft).status()));
  EXPECT_EQ(Observed(m), Observed(enrollment_->ListCohortMembers(stranger, members_none).status()));
}

TEST_F(AuthoriseFirstTest, StaffSubjectsMayNotUseThePartnerPrefix) {
  const std::string cohort = Cohort("fy2022", true);
  v1::CreateParticipantRequest r;
  r.set_parent(cohort);
  r.mutable_participant()->set_display_name("人事課");
  r.mutable_participant()->set_role(v1::Participant::OBSERVER);
  r.mutable_participant()->set_subject("partner:demo-matsusaka-hr");
  const absl::Status s = enrollment_->CreateParticipant(Secretariat(), r).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(errors::Reason(s), std::string(kSubjectReserved));
  r.mutable_participant()->set_subject("user-observer");
  EXPECT_TRUE(enrollment_->CreateParticipant(Secretariat(), r).ok());
}

}  // namespace
}  // namespace kaizen::enrollment

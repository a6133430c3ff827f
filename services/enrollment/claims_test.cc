// Claim links and application claims (claims.cc) against real SQLite and a
// fake clock: who may issue, single use (also with two redeemers at once on
// a file database), expiry, revocation by reissue, one place per cohort, and
// a stable reason for every refusal.
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "common/util/ids.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace claims_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class ClaimsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(":memory:"); }

  void Open(const std::string& path) {
    storage::DatabaseOptions options;
    options.path = path;
    options.init = true;
    auto store = EnrollmentStore::Open(options);
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
    v1::TransitionCohortRequest open;
    open.set_name(created->name());
    open.set_state(v1::Cohort::OPEN);
    ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
    cohort_ = created->name();
  }

  // A team of `size` submitted by the account "submitter-<n>".
  v1::Application Team(int n, int size) {
    auto app = enrollment_->CreateApplication(User(absl::StrCat("submitter-", n)),
                                              Apply(cohort_, n, kTowns[n % 6], size));
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() ? *app : v1::Application();
  }

  absl::StatusOr<v1::ClaimLink> Issue(const Principal& who, const std::string& participant) {
    v1::IssueClaimLinkRequest r;
    r.set_name(participant);
    return enrollment_->IssueClaimLink(who, r);
  }

  absl::StatusOr<v1::Participant> Redeem(const Principal& who, const std::string& token) {
    v1::RedeemClaimLinkRequest r;
    r.set_token(token);
    return enrollment_->RedeemClaimLink(who, r);
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
  std::string cohort_;
};

TEST_F(ClaimsTest, SecretariatIssuesAndTheMateBecomesTheParticipant) {
  v1::Application team = Team(1, 2);
  auto link = Issue(Secretariat(), team.participants(1));
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->participant(), team.participants(1));
  EXPECT_EQ(link->token().size(), 43u);  // 32 random bytes, base64url
  EXPECT_EQ(FromProtoTimestamp(link->expire_time()), June1() + absl::Hours(24 * 7));

  auto mine = Redeem(User("mate-account"), link->token());
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->name(), team.participants(1));
  EXPECT_EQ(mine->subject(), "mate-account");
  EXPECT_FALSE(mine->email().empty());  // their own, unredacted view
  // The account now acts as that participant: its own consent, for instance.
  v1::UpdateConsentRequest consent;
  consent.set_name(team.participants(1));
  consent.mutable_consent()->set_share_attendance(false);
  consent.mutable_consent()->set_share_action_plan(true);
  consent.mutable_consent()->set_share_survey_profile(false);
  EXPECT_TRUE(enrollment_->UpdateConsent(User("mate-account"), consent).ok());
  // A double click is not an error; anyone else is refused.
  EXPECT_TRUE(Redeem(User("mate-account"), link->token()).ok());
  EXPECT_EQ(errors::Reason(Redeem(User("someone-else"), link->token()).status()),
            kClaimLinkUsed);
}

TEST_F(ClaimsTest, TheSubmitterIssuesForTheirMatesOnly) {
  v1::Application team = Team(1, 2);
  v1::Application other = Team(2, 1);
  ASSERT_TRUE(Issue(User("submitter-1"), team.participants(1)).ok());
  // Not for another application's people, whether or not they exist.
  auto foreign = Issue(User("submitter-1"), other.participants(0));
  auto invented = Issue(User("submitter-1"), cohort_ + "/participants/nobody");
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(foreign.status(), invented.status());
  EXPECT_EQ(errors::Reason(foreign.status()), kNotYourParticipation);
  // Their own participation is bound already.
  EXPECT_EQ(errors::Reason(Issue(User("submitter-1"), team.participants(0)).status()),
            kParticipationAlreadyClaimed);
  // An anonymous team's access token alone does not issue links (it can be
  // neither revoked nor tied to a person): its holder claims the
  // application with an account first, then issues as the submitter.
  auto anon = enrollment_->CreateApplication(Anonymous(), Apply(cohort_, 3, kTowns[3], 2));
  ASSERT_TRUE(anon.ok());
  EXPECT_EQ(errors::Reason(Issue(WithToken(anon->access_token()), anon->participants(1)).status()),
            kNotYourParticipation);
  Principal holder = User("anon-submitter");
  holder.set_access_token(anon->access_token());
  EXPECT_EQ(errors::Reason(Issue(holder, anon->participants(1)).status()), kNotYourParticipation);
  v1::ClaimApplicationRequest claim;
  claim.set_name(anon->name());
  ASSERT_TRUE(enrollment_->ClaimApplication(holder, claim).ok());
  EXPECT_TRUE(Issue(User("anon-submitter"), anon->participants(1)).ok());
  EXPECT_EQ(errors::Reason(Issue(WithToken(anon->access_token()), team.participants(1)).status()),
            kNotYourParticipation);
  // Nobody signed in at all: sign in first.
  EXPECT_EQ(errors::Reason(Issue(Anonymous(), team.participants(1)).status()), kLoginRequired);
  EXPECT_EQ(errors::Reason(Issue(PartnerHr("242047"), team.participants(1)).status()),
            kPartnerFeedOnly);
}

TEST_F(ClaimsTest, OnlyAKeyedHashOfTheTokenIsStored) {
  v1::Application team = Team(1, 2);
  auto link = Issue(Secretariat(), team.participants(1));
  ASSERT_TRUE(link.ok());
  ASSERT_TRUE(store_
                  ->Read([&](EnrollmentTx& tx) -> absl::Status {
                    auto by_token = tx.GetClaimLink(link->token());
                    EXPECT_TRUE(by_token.ok() && !by_token->has_value());
                    auto by_hash = tx.GetClaimLink(enrollment_->ClaimTokenHash(link->token()));
                    EXPECT_TRUE(by_hash.ok() && by_hash->has_value());
                    // Keyed: not the plain SHA-256 a leaked table could be
                    // checked against.
                    EXPECT_NE(enrollment_->ClaimTokenHash(link->token()),
                              SecretDigest(link->token()));
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_F(ClaimsTest, ExpiresWithTheInjectedClock) {
  v1::Application team = Team(1, 2);
  v1::IssueClaimLinkRequest r;
  r.set_name(team.participants(1));
  r.mutable_ttl()->set_seconds(3600);
  auto link = enrollment_->IssueClaimLink(Secretariat(), r);
  ASSERT_TRUE(link.ok()) << link.status();
  clock_.Advance(absl::Hours(1));
  auto late = Redeem(User("mate"), link->token());
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(late.status()), kClaimLinkExpired);
  // ttl outside 1 hour .. 30 days names the field.
  r.mutable_ttl()->set_seconds(59);
  auto bad = enrollment_->IssueClaimLink(Secretariat(), r);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::GetBadRequest(bad.status())->field_violations(0).field(), "ttl");
}

TEST_F(ClaimsTest, ReissueRevokesTheEarlierLink) {
  v1::Application team = Team(1, 2);
  auto first = Issue(Secretariat(), team.participants(1));
  auto second = Issue(Secretariat(), team.participants(1));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->token(), second->token());
  EXPECT_EQ(errors::Reason(Redeem(User("mate"), first->token()).status()), kClaimLinkRevoked);
  EXPECT_TRUE(Redeem(User("mate"), second->token()).ok());
}

TEST_F(ClaimsTest, EveryRefusalHasItsReason) {
  v1::Application team = Team(1, 3);
  EXPECT_EQ(errors::Reason(Redeem(User("x"), "no-such-token").status()), kClaimLinkNotFound);
  EXPECT_EQ(Redeem(User("x"), "no-such-token").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Redeem(User("x"), "").status().code(), absl::StatusCode::kInvalidArgument);
  auto link = Issue(Secretariat(), team.participants(1));
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(errors::Reason(Redeem(Anonymous(), link->token()).status()), kLoginRequired);
  EXPECT_EQ(errors::Reason(Redeem(WithToken(team.access_token()), link->token()).status()),
            kLoginRequired);
  EXPECT_EQ(errors::Reason(Redeem(PartnerHr("242047"), link->token()).status()),
            kPartnerFeedOnly);
  // One account, one place per cohort: the submitter is member 0 already.
  EXPECT_EQ(errors::Reason(Redeem(User("submitter-1"), link->token()).status()),
            kSubjectAlreadyInCohort);
  // A cancelled participation cannot be claimed.
  auto other = Issue(Secretariat(), team.participants(2));
  ASSERT_TRUE(other.ok());
  v1::CancelParticipantRequest cancel;
  cancel.set_name(team.participants(2));
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());
  EXPECT_EQ(errors::Reason(Redeem(User("y"), other->token()).status()), kAlreadyCancelled);
  EXPECT_EQ(errors::Reason(Issue(Secretariat(), team.participants(2)).status()), kAlreadyCancelled);
}

// Rotating the internal secret: a link issued under the old claim-links key
// still redeems while that key is kept as a previous one, and not after.
TEST_F(ClaimsTest, LinksSurviveAKeyRotationOverlap) {
  v1::Application team = Team(1, 3);
  auto link = Issue(Secretariat(), team.participants(1));
  auto later = Issue(Secretariat(), team.participants(2));
  ASSERT_TRUE(link.ok() && later.ok());
  Enrollment rotated(store_.get(), &clock_,
                     WithoutEmailConfirmation(EnrollmentConfig{"page-token-key-0123456789",
                                                               "access-key-0123456789",
                                                               "claim-key-NEW-0123456789",
                                                               {"claim-key-0123456789"}}));
  v1::RedeemClaimLinkRequest r;
  r.set_token(link->token());
  auto mine = rotated.RedeemClaimLink(User("mate-account"), r);
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->subject(), "mate-account");
  Enrollment old_key_dropped(
      store_.get(), &clock_,
      WithoutEmailConfirmation(EnrollmentConfig{
          "page-token-key-0123456789", "access-key-0123456789", "claim-key-NEW-0123456789"}));
  r.set_token(later->token());
  EXPECT_EQ(errors::Reason(old_key_dropped.RedeemClaimLink(User("other"), r).status()),
            kClaimLinkNotFound);
}

// Admission follows the same rule: a submitter who already took a place in
// the cohort through a claim link is not bound to their application's
// member 0 as well.
TEST_F(ClaimsTest, AdmissionDoesNotGiveAnAccountASecondPlace) {
  v1::Application team = Team(1, 2);
  auto link = Issue(Secretariat(), team.participants(1));
  ASSERT_TRUE(link.ok());
  ASSERT_TRUE(Redeem(User("mate-account"), link->token()).ok());
  auto own = enrollment_->CreateApplication(User("mate-account"), Apply(cohort_, 5, kTowns[5], 1));
  ASSERT_TRUE(own.ok()) << own.status();
  ASSERT_EQ(own->state(), v1::Application::ACCEPTED);
  v1::GetParticipantRequest get;
  get.set_name(own->participants(0));
  auto member0 = enrollment_->GetParticipant(Secretariat(), get);
  ASSERT_TRUE(member0.ok()) << member0.status();
  EXPECT_EQ(member0->subject(), "");  // not bound: the account has its place already
}

// Two people open the same link at the same moment: exactly one becomes the
// participant, the other is told the link was used. A file database (WAL,
// separate reader connections), nine rounds with fresh links.
class ClaimsFileTest : public ClaimsTest {
 protected:
  void SetUp() override {
    const std::string dir = ::testing::TempDir() + "/claims_race";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    Open(dir + "/enrollment.db");
  }
};

TEST_F(ClaimsFileTest, TwoRedeemersAtOnceExactlyOneWins) {
  v1::Application team = Team(1, 10);
  ASSERT_EQ(team.participants_size(), 10);
  for (int round = 1; round < 10; ++round) {
    auto link = Issue(Secretariat(), team.participants(round));
    ASSERT_TRUE(link.ok()) << link.status();
    absl::Notification go;
    absl::StatusOr<v1::Participant> results[2];
    std::vector<std::thread> racers;
    for (int i = 0; i < 2; ++i) {
      racers.emplace_back([&, i] {
        go.WaitForNotification();
        results[i] = Redeem(User(absl::StrCat("racer-", round, "-", i)), link->token());
      });
    }
    go.Notify();
    for (std::thread& t : racers) t.join();
    ASSERT_EQ(results[0].ok() + results[1].ok(), 1) << round;
    const int winner = results[0].ok() ? 0 : 1;
    EXPECT_EQ(errors::Reason(results[1 - winner].status()), kClaimLinkUsed);
    v1::GetParticipantRequest get;
    get.set_name(team.participants(round));
    auto stored = enrollment_->GetParticipant(Secretariat(), get);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->subject(), absl::StrCat("racer-", round, "-", winner));
  }
}

TEST_F(ClaimsTest, AnAnonymousApplicantClaimsTheirApplicationAfterSigningIn) {
  auto app = enrollment_->CreateApplication(Anonymous(), Apply(cohort_, 5, kTowns[1], 2));
  ASSERT_TRUE(app.ok());
  v1::ClaimApplicationRequest claim;
  claim.set_name(app->name());
  Principal signed_in = User("new-account");
  // Signed in without the access token: not theirs to claim, and the answer
  // is the same for an application that does not exist.
  auto refused = enrollment_->ClaimApplication(signed_in, claim);
  v1::ClaimApplicationRequest invented;
  invented.set_name(cohort_ + "/applications/nothing");
  signed_in.set_access_token(app->access_token());
  EXPECT_EQ(errors::Reason(refused.status()), kNotYourApplication);
  EXPECT_EQ(refused.status(),
            enrollment_->ClaimApplication(User("new-account"), invented).status());
  // The token alone is not an account.
  EXPECT_EQ(errors::Reason(
                enrollment_->ClaimApplication(WithToken(app->access_token()), claim).status()),
            kLoginRequired);

  auto claimed = enrollment_->ClaimApplication(signed_in, claim);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_EQ(claimed->submitter(), "new-account");
  // Now the account alone is the applicant, and member 0's participation is
  // theirs.
  v1::GetApplicationRequest get;
  get.set_name(app->name());
  EXPECT_TRUE(enrollment_->GetApplication(User("new-account"), get).ok());
  v1::GetParticipantRequest own;
  own.set_name(app->participants(0));
  auto p = enrollment_->GetParticipant(User("new-account"), own);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->subject(), "new-account");
  // Again with the same account: no change; another account with the token:
  // refused.
  EXPECT_TRUE(enrollment_->ClaimApplication(signed_in, claim).ok());
  Principal thief = User("other-account");
  thief.set_access_token(app->access_token());
  EXPECT_EQ(errors::Reason(enrollment_->ClaimApplication(thief, claim).status()),
            kApplicationAlreadyClaimed);
  // And the submitter can now issue links for the mate.
  EXPECT_TRUE(Issue(User("new-account"), app->participants(1)).ok());
}

}  // namespace
}  // namespace kaizen::enrollment

// Starts the real enrollment gRPC server on port 0 (in-memory SQLite, fake
// clock) and talks to it through real stubs, as the gateway would.
#include <memory>
#include <vector>

#include "absl/synchronization/notification.h"

#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/grpc_service.h"

namespace kaizen::enrollment {
namespace enrollment_server_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class EnrollmentServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions db;
    auto store = EnrollmentStore::Open(db);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    clock_.Set(June1());
    domain_ = std::make_unique<Enrollment>(
        store_.get(), &clock_,
        WithoutEmailConfirmation(EnrollmentConfig{"page-key-0123456789", "access-key-0123456789",
                                                  "claim-key-0123456789"}));
    service_ = std::make_unique<EnrollmentGrpcService>(domain_.get(), &server_.signer());
    absl::Status started =
        server_.Start("enrollment", {{v1::EnrollmentService::service_full_name(), service_.get()}});
    ASSERT_TRUE(started.ok()) << started;
    stub_ = v1::EnrollmentService::NewStub(server_.channel());
  }

  std::unique_ptr<grpc::ClientContext> As(const Principal& p) { return server_.As(p); }

  std::string OpenCohort(int max_waitlist = 0) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    if (max_waitlist > 0) create.mutable_cohort()->set_max_waitlist(max_waitlist);
    create.set_cohort_id("fy2022");
    v1::Cohort cohort;
    EXPECT_TRUE(stub_->CreateCohort(As(Secretariat()).get(), create, &cohort).ok());
    v1::TransitionCohortRequest open;
    open.set_name(cohort.name());
    open.set_state(v1::Cohort::OPEN);
    open.set_etag(cohort.etag());
    grpc::Status s = stub_->TransitionCohort(As(Secretariat()).get(), open, &cohort);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return cohort.name();
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> domain_;
  std::unique_ptr<EnrollmentGrpcService> service_;
  testkit::InProcessGrpcServer server_;  // stops before the service goes
  std::unique_ptr<v1::EnrollmentService::Stub> stub_;
};

TEST_F(EnrollmentServerTest, ApplyThenReadWithAccessTokenOverGrpc) {
  const std::string cohort = OpenCohort();
  v1::Application app;
  grpc::Status s = stub_->CreateApplication(As(Anonymous()).get(),
                                            Apply(cohort, 1, kTowns[2], 2), &app);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(app.state(), v1::Application::ACCEPTED);
  EXPECT_EQ(app.members(0).display_name(), "山田 太郎100");  // UTF-8 intact

  v1::GetApplicationRequest get;
  get.set_name(app.name());
  v1::Application read;
  s = stub_->GetApplication(As(WithToken(app.access_token())).get(), get, &read);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(read.participants_size(), 2);
  EXPECT_TRUE(read.access_token().empty());  // shown once, at creation

  v1::Roster roster;
  v1::GetRosterRequest rr;
  rr.set_parent(cohort);
  ASSERT_TRUE(stub_->GetRoster(As(Service()).get(), rr, &roster).ok());
  EXPECT_EQ(roster.entries_size(), 2);
}

// CreateApplication is an asynchronous write (KAIZEN_DEFINE_WRITE_RPC): 48
// applicants at once for 10 seats and 15 waiting places, through the real
// server: the seat rules stay exact and every caller gets its own answer.
TEST_F(EnrollmentServerTest, ApplicantsRacingForTheLastSeatsOverGrpc) {
  const std::string cohort = OpenCohort(/*max_waitlist=*/15);
  constexpr int kApplicants = 48;
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    v1::CreateApplicationRequest request;
    v1::Application response;
    grpc::Status status;
    absl::Notification done;
  };
  std::vector<Call> calls(kApplicants);
  for (int i = 0; i < kApplicants; ++i) {
    Call& c = calls[i];
    c.context = As(Anonymous());
    c.request = Apply(cohort, 200 + i, kTowns[2]);
    stub_->async()->CreateApplication(c.context.get(), &c.request, &c.response,
                                      [&c](grpc::Status s) {
                                        c.status = std::move(s);
                                        c.done.Notify();
                                      });
  }
  int accepted = 0, waitlisted = 0, full = 0;
  for (Call& c : calls) {
    c.done.WaitForNotification();
    if (c.status.ok()) {
      accepted += c.response.state() == v1::Application::ACCEPTED;
      waitlisted += c.response.state() == v1::Application::WAITLISTED;
      EXPECT_FALSE(c.response.access_token().empty());
    } else {
      EXPECT_EQ(errors::Reason(FromGrpcStatus(c.status)), kWaitlistFull)
          << c.status.error_message();
      ++full;
    }
  }
  EXPECT_EQ(accepted, 10);
  EXPECT_EQ(waitlisted, 15);
  EXPECT_EQ(full, kApplicants - 25);
}

TEST_F(EnrollmentServerTest, DirectCallWithoutGatewayCredentialIsUnauthenticated) {
  grpc::ClientContext context;
  v1::ListCohortsRequest list;
  v1::ListCohortsResponse response;
  grpc::Status s = stub_->ListCohorts(&context, list, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "INTERNAL_CREDENTIAL_MISSING");
}

TEST_F(EnrollmentServerTest, ForgedPrincipalIsRefused) {
  auth::PrincipalSigner forger("not-the-real-secret-0123456789");
  grpc::ClientContext context;
  server::AttachPrincipal(Secretariat(), forger, &context);
  v1::CreateCohortRequest create;
  *create.mutable_cohort() = Fy2022Cohort();
  v1::Cohort cohort;
  grpc::Status s = stub_->CreateCohort(&context, create, &cohort);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "INTERNAL_CREDENTIAL_INVALID");
}

TEST_F(EnrollmentServerTest, FieldViolationsAndReasonsReachTheClient) {
  const std::string cohort = OpenCohort();
  auto request = Apply(cohort, 1, "999999");
  v1::Application app;
  absl::Status s =
      FromGrpcStatus(stub_->CreateApplication(As(Anonymous()).get(), request, &app));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  auto bad = errors::GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "application.members[0].municipality_code");
  EXPECT_FALSE(errors::Reason(s).empty());
}

TEST_F(EnrollmentServerTest, StaleEtagIsAbortedOverGrpc) {
  const std::string cohort = OpenCohort();
  v1::TransitionCohortRequest close;
  close.set_name(cohort);
  close.set_state(v1::Cohort::CLOSED);
  close.set_etag("\"stale\"");
  v1::Cohort out;
  grpc::Status s = stub_->TransitionCohort(As(Secretariat()).get(), close, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
}

TEST_F(EnrollmentServerTest, PartnerSeesOnlyItsMunicipality) {
  const std::string cohort = OpenCohort();
  v1::Application a, b;
  ASSERT_TRUE(stub_->CreateApplication(As(Anonymous()).get(), Apply(cohort, 1, kTowns[0]), &a).ok());
  ASSERT_TRUE(stub_->CreateApplication(As(Anonymous()).get(), Apply(cohort, 2, kTowns[1]), &b).ok());
  v1::ListChangesResponse changes;
  ASSERT_TRUE(stub_->ListChanges(As(PartnerHr(kTowns[1])).get(), v1::ListChangesRequest(),
                                 &changes).ok());
  ASSERT_EQ(changes.changes_size(), 1);
  EXPECT_EQ(changes.changes(0).participant(), b.participants(0));
  // The partner cannot read participants directly either.
  v1::GetParticipantRequest get;
  get.set_name(a.participants(0));
  v1::Participant p;
  EXPECT_EQ(stub_->GetParticipant(As(PartnerHr(kTowns[1])).get(), get, &p).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Issue 12 over real stubs: a team mate is claimed by link and then sees
// their own page and their cohort's members; an anonymous applicant claims
// their application after signing in.
TEST_F(EnrollmentServerTest, ClaimLinkThenMeAndMembersOverGrpc) {
  const std::string cohort = OpenCohort();
  v1::Application team;
  ASSERT_TRUE(stub_->CreateApplication(As(User("submitter")).get(),
                                       Apply(cohort, 1, kTowns[0], 2), &team).ok());
  v1::IssueClaimLinkRequest issue;
  issue.set_name(team.participants(1));
  v1::ClaimLink link;
  grpc::Status s = stub_->IssueClaimLink(As(User("submitter")).get(), issue, &link);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_FALSE(link.token().empty());

  v1::RedeemClaimLinkRequest redeem;
  redeem.set_token(link.token());
  v1::Participant mate;
  s = stub_->RedeemClaimLink(As(User("mate")).get(), redeem, &mate);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(mate.subject(), "mate");
  absl::Status used = FromGrpcStatus(stub_->RedeemClaimLink(As(User("late")).get(), redeem, &mate));
  EXPECT_EQ(errors::Reason(used), "CLAIM_LINK_USED");

  v1::Me me;
  s = stub_->GetMe(As(User("mate")).get(), v1::GetMeRequest(), &me);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(me.cohorts_size(), 1);
  ASSERT_EQ(me.cohorts(0).participations_size(), 1);
  EXPECT_EQ(me.cohorts(0).participations(0).name(), team.participants(1));

  v1::ListCohortMembersRequest members;
  members.set_parent(cohort);
  v1::ListCohortMembersResponse list;
  s = stub_->ListCohortMembers(As(User("mate")).get(), members, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(list.total_size(), 2);
  absl::Status outsider =
      FromGrpcStatus(stub_->ListCohortMembers(As(User("stranger")).get(), members, &list));
  EXPECT_EQ(outsider.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::Reason(outsider), "MEMBERS_ONLY");

  v1::Application anon;
  ASSERT_TRUE(stub_->CreateApplication(As(Anonymous()).get(), Apply(cohort, 2, kTowns[1]), &anon)
                  .ok());
  Principal signed_in = User("late-signer");
  signed_in.set_access_token(anon.access_token());
  v1::ClaimApplicationRequest claim;
  claim.set_name(anon.name());
  v1::Application claimed;
  s = stub_->ClaimApplication(As(signed_in).get(), claim, &claimed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(claimed.submitter(), "late-signer");
}

}  // namespace
}  // namespace kaizen::enrollment

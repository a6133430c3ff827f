// The notification RPCs through the real gRPC server (port 0, in-memory
// SQLite, fake clock) and real stubs: the hand-over from scheduling's
// principal, its refusals and field violations on the wire, and the
// preferences and unsubscribe round trip.
#include <memory>
#include <string>

#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/grpc_service.h"
#include "services/enrollment/internal.h"

namespace kaizen::enrollment {
namespace notify_server_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class NotifyServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = EnrollmentStore::Open(storage::DatabaseOptions{});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    clock_.Set(June1());
    EnrollmentConfig config{"page-key-0123456789", "access-key-0123456789",
                            "claim-key-0123456789"};
    config.require_email_confirmation = false;
    config.notify.unsubscribe_key = "unsubscribe-key-0123456789";
    domain_ = std::make_unique<Enrollment>(store_.get(), &clock_, config);
    service_ = std::make_unique<EnrollmentGrpcService>(domain_.get(), &server_.signer());
    absl::Status started =
        server_.Start("enrollment", {{v1::EnrollmentService::service_full_name(), service_.get()}});
    ASSERT_TRUE(started.ok()) << started;
    stub_ = v1::EnrollmentService::NewStub(server_.channel());

    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.set_cohort_id("fy2022");
    v1::Cohort cohort;
    ASSERT_TRUE(stub_->CreateCohort(As(Secretariat()).get(), create, &cohort).ok());
    v1::TransitionCohortRequest open;
    open.set_name(cohort.name());
    open.set_state(v1::Cohort::OPEN);
    open.set_etag(cohort.etag());
    ASSERT_TRUE(stub_->TransitionCohort(As(Secretariat()).get(), open, &cohort).ok());
    cohort_ = cohort.name();
    ASSERT_TRUE(stub_->CreateApplication(As(User("user-1")).get(), Apply(cohort_, 1, kTowns[0], 2),
                                         &app_).ok());
    ASSERT_EQ(app_.participants_size(), 2);
  }

  std::unique_ptr<grpc::ClientContext> As(const Principal& p) { return server_.As(p); }

  kaizen::type::EnqueueNotificationRequest Poll() {
    kaizen::type::EnqueueNotificationRequest r;
    r.set_idempotency_key("scheduling:poll-opened/p1");
    r.set_kind(kaizen::type::POLL_OPENED);
    r.set_cohort(cohort_);
    (*r.mutable_params())["poll"] = cohort_ + "/polls/p1";
    (*r.mutable_params())["meeting_title"] = "第2回 研究会";
    (*r.mutable_params())["close_time"] = "2022-06-10T23:59:00+09:00";
    return r;
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> domain_;
  std::unique_ptr<EnrollmentGrpcService> service_;
  testkit::InProcessGrpcServer server_;  // stops before the service goes
  std::unique_ptr<v1::EnrollmentService::Stub> stub_;
  std::string cohort_;
  v1::Application app_;
};

TEST_F(NotifyServerTest, HandOverFromSchedulingOverGrpc) {
  kaizen::type::EnqueueNotificationResponse response;
  grpc::Status denied = stub_->EnqueueNotification(As(Secretariat()).get(), Poll(), &response);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(denied)), "SERVICES_ONLY");

  kaizen::type::EnqueueNotificationRequest invalid = Poll();
  invalid.mutable_params()->erase("close_time");
  absl::Status bad =
      FromGrpcStatus(stub_->EnqueueNotification(As(Service("scheduling")).get(), invalid,
                                                &response));
  ASSERT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::GetBadRequest(bad)->field_violations(0).field(), "params.close_time");

  grpc::Status s = stub_->EnqueueNotification(As(Service("scheduling")).get(), Poll(), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.enqueued(), 2);
  EXPECT_FALSE(response.repeat());
  s = stub_->EnqueueNotification(As(Service("scheduling")).get(), Poll(), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(response.repeat());
  EXPECT_EQ(response.enqueued(), 2);
}

TEST_F(NotifyServerTest, PreferencesAndUnsubscribeOverGrpc) {
  v1::GetParticipantRequest get_participant;
  get_participant.set_name(app_.participants(0));
  v1::Participant me;
  ASSERT_TRUE(stub_->GetParticipant(As(Secretariat()).get(), get_participant, &me).ok());
  ASSERT_FALSE(me.subject().empty());

  v1::GetNotificationPreferencesRequest get;
  get.set_name(me.name() + "/notificationPreferences");
  v1::NotificationPreferences prefs;
  grpc::Status s = stub_->GetNotificationPreferences(As(User(me.subject())).get(), get, &prefs);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(prefs.reminders());
  s = stub_->GetNotificationPreferences(As(User("stranger")).get(), get, &prefs);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::UpdateNotificationPreferencesRequest update;
  update.mutable_preferences()->set_name(get.name());
  update.mutable_preferences()->set_reminders(false);
  s = stub_->UpdateNotificationPreferences(As(User(me.subject())).get(), update, &prefs);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(prefs.reminders());
  // Reminders off: the poll reaches only the other member.
  kaizen::type::EnqueueNotificationResponse handed;
  ASSERT_TRUE(stub_->EnqueueNotification(As(Service("scheduling")).get(), Poll(), &handed).ok());
  EXPECT_EQ(handed.enqueued(), 1);
  EXPECT_EQ(handed.skipped(), 1);

  // The one-click link of the other member, without an account.
  get_participant.set_name(app_.participants(1));
  v1::Participant other;
  ASSERT_TRUE(stub_->GetParticipant(As(Secretariat()).get(), get_participant, &other).ok());
  v1::UnsubscribeRemindersRequest unsubscribe;
  unsubscribe.set_token(domain_->notifier().UnsubscribeTokenFor(EmailKey(other.email())));
  v1::UnsubscribeRemindersResponse unsubscribed;
  s = stub_->UnsubscribeReminders(As(Anonymous()).get(), unsubscribe, &unsubscribed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(unsubscribed.reminders());
  kaizen::type::EnqueueNotificationRequest next = Poll();
  next.set_idempotency_key("scheduling:poll-opened/p2");
  ASSERT_TRUE(stub_->EnqueueNotification(As(Service("scheduling")).get(), next, &handed).ok());
  EXPECT_EQ(handed.enqueued(), 0);
  EXPECT_EQ(handed.skipped(), 2);
  unsubscribe.set_token("AAAA" + unsubscribe.token().substr(4));
  s = stub_->UnsubscribeReminders(As(Anonymous()).get(), unsubscribe, &unsubscribed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "UNSUBSCRIBE_TOKEN_INVALID");
}

}  // namespace
}  // namespace kaizen::enrollment

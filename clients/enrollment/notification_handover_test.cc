// NotificationHandover against an in-process EnrollmentService on port 0
// (the real server bootstrap of common/testing/grpc_fixture.h): the key it
// sets, the principal it signs, and how enrollment's errors map to the
// Deliverer's transient / permanent outcomes.
#include "clients/enrollment/notification_handover.h"

#include <memory>

#include "clients/enrollment/fake_notification_sink.h"
#include "common/status/errors.h"
#include "common/testing/grpc_fixture.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "kaizen/type/notification.pb.h"

namespace kaizen::enrollment_client {
namespace notification_handover_test {

namespace ev1 = ::kaizen::enrollment::v1;
namespace kt = ::kaizen::type;

class NotificationHandoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sink_ = std::make_unique<FakeNotificationSink>(&server_.signer(), "scheduling");
    ASSERT_TRUE(
        server_.Start("enrollment", {{ev1::EnrollmentService::service_full_name(), sink_.get()}})
            .ok());
    handover_ = std::make_unique<NotificationHandover>(server_.channel(), &server_.signer(),
                                                       "scheduling", absl::Seconds(10));
  }

  static notify::OutboxMessage Row(const std::string& id) {
    kt::EnqueueNotificationRequest r;
    r.set_kind(kt::MEETING_CANCELLED);
    r.set_cohort("cohorts/fy2022");
    (*r.mutable_params())["meeting"] = "cohorts/fy2022/meetings/m1";
    notify::OutboxMessage m;
    m.id = id;
    m.kind = "meeting_cancelled";
    m.subject_ref = "cohorts/fy2022/meetings/m1";
    m.payload = r.SerializeAsString();
    return m;
  }

  testkit::InProcessGrpcServer server_;
  std::unique_ptr<FakeNotificationSink> sink_;
  std::unique_ptr<NotificationHandover> handover_;
};

TEST_F(NotificationHandoverTest, SetsTheKeyFromTheRowIdAndPassesThePayload) {
  ASSERT_TRUE(handover_->Deliver(Row("meeting/cohorts/fy2022/meetings/m1/r3")).ok());
  auto got = sink_->requests();
  ASSERT_EQ(got.size(), 1u);
  const auto& [key, request] = *got.begin();
  EXPECT_EQ(key, "scheduling:meeting/cohorts/fy2022/meetings/m1/r3");
  EXPECT_EQ(request.idempotency_key(), key);
  EXPECT_EQ(request.kind(), kt::MEETING_CANCELLED);
  EXPECT_EQ(request.params().at("meeting"), "cohorts/fy2022/meetings/m1");
  EXPECT_EQ(HandoverKey("scheduling", "x/1"), "scheduling:x/1");
}

TEST_F(NotificationHandoverTest, ARepeatedHandOverIsOkAndRecordedOnce) {
  ASSERT_TRUE(handover_->Deliver(Row("a")).ok());
  ASSERT_TRUE(handover_->Deliver(Row("a")).ok());  // enrollment answers repeat = true
  EXPECT_EQ(sink_->calls(), 2);
  EXPECT_EQ(sink_->order(), std::vector<std::string>{"scheduling:a"});
}

TEST_F(NotificationHandoverTest, SignsAsItsOwnServiceOnly) {
  // Another service name: the fake (like enrollment) refuses it for good.
  NotificationHandover survey(server_.channel(), &server_.signer(), "survey", absl::Seconds(10));
  absl::Status s = survey.Deliver(Row("a"));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(notify::IsTransient(s));
  EXPECT_EQ(errors::Reason(s), kHandoverRefused);
  EXPECT_TRUE(sink_->requests().empty());
}

TEST_F(NotificationHandoverTest, MapsEnrollmentsErrorsToRetryOrDeadLetter) {
  struct Case {
    absl::Status answer;
    absl::StatusCode want;
    bool transient;
  };
  const Case cases[] = {
      {errors::Unavailable("DOWN", "down"), absl::StatusCode::kUnavailable, true},
      {absl::DeadlineExceededError("slow"), absl::StatusCode::kDeadlineExceeded, true},
      {errors::ResourceExhausted("BUSY", "busy"), absl::StatusCode::kResourceExhausted, true},
      {errors::Error(absl::StatusCode::kAborted, "CONFLICT", "retry"), absl::StatusCode::kAborted,
       true},
      {errors::Internal("disk"), absl::StatusCode::kUnavailable, true},
      {errors::InvalidField("params", "unknown key 'x'"), absl::StatusCode::kInvalidArgument,
       false},
      {errors::PermissionDenied("SERVICES_ONLY", "no"), absl::StatusCode::kPermissionDenied,
       false},
      {errors::NotFound("Cohort", "cohorts/fy2022"), absl::StatusCode::kNotFound, false},
      {errors::FailedPrecondition("COHORT_PURGED", "gone"),
       absl::StatusCode::kFailedPrecondition, false},
  };
  for (const Case& c : cases) {
    sink_->FailNext({c.answer});
    absl::Status s = handover_->Deliver(Row("x"));
    EXPECT_EQ(s.code(), c.want) << c.answer;
    EXPECT_EQ(notify::IsTransient(s), c.transient) << c.answer;
    EXPECT_EQ(errors::Reason(s), c.transient ? kHandoverUnavailable : kHandoverRefused);
  }
  // The message names the code, enrollment's reason and field, not its text.
  sink_->FailNext({errors::InvalidField("params", "secret text 山田")});
  absl::Status s = handover_->Deliver(Row("x"));
  EXPECT_NE(s.message().find("INVALID_ARGUMENT/INVALID_FIELD (field params)"),
            absl::string_view::npos)
      << s.message();
  EXPECT_EQ(s.message().find("山田"), absl::string_view::npos);
  EXPECT_TRUE(sink_->requests().empty());
}

TEST_F(NotificationHandoverTest, AnUnreadablePayloadIsPermanent) {
  notify::OutboxMessage m = Row("bad");
  m.payload = "\xff\xff\xff";
  absl::Status s = handover_->Deliver(m);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(s), kHandoverPayloadInvalid);
  EXPECT_EQ(sink_->calls(), 0);
}

TEST(NotificationHandoverDownTest, NoServerIsTransient) {
  // A port nobody listens on (the fixture's, after it stopped).
  std::string address;
  {
    testkit::InProcessGrpcServer server;
    FakeNotificationSink sink(&server.signer(), "scheduling");
    ASSERT_TRUE(
        server.Start("enrollment", {{ev1::EnrollmentService::service_full_name(), &sink}}).ok());
    address = server.address();
  }
  auth::PrincipalSigner signer(testkit::kInternalSecret);
  NotificationHandover handover(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()), &signer, "scheduling",
      absl::Milliseconds(300));
  kt::EnqueueNotificationRequest r;
  r.set_kind(kt::POLL_OPENED);
  notify::OutboxMessage m;
  m.id = "poll-opened/x";
  m.payload = r.SerializeAsString();
  absl::Status s = handover.Deliver(m);
  EXPECT_TRUE(notify::IsTransient(s)) << s;
}

}  // namespace
}  // namespace kaizen::enrollment_client

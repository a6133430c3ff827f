// Issue 13 end to end inside one process: scheduling's outbox, the real
// Deliverer and the real hand-over transport over gRPC, against a fake
// EnrollmentService on port 0 that fails the first call with UNAVAILABLE.
// Each message reaches enrollment exactly once, with the key
// "scheduling:<row id>", and a rolled-back change reaches it never.
#include <memory>
#include <set>
#include <string>

#include "clients/enrollment/fake_notification_sink.h"
#include "clients/enrollment/notification_handover.h"
#include "common/notify/deliverer.h"
#include "common/testing/grpc_fixture.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_fixture.h"

namespace kaizen::scheduling {
namespace notifications_delivery_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT
namespace ev1 = ::kaizen::enrollment::v1;

class NotificationsDeliveryTest : public SchedulingFixture {
 protected:
  void SetUp() override {
    SchedulingFixture::SetUp();
    sink_ = std::make_unique<enrollment_client::FakeNotificationSink>(&server_.signer(),
                                                                      "scheduling");
    ASSERT_TRUE(
        server_.Start("enrollment", {{ev1::EnrollmentService::service_full_name(), sink_.get()}})
            .ok());
    handover_ = std::make_unique<enrollment_client::NotificationHandover>(
        server_.channel(), &server_.signer(), "scheduling", absl::Seconds(10));
    notify::DelivererOptions options;
    options.service = "scheduling";
    deliverer_ = std::make_unique<notify::Deliverer>(store_->database(), handover_.get(),
                                                     &clock_, options);
  }

  notify::Deliverer::PassResult Pass() {
    auto r = deliverer_->RunOnce();
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : notify::Deliverer::PassResult{};
  }

  testkit::InProcessGrpcServer server_;
  std::unique_ptr<enrollment_client::FakeNotificationSink> sink_;
  std::unique_ptr<enrollment_client::NotificationHandover> handover_;
  std::unique_ptr<notify::Deliverer> deliverer_;
};

TEST_F(NotificationsDeliveryTest, EachMessageArrivesOnceThoughEnrollmentFailsFirst) {
  CreateSeries();                                    // m1 confirmed
  OpenPoll(M2(), {Tokyo(2022, 8, 21, 9)});           // poll opened
  ASSERT_TRUE(Schedule(M1(), Tokyo(2022, 7, 30, 13)).ok());  // m1 rescheduled
  // A change that fails inside its transaction (stale etag) sends nothing.
  v1::CancelMeetingRequest stale;
  stale.set_name(M1());
  stale.set_reason("x");
  stale.set_etag("W/\"stale\"");
  ASSERT_FALSE(scheduling_->CancelMeeting(Navigator(), stale).ok());

  sink_->FailNext({errors::Unavailable("DOWN", "enrollment is restarting")});
  notify::Deliverer::PassResult first = Pass();
  EXPECT_EQ(first.retried, 1);
  EXPECT_EQ(first.sent, 2);
  EXPECT_EQ(first.dead, 0);
  // Nothing is due before the backoff ends.
  EXPECT_EQ(Pass().sent, 0);
  clock_.Advance(absl::Minutes(1));
  notify::Deliverer::PassResult second = Pass();
  EXPECT_EQ(second.sent, 1);
  EXPECT_EQ(second.retried, 0);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(Pass().sent, 0);  // all done: nothing goes twice

  EXPECT_EQ(sink_->calls(), 4);  // 3 messages + the failed first attempt
  const auto got = sink_->requests();
  ASSERT_EQ(got.size(), 3u);
  std::set<std::string> keys;
  std::multiset<std::string> kinds;
  for (const auto& [key, request] : got) {
    keys.insert(key);
    kinds.insert(kaizen::type::NotificationKind_Name(request.kind()));
  }
  EXPECT_EQ(keys, (std::set<std::string>{"scheduling:meeting/" + M1() + "/r1",
                                         "scheduling:meeting/" + M1() + "/r2",
                                         "scheduling:poll-opened/" + M2() + "/r2"}));
  EXPECT_EQ(kinds, (std::multiset<std::string>{"MEETING_CONFIRMED", "MEETING_RESCHEDULED",
                                               "POLL_OPENED"}));
}

TEST_F(NotificationsDeliveryTest, ARefusedMessageIsDeadNotRetried) {
  CreateSeries();
  sink_->FailNext({errors::InvalidField("params", "unknown key")});
  notify::Deliverer::PassResult r = Pass();
  EXPECT_EQ(r.dead, 1);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(Pass().sent, 0);
  EXPECT_EQ(sink_->calls(), 1);
  EXPECT_TRUE(sink_->requests().empty());
}

}  // namespace
}  // namespace kaizen::scheduling

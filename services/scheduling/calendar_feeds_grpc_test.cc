// The subscribable-calendar RPCs and list pages through real stubs: the
// scheduling gRPC service in process on port 0, principals signed as the
// gateway signs them (an anonymous one for the feed itself).
#include <memory>
#include <string>
#include <utility>

#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "common/testing/principals.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/grpc_service.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace calendar_feeds_grpc_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

class CalendarFeedsGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = SchedulingStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(Tokyo(2022, 7, 1, 10));
    SchedulingConfig config;
    config.page_token_key = std::string(32, 'p');
    config.calendar_feed_keys = auth::KeyRing({std::string(32, 'c')});
    scheduling_ = std::make_unique<Scheduling>(store_.get(), &roster_, &clock_, config);
    service_ = std::make_unique<SchedulingGrpcService>(scheduling_.get(), &server_.signer());
    ASSERT_TRUE(
        server_.Start("scheduling", {{v1::SchedulingService::service_full_name(), service_.get()}})
            .ok());
    stub_ = v1::SchedulingService::NewStub(server_.channel());
    v1::CreateMeetingSeriesRequest series;
    series.set_parent(kCohort);
    series.set_template_("templates/next-gen-leaders-fy2022");
    series.set_start_year(2022);
    *series.mutable_first_meeting_start() = ToProtoTimestamp(FirstMeeting());
    v1::CreateMeetingSeriesResponse created;
    ASSERT_TRUE(stub_->CreateMeetingSeries(server_.As(Secretariat()).get(), series, &created).ok());
  }

  FakeRoster roster_;
  FakeClock clock_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<Scheduling> scheduling_;
  testkit::InProcessGrpcServer server_;
  std::unique_ptr<SchedulingGrpcService> service_;
  std::unique_ptr<v1::SchedulingService::Stub> stub_;
};

TEST_F(CalendarFeedsGrpcTest, CreateReadRotateRevokeOverTheWire) {
  v1::CreateCalendarFeedRequest create;
  create.set_parent(kCohort);
  create.mutable_calendar_feed()->set_kind(v1::CalendarFeed::PERSON);
  v1::CalendarFeed feed;
  ASSERT_TRUE(stub_->CreateCalendarFeed(server_.As(Participant(1)).get(), create, &feed).ok());
  ASSERT_FALSE(feed.token().empty());

  // The calendar app: no account, only the URL.
  v1::ReadCalendarFeedRequest read;
  read.set_token(feed.token());
  kaizen::type::HttpBody body;
  grpc::Status s = stub_->ReadCalendarFeed(server_.As(testkit::Anonymous()).get(), read, &body);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(body.content_type(), "text/calendar; charset=utf-8");
  EXPECT_EQ(body.data().rfind("BEGIN:VCALENDAR\r\n", 0), 0u);

  v1::RotateCalendarFeedRequest rotate;
  rotate.set_name(feed.name());
  v1::CalendarFeed rotated;
  ASSERT_TRUE(stub_->RotateCalendarFeed(server_.As(Participant(1)).get(), rotate, &rotated).ok());
  s = stub_->ReadCalendarFeed(server_.As(testkit::Anonymous()).get(), read, &body);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "FEED_NOT_FOUND");

  v1::RevokeCalendarFeedRequest revoke;
  revoke.set_name(feed.name());
  v1::CalendarFeed revoked;
  ASSERT_TRUE(stub_->RevokeCalendarFeed(server_.As(Participant(1)).get(), revoke, &revoked).ok());
  EXPECT_EQ(revoked.state(), v1::CalendarFeed::REVOKED);
  read.set_token(rotated.token());
  EXPECT_EQ(stub_->ReadCalendarFeed(server_.As(testkit::Anonymous()).get(), read, &body)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::ListCalendarFeedsRequest list;
  list.set_parent(kCohort);
  v1::ListCalendarFeedsResponse feeds;
  ASSERT_TRUE(stub_->ListCalendarFeeds(server_.As(Participant(1)).get(), list, &feeds).ok());
  ASSERT_EQ(feeds.calendar_feeds_size(), 1);
  EXPECT_EQ(feeds.total_size(), 1);
  EXPECT_TRUE(feeds.calendar_feeds(0).token().empty());
}

TEST_F(CalendarFeedsGrpcTest, AnonymousCallersGetNothingElse) {
  // allow_anonymous opens the feed alone: every other RPC refuses anonymity.
  v1::ListMeetingsRequest list;
  list.set_parent(kCohort);
  v1::ListMeetingsResponse meetings;
  EXPECT_EQ(stub_->ListMeetings(server_.As(testkit::Anonymous()).get(), list, &meetings)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::CreateCalendarFeedRequest create;
  create.set_parent(kCohort);
  create.mutable_calendar_feed()->set_kind(v1::CalendarFeed::PERSON);
  v1::CalendarFeed feed;
  EXPECT_EQ(stub_->CreateCalendarFeed(server_.As(testkit::Anonymous()).get(), create, &feed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CalendarFeedsGrpcTest, MeetingsPageOverTheWireAndRefuseAForeignToken) {
  v1::ListMeetingsRequest list;
  list.set_parent(kCohort);
  list.set_page_size(3);
  std::vector<int> sequences;
  int pages = 0;
  while (true) {
    v1::ListMeetingsResponse page;
    grpc::Status s = stub_->ListMeetings(server_.As(Participant(1)).get(), list, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(page.total_size(), 8);
    for (const auto& m : page.meetings()) sequences.push_back(m.sequence());
    ++pages;
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(sequences, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));

  // A meetings token given to the support slot list.
  v1::ListMeetingsResponse first;
  list.clear_page_token();
  ASSERT_TRUE(stub_->ListMeetings(server_.As(Participant(1)).get(), list, &first).ok());
  v1::ListSupportSlotsRequest slots;
  slots.set_parent(kCohort);
  slots.set_page_token(first.next_page_token());
  v1::ListSupportSlotsResponse out;
  grpc::Status s = stub_->ListSupportSlots(server_.As(Participant(1)).get(), slots, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto bad = errors::GetBadRequest(FromGrpcStatus(s));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "page_token");
}

}  // namespace
}  // namespace kaizen::scheduling

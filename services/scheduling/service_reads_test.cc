// Other Kaizen services (ROLE_SERVICE, auth::ServicePrincipal) may read a
// cohort's meetings (GetMeeting, ListMeetings) and nothing else: every other
// RPC refuses them with PERMISSION_DENIED and changes nothing. Then the whole
// path: the shared scheduling client (clients/scheduling) calling the real
// scheduling gRPC service as "plans".
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "clients/scheduling/grpc_meeting_source.h"
#include "clients/scheduling/meetings.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/testing/grpc_fixture.h"
#include "common/testing/principals.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/grpc_service.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace service_reads_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

const std::string kM1 = std::string(kCohort) + "/meetings/m1";
const std::string kM2 = std::string(kCohort) + "/meetings/m2";
const std::string kM6 = std::string(kCohort) + "/meetings/m6";

// What plans calls as: subject "plans", ROLE_SERVICE only.
Principal Plans() { return auth::ServicePrincipal("plans"); }

class ServiceReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = SchedulingStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(Tokyo(2022, 7, 1, 10));
    scheduling_ = std::make_unique<Scheduling>(store_.get(), &roster_, &clock_);

    v1::CreateMeetingSeriesRequest series;
    series.set_parent(kCohort);
    series.set_template_("templates/next-gen-leaders-fy2022");
    series.set_start_year(2022);
    *series.mutable_first_meeting_start() = ToProtoTimestamp(FirstMeeting());
    series.set_online_url("https://meet.example.jp/kaizen");
    ASSERT_TRUE(scheduling_->CreateMeetingSeries(Secretariat(), series).ok());
  }

  absl::StatusOr<v1::Meeting> Confirm(const std::string& meeting, absl::Time start) {
    v1::ScheduleMeetingRequest r;
    r.set_name(meeting);
    *r.mutable_start_time() = ToProtoTimestamp(start);
    return scheduling_->ScheduleMeeting(Navigator(), r);
  }

  absl::StatusOr<v1::ListMeetingsResponse> List(const Principal& caller) {
    v1::ListMeetingsRequest r;
    r.set_parent(kCohort);
    return scheduling_->ListMeetings(caller, r);
  }

  FakeRoster roster_;
  FakeClock clock_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<Scheduling> scheduling_;
};

TEST_F(ServiceReadsTest, AServiceReadsMeetings) {
  v1::GetMeetingRequest get;
  get.set_name(kM1);
  auto m1 = scheduling_->GetMeeting(Plans(), get);
  ASSERT_TRUE(m1.ok()) << m1.status();
  EXPECT_EQ(m1->state(), v1::Meeting::CONFIRMED);
  EXPECT_EQ(FromProtoTimestamp(m1->start_time()), FirstMeeting());

  auto list = List(Plans());
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->meetings_size(), 8);
  EXPECT_EQ(list->meetings(5).name(), kM6);
  EXPECT_EQ(list->meetings(5).state(), v1::Meeting::UNSCHEDULED);

  get.set_name(std::string(kCohort) + "/meetings/m9");
  EXPECT_EQ(scheduling_->GetMeeting(Plans(), get).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ServiceReadsTest, AServiceNeedsNoRosterToReadMeetings) {
  // Like the secretariat's, a service's reads ask enrollment nothing: they
  // keep working while enrollment is down.
  roster_.SetDown(true);
  const int calls = roster_.calls();
  v1::GetMeetingRequest get;
  get.set_name(kM1);
  EXPECT_TRUE(scheduling_->GetMeeting(Plans(), get).ok());
  EXPECT_TRUE(List(Plans()).ok());
  EXPECT_EQ(roster_.calls(), calls);
  // A cohort scheduling has no series for lists no meetings.
  v1::ListMeetingsRequest other;
  other.set_parent("cohorts/other");
  auto none = scheduling_->ListMeetings(Plans(), other);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->meetings_size(), 0);
}

TEST_F(ServiceReadsTest, OtherCallersStillNeedTheRoster) {
  // Only ROLE_SERVICE opens the reads: a stranger, or a token whose subject
  // merely looks like a service, is refused as before.
  EXPECT_EQ(List(testkit::User("plans", kaizen::type::ROLE_PARTICIPANT)).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(List(testkit::Anonymous()).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(List(Participant(1)).ok());
}

TEST_F(ServiceReadsTest, AServiceMayDoNothingElse) {
  // Resources for every other RPC to aim at: a poll on m2, a task on m1, a
  // support slot booked by p1.
  v1::SetPollCandidatesRequest poll;
  poll.set_meeting(kM2);
  *poll.add_start_times() = ToProtoTimestamp(Tokyo(2022, 8, 21, 9));
  ASSERT_TRUE(scheduling_->SetPollCandidates(Navigator(), poll).ok());
  v1::CreateTaskRequest task;
  task.set_parent(kM1);
  task.mutable_task()->set_title("まちの特徴を3つ書き出す");
  *task.mutable_task()->mutable_due_time() = ToProtoTimestamp(Tokyo(2022, 7, 20, 23));
  auto created_task = scheduling_->CreateTask(Navigator(), task);
  ASSERT_TRUE(created_task.ok()) << created_task.status();
  v1::CreateSupportSlotRequest slot;
  slot.set_parent(kCohort);
  slot.mutable_support_slot()->set_staff(Person("advisor"));
  *slot.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 19));
  *slot.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 20));
  auto created_slot = scheduling_->CreateSupportSlot(Navigator(), slot);
  ASSERT_TRUE(created_slot.ok()) << created_slot.status();
  v1::BookSupportSlotRequest book;
  book.set_name(created_slot->name());
  ASSERT_TRUE(scheduling_->BookSupportSlot(Participant(1), book).ok());
  auto before = List(Secretariat());
  ASSERT_TRUE(before.ok()) << before.status();

  const Principal plans = Plans();
  Scheduling& s = *scheduling_;
  const std::vector<std::pair<std::string, std::function<absl::Status()>>> calls = {
      {"ListTemplates", [&] { return s.ListTemplates(plans, {}).status(); }},
      {"CreateTemplate",
       [&] {
         v1::CreateTemplateRequest r;
         r.set_template_id("plans-template");
         return s.CreateTemplate(plans, r).status();
       }},
      {"CreateMeetingSeries",
       [&] {
         v1::CreateMeetingSeriesRequest r;
         r.set_parent("cohorts/fy2023");
         r.set_template_("templates/next-gen-leaders-fy2022");
         r.set_start_year(2023);
         return s.CreateMeetingSeries(plans, r).status();
       }},
      {"UpdateMeetingFormat",
       [&] {
         v1::UpdateMeetingFormatRequest r;
         r.set_name(kM2);
         r.set_format(v1::IN_PERSON);
         r.set_venue("市役所 3階会議室");
         return s.UpdateMeetingFormat(plans, r).status();
       }},
      {"SetPollCandidates", [&] { return s.SetPollCandidates(plans, poll).status(); }},
      {"GetPoll",
       [&] {
         v1::GetPollRequest r;
         r.set_meeting(kM2);
         return s.GetPoll(plans, r).status();
       }},
      {"AnswerPoll",
       [&] {
         v1::AnswerPollRequest r;
         r.set_meeting(kM2);
         (*r.mutable_availability())["s202208210900"] = v1::YES;
         return s.AnswerPoll(plans, r).status();
       }},
      {"AnswerPoll for someone",
       [&] {
         v1::AnswerPollRequest r;
         r.set_meeting(kM2);
         r.set_participant(Person("p1"));
         (*r.mutable_availability())["s202208210900"] = v1::YES;
         return s.AnswerPoll(plans, r).status();
       }},
      {"ClosePoll",
       [&] {
         v1::ClosePollRequest r;
         r.set_meeting(kM2);
         return s.ClosePoll(plans, r).status();
       }},
      {"ClosePoll by hand",
       [&] {
         v1::ClosePollRequest r;
         r.set_meeting(kM2);
         r.set_slot_id("s202208210900");
         return s.ClosePoll(plans, r).status();
       }},
      {"ExportPollAnswers",
       [&] {
         v1::ExportPollAnswersRequest r;
         r.set_meeting(kM2);
         return s.ExportPollAnswers(plans, r).status();
       }},
      {"ScheduleMeeting",
       [&] {
         v1::ScheduleMeetingRequest r;
         r.set_name(kM6);
         *r.mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 12, 18, 9));
         return s.ScheduleMeeting(plans, r).status();
       }},
      {"CancelMeeting",
       [&] {
         v1::CancelMeetingRequest r;
         r.set_name(kM1);
         return s.CancelMeeting(plans, r).status();
       }},
      {"CreateTask", [&] { return s.CreateTask(plans, task).status(); }},
      {"ListTasks",
       [&] {
         v1::ListTasksRequest r;
         r.set_parent(kM1);
         return s.ListTasks(plans, r).status();
       }},
      {"SetTaskDone",
       [&] {
         v1::SetTaskDoneRequest r;
         r.set_name(created_task->name());
         r.set_done(true);
         return s.SetTaskDone(plans, r).status();
       }},
      {"SetTaskDone for someone",
       [&] {
         v1::SetTaskDoneRequest r;
         r.set_name(created_task->name());
         r.set_participant(Person("p1"));
         r.set_done(true);
         return s.SetTaskDone(plans, r).status();
       }},
      {"RecordAttendance",
       [&] {
         v1::RecordAttendanceRequest r;
         r.set_meeting(kM1);
         auto* rec = r.add_records();
         rec->set_participant(Person("p1"));
         rec->set_status(v1::PRESENT);
         return s.RecordAttendance(plans, r).status();
       }},
      {"GetMeetingAttendance",
       [&] {
         v1::GetMeetingAttendanceRequest r;
         r.set_meeting(kM1);
         return s.GetMeetingAttendance(plans, r).status();
       }},
      {"GetAttendanceSummary",
       [&] {
         v1::GetAttendanceSummaryRequest r;
         r.set_parent(kCohort);
         return s.GetAttendanceSummary(plans, r).status();
       }},
      {"CreateSupportSlot", [&] { return s.CreateSupportSlot(plans, slot).status(); }},
      {"ListSupportSlots",
       [&] {
         v1::ListSupportSlotsRequest r;
         r.set_parent(kCohort);
         return s.ListSupportSlots(plans, r).status();
       }},
      {"BookSupportSlot", [&] { return s.BookSupportSlot(plans, book).status(); }},
      {"CancelSupportBooking",
       [&] {
         v1::CancelSupportBookingRequest r;
         r.set_name(created_slot->name());
         return s.CancelSupportBooking(plans, r).status();
       }},
      {"GetCohortCalendar",
       [&] {
         v1::GetCohortCalendarRequest r;
         r.set_parent(kCohort);
         return s.GetCohortCalendar(plans, r).status();
       }},
      {"GetPersonCalendar",
       [&] {
         v1::GetPersonCalendarRequest r;
         r.set_participant(Person("p1"));
         return s.GetPersonCalendar(plans, r).status();
       }},
  };
  for (const auto& [rpc, call] : calls) {
    const absl::Status status = call();
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << rpc << ": " << status;
  }

  // Nothing moved: the meetings, the poll, the task and the booking are as
  // they were.
  auto after = List(Secretariat());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->SerializeAsString(), before->SerializeAsString());
  v1::GetPollRequest get_poll;
  get_poll.set_meeting(kM2);
  auto p = scheduling_->GetPoll(Secretariat(), get_poll);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->state(), v1::Poll::OPEN);
  v1::ListSupportSlotsRequest slots;
  slots.set_parent(kCohort);
  auto listed = scheduling_->ListSupportSlots(Secretariat(), slots);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->support_slots_size(), 1);
  EXPECT_EQ(listed->support_slots(0).booked_by(), Person("p1"));
}

// The whole path plans takes: GrpcMeetingSource, signed as "plans", against
// the real scheduling gRPC service on port 0.
TEST_F(ServiceReadsTest, ThePlansClientReadsMeetingStartsOverGrpc) {
  ASSERT_TRUE(Confirm(kM6, Tokyo(2022, 12, 18, 9)).ok());
  v1::CancelMeetingRequest cancel;
  cancel.set_name(std::string(kCohort) + "/meetings/m8");
  cancel.set_reason("講師都合のため中止");
  ASSERT_TRUE(Confirm(cancel.name(), Tokyo(2023, 12, 17, 9)).ok());
  auto cancelled = scheduling_->CancelMeeting(Navigator(), cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();

  testkit::InProcessGrpcServer server;
  SchedulingGrpcService service(scheduling_.get(), &server.signer());
  ASSERT_TRUE(
      server.Start("scheduling", {{v1::SchedulingService::service_full_name(), &service}}).ok());
  scheduling_client::GrpcMeetingSource source(server.channel(), &server.signer(), "plans",
                                              absl::Seconds(30));

  auto six = scheduling_client::MeetingStart(source, kCohort, 6);
  ASSERT_TRUE(six.ok()) << six.status();
  ASSERT_TRUE(six->has_value());
  EXPECT_EQ(**six, Tokyo(2022, 12, 18, 9));
  auto seven = scheduling_client::MeetingStart(source, kCohort, 7);
  ASSERT_TRUE(seven.ok()) << seven.status();
  EXPECT_FALSE(seven->has_value());  // unscheduled
  auto eight = scheduling_client::MeetingStart(source, kCohort, 8);
  ASSERT_TRUE(eight.ok()) << eight.status();
  EXPECT_FALSE(eight->has_value());  // cancelled
  EXPECT_EQ(scheduling_client::MeetingStart(source, kCohort, 9).status().code(),
            absl::StatusCode::kNotFound);

  // Rescheduled: the next read gives the new time.
  ASSERT_TRUE(Confirm(kM6, Tokyo(2022, 12, 25, 9)).ok());
  six = scheduling_client::MeetingStart(source, kCohort, 6);
  ASSERT_TRUE(six.ok() && six->has_value()) << six.status();
  EXPECT_EQ(**six, Tokyo(2022, 12, 25, 9));

  auto m6 = source.GetMeeting(kM6);
  ASSERT_TRUE(m6.ok()) << m6.status();
  EXPECT_EQ(m6->history_size(), 2);
  // Everything else stays closed over the wire too.
  auto stub = v1::SchedulingService::NewStub(server.channel());
  v1::GetPollRequest get_poll;
  get_poll.set_meeting(kM2);
  v1::Poll poll;
  EXPECT_EQ(stub->GetPoll(server.As(testkit::Service("plans")).get(), get_poll, &poll)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace kaizen::scheduling

// Behaviour pinned across the one-service-shape refactor (issue 9): the
// typed SchedulingTx took over revision bumps, storage keys and NOT_FOUND
// resource types from hand-written resource-table calls; etags, keys and
// error details must be what they were.
#include <map>
#include <string>
#include <vector>

#include "common/status/errors.h"
#include "common/util/etag.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace regression_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

const std::string kM1 = std::string(kCohort) + "/meetings/m1";
const std::string kM2 = std::string(kCohort) + "/meetings/m2";

std::string ResourceType(const absl::Status& s) {
  auto info = errors::GetResourceInfo(s);
  return info.has_value() ? info->resource_type() : "";
}

std::string ResourceName(const absl::Status& s) {
  auto info = errors::GetResourceInfo(s);
  return info.has_value() ? info->resource_name() : "";
}

class RegressionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = SchedulingStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(Tokyo(2022, 7, 1, 10));
    scheduling_ = std::make_unique<Scheduling>(store_.get(), &roster_, &clock_);
  }

  void CreateSeries() {
    v1::CreateMeetingSeriesRequest r;
    r.set_parent(kCohort);
    r.set_template_("templates/next-gen-leaders-fy2022");
    r.set_start_year(2022);
    *r.mutable_first_meeting_start() = ToProtoTimestamp(FirstMeeting());
    r.set_online_url("https://meet.example.jp/kaizen");
    auto s = scheduling_->CreateMeetingSeries(Secretariat(), r);
    ASSERT_TRUE(s.ok()) << s.status();
    for (const auto& m : s->meetings()) EXPECT_EQ(m.etag(), MakeEtag(m.name(), 1));
  }

  v1::Meeting Meeting(const std::string& name) {
    v1::GetMeetingRequest r;
    r.set_name(name);
    auto m = scheduling_->GetMeeting(Secretariat(), r);
    EXPECT_TRUE(m.ok()) << m.status();
    return m.ok() ? *m : v1::Meeting();
  }

  FakeRoster roster_;
  FakeClock clock_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<Scheduling> scheduling_;
};

TEST_F(RegressionTest, PollAndMeetingRevisionsMoveOncePerWrite) {
  CreateSeries();
  const std::string poll_name = kM2 + "/poll";
  v1::SetPollCandidatesRequest set;
  set.set_meeting(kM2);
  *set.add_start_times() = ToProtoTimestamp(Tokyo(2022, 8, 20, 13));
  *set.add_start_times() = ToProtoTimestamp(Tokyo(2022, 8, 27, 13));
  auto poll = scheduling_->SetPollCandidates(Navigator(), set);
  ASSERT_TRUE(poll.ok()) << poll.status();
  EXPECT_EQ(poll->name(), poll_name);
  EXPECT_EQ(poll->etag(), MakeEtag(poll_name, 1));
  EXPECT_EQ(Meeting(kM2).etag(), MakeEtag(kM2, 2));  // now POLLING

  // Editing candidates: the poll moves, the meeting (already POLLING) not.
  *set.add_start_times() = ToProtoTimestamp(Tokyo(2022, 8, 28, 13));
  set.set_etag(poll->etag());
  poll = scheduling_->SetPollCandidates(Navigator(), set);
  ASSERT_TRUE(poll.ok()) << poll.status();
  EXPECT_EQ(poll->etag(), MakeEtag(poll_name, 2));
  EXPECT_EQ(Meeting(kM2).etag(), MakeEtag(kM2, 2));

  const std::string slot = poll->slots(0).id();
  for (const Principal& who : {Navigator(), Advisor(), Participant(1)}) {
    v1::AnswerPollRequest answer;
    answer.set_meeting(kM2);
    (*answer.mutable_availability())[slot] = v1::YES;
    ASSERT_TRUE(scheduling_->AnswerPoll(who, answer).ok());
  }
  v1::GetPollRequest get;
  get.set_meeting(kM2);
  auto got = scheduling_->GetPoll(Secretariat(), get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->etag(), MakeEtag(poll_name, 5));

  v1::ClosePollRequest close;
  close.set_meeting(kM2);
  close.set_etag(got->etag());
  auto closed = scheduling_->ClosePoll(Navigator(), close);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->etag(), MakeEtag(poll_name, 6));
  EXPECT_EQ(closed->result().decided_by(), "RULE");
  v1::Meeting m = Meeting(kM2);
  EXPECT_EQ(m.etag(), MakeEtag(kM2, 3));
  EXPECT_EQ(m.state(), v1::Meeting::CONFIRMED);
  EXPECT_EQ(m.history(m.history_size() - 1).actor(), "poll");
  EXPECT_EQ(m.history(m.history_size() - 1).kind(), "CONFIRMED");

  v1::ScheduleMeetingRequest move;
  move.set_name(kM2);
  move.set_etag(m.etag());
  *move.mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 8, 27, 13));
  auto moved = scheduling_->ScheduleMeeting(Navigator(), move);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->etag(), MakeEtag(kM2, 4));
  EXPECT_EQ(moved->calendar_sequence(), 1);
  EXPECT_EQ(moved->history(moved->history_size() - 1).kind(), "RESCHEDULED");

  v1::UpdateMeetingFormatRequest format;
  format.set_name(kM2);
  format.set_etag(moved->etag());
  format.set_format(v1::IN_PERSON);
  format.set_venue(" 市役所 3階 ");
  auto formatted = scheduling_->UpdateMeetingFormat(Navigator(), format);
  ASSERT_TRUE(formatted.ok()) << formatted.status();
  EXPECT_EQ(formatted->etag(), MakeEtag(kM2, 5));
  EXPECT_EQ(formatted->calendar_sequence(), 2);

  v1::CancelMeetingRequest cancel;
  cancel.set_name(kM2);
  cancel.set_etag(formatted->etag());
  cancel.set_reason("台風");
  auto cancelled = scheduling_->CancelMeeting(Navigator(), cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->etag(), MakeEtag(kM2, 6));
  EXPECT_EQ(cancelled->calendar_sequence(), 3);
  cancel.set_etag(cancelled->etag());
  auto again = scheduling_->CancelMeeting(Navigator(), cancel);
  EXPECT_EQ(errors::Reason(again.status()), "MEETING_CANCELLED");
  EXPECT_EQ(again.status().message(), "this meeting was already cancelled");
}

TEST_F(RegressionTest, SupportSlotRevisionsAndCalendarSequence) {
  CreateSeries();
  v1::CreateSupportSlotRequest create;
  create.set_parent(kCohort);
  create.mutable_support_slot()->set_staff(Person("advisor"));
  *create.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 19));
  *create.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 20));
  auto slot = scheduling_->CreateSupportSlot(Navigator(), create);
  ASSERT_TRUE(slot.ok()) << slot.status();
  EXPECT_EQ(slot->etag(), MakeEtag(slot->name(), 1));
  auto overlap = scheduling_->CreateSupportSlot(Navigator(), create);
  EXPECT_EQ(errors::Reason(overlap.status()), "SLOT_OVERLAPS");
  EXPECT_EQ(overlap.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ResourceType(overlap.status()), "SupportSlot");
  EXPECT_EQ(ResourceName(overlap.status()), slot->name());

  v1::BookSupportSlotRequest book;
  book.set_name(slot->name());
  auto booked = scheduling_->BookSupportSlot(Participant(1), book);
  ASSERT_TRUE(booked.ok()) << booked.status();
  EXPECT_EQ(booked->etag(), MakeEtag(slot->name(), 2));

  v1::GetPersonCalendarRequest cal;
  cal.set_participant(Person("p1"));
  auto ics = scheduling_->GetPersonCalendar(Participant(1), cal);
  ASSERT_TRUE(ics.ok()) << ics.status();
  EXPECT_NE(ics->data().find("SEQUENCE:2"), std::string::npos) << ics->data();

  v1::CancelSupportBookingRequest cancel;
  cancel.set_name(slot->name());
  auto freed = scheduling_->CancelSupportBooking(Participant(1), cancel);
  ASSERT_TRUE(freed.ok()) << freed.status();
  EXPECT_EQ(freed->etag(), MakeEtag(slot->name(), 3));
  auto rebooked = scheduling_->BookSupportSlot(Participant(2), book);
  ASSERT_TRUE(rebooked.ok()) << rebooked.status();
  EXPECT_EQ(rebooked->etag(), MakeEtag(slot->name(), 4));
}

// NOT_FOUND names the same resource type and name as before, except the
// poll: it is stored as "{meeting}/polls/poll" but named by its API name,
// "{meeting}/poll" (issue 15: GET .../poll named a resource that does not
// exist in the API).
TEST_F(RegressionTest, NotFoundDetails) {
  v1::CreateMeetingSeriesRequest series;
  series.set_parent(kCohort);
  series.set_template_("templates/custom");
  series.set_start_year(2022);
  auto missing_template = scheduling_->CreateMeetingSeries(Secretariat(), series);
  EXPECT_EQ(ResourceType(missing_template.status()), "Template");
  EXPECT_EQ(ResourceName(missing_template.status()), "templates/custom");

  CreateSeries();
  v1::GetPollRequest poll;
  poll.set_meeting(kM2);
  auto missing_poll = scheduling_->GetPoll(Secretariat(), poll);
  EXPECT_EQ(missing_poll.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ResourceType(missing_poll.status()), "Poll");
  EXPECT_EQ(ResourceName(missing_poll.status()), kM2 + "/poll");  // the API name (issue 15)

  v1::GetMeetingRequest meeting;
  meeting.set_name(std::string(kCohort) + "/meetings/m99");
  auto missing_meeting = scheduling_->GetMeeting(Secretariat(), meeting);
  EXPECT_EQ(ResourceType(missing_meeting.status()), "Meeting");
  EXPECT_EQ(ResourceName(missing_meeting.status()), meeting.name());

  v1::SetTaskDoneRequest done;
  done.set_name(kM1 + "/tasks/nope");
  done.set_done(true);
  auto missing_task = scheduling_->SetTaskDone(Participant(1), done);
  EXPECT_EQ(ResourceType(missing_task.status()), "Task");
  EXPECT_EQ(ResourceName(missing_task.status()), done.name());

  v1::BookSupportSlotRequest book;
  book.set_name(std::string(kCohort) + "/supportSlots/nope");
  auto missing_slot = scheduling_->BookSupportSlot(Participant(1), book);
  EXPECT_EQ(ResourceType(missing_slot.status()), "SupportSlot");

  v1::GetMeetingAttendanceRequest sheet;
  sheet.set_meeting(std::string(kCohort) + "/meetings/m99");
  auto missing_sheet_meeting = scheduling_->GetMeetingAttendance(Secretariat(), sheet);
  EXPECT_EQ(ResourceType(missing_sheet_meeting.status()), "Meeting");

  auto templates = scheduling_->ListTemplates(Secretariat(), v1::ListTemplatesRequest());
  ASSERT_TRUE(templates.ok()) << templates.status();
  ASSERT_GE(templates->templates_size(), 1);
  v1::CreateTemplateRequest builtin;
  builtin.set_template_id("next-gen-leaders-fy2022");
  *builtin.mutable_template_() = templates->templates(0);
  auto exists = scheduling_->CreateTemplate(Secretariat(), builtin);
  EXPECT_EQ(exists.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(errors::Reason(exists.status()), "ALREADY_EXISTS");
  EXPECT_EQ(ResourceType(exists.status()), "Template");
}

// Attendance sheets are stored once per meeting and merged in roster order.
TEST_F(RegressionTest, AttendanceSheetMergesInRosterOrder) {
  CreateSeries();
  clock_.Set(Tokyo(2022, 7, 24, 12));  // attendance is taken once m1 has started
  v1::RecordAttendanceRequest r;
  r.set_meeting(kM1);
  auto* rec = r.add_records();
  rec->set_participant(Person("p2"));
  rec->set_status(v1::PRESENT);
  ASSERT_TRUE(scheduling_->RecordAttendance(Navigator(), r).ok());
  r.clear_records();
  rec = r.add_records();
  rec->set_participant(Person("p1"));
  rec->set_status(v1::LATE);
  auto sheet = scheduling_->RecordAttendance(Navigator(), r);
  ASSERT_TRUE(sheet.ok()) << sheet.status();
  ASSERT_EQ(sheet->records_size(), 2);
  EXPECT_EQ(sheet->records(0).participant(), Person("p1"));
  EXPECT_EQ(sheet->records(1).participant(), Person("p2"));
  EXPECT_EQ(sheet->meeting(), kM1);
  v1::GetAttendanceSummaryRequest summary;
  summary.set_parent(kCohort);
  auto s = scheduling_->GetAttendanceSummary(Secretariat(), summary);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_GE(s->rows_size(), 2);
  EXPECT_EQ(s->rows(0).recorded(), 1);
  EXPECT_EQ(s->rows(0).late(), 1);
}

}  // namespace
}  // namespace kaizen::scheduling

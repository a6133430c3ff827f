// The scheduling rules against real in-memory SQLite, a fake roster and a
// fake clock: series and templates, meeting changes in feeds, personal
// calendars and who may read. Polls are in polls_test.cc, tasks and
// attendance in tasks_attendance_test.cc, support slots in
// support_rules_test.cc.
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"

#include <cstdio>
#include <fstream>

#include "common/status/errors.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_fixture.h"

namespace kaizen::scheduling {
namespace scheduling_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

class SchedulingTest : public SchedulingFixture {};

const std::string kM2 = std::string(kCohort) + "/meetings/m2";

// ------------------------------------------------------------ series

TEST_F(SchedulingTest, Fy2022SeriesHasTheRightWindows) {
  v1::CreateMeetingSeriesResponse series = CreateSeries();
  ASSERT_EQ(series.meetings_size(), 8);
  const int months[][2] = {{2022, 7}, {2022, 8}, {2022, 9},  {2022, 10},
                           {2022, 11}, {2022, 12}, {2023, 6}, {2023, 12}};
  for (int i = 0; i < 8; ++i) {
    const v1::Meeting& m = series.meetings(i);
    EXPECT_EQ(m.sequence(), i + 1);
    EXPECT_EQ(FromProtoTimestamp(m.window_start()), Tokyo(months[i][0], months[i][1], 1, 0))
        << "meeting " << i + 1;
    EXPECT_EQ(FromProtoDuration(m.duration()), absl::Hours(3));
  }
  EXPECT_EQ(FromProtoTimestamp(series.meetings(7).window_end()), Tokyo(2024, 1, 1, 0));
  EXPECT_EQ(series.meetings(0).state(), v1::Meeting::CONFIRMED);
  EXPECT_EQ(FromProtoTimestamp(series.meetings(0).start_time()), FirstMeeting());
  EXPECT_EQ(series.meetings(1).state(), v1::Meeting::UNSCHEDULED);
  EXPECT_EQ(series.meetings(5).phase(), v1::INTERIM_PLAN);
  EXPECT_EQ(series.meetings(7).theme(), "アクションプラン（完成版）の発表");

  v1::CreateMeetingSeriesRequest again;
  again.set_parent(kCohort);
  again.set_template_("templates/next-gen-leaders-fy2022");
  again.set_start_year(2022);
  EXPECT_EQ(errors::Reason(scheduling_->CreateMeetingSeries(Secretariat(), again).status()),
            "SERIES_EXISTS");
}

TEST_F(SchedulingTest, UnknownCohortIsNotFoundAndEnrollmentDownIsUnavailable) {
  v1::CreateMeetingSeriesRequest r;
  r.set_parent("cohorts/other");
  r.set_template_("templates/next-gen-leaders-fy2022");
  r.set_start_year(2022);
  EXPECT_EQ(scheduling_->CreateMeetingSeries(Secretariat(), r).status().code(),
            absl::StatusCode::kNotFound);
  roster_.SetDown(true);
  r.set_parent(kCohort);
  auto down = scheduling_->CreateMeetingSeries(Secretariat(), r);
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(down.status()), "ENROLLMENT_UNAVAILABLE");
  roster_.SetDown(false);
  v1::ListMeetingsRequest list;
  list.set_parent(kCohort);
  EXPECT_EQ(scheduling_->ListMeetings(Secretariat(), list)->meetings_size(), 0);  // nothing half-written
}

TEST_F(SchedulingTest, FirstMeetingOutsideItsWindowIsRefused) {
  v1::CreateMeetingSeriesRequest r;
  r.set_parent(kCohort);
  r.set_template_("templates/next-gen-leaders-fy2022");
  r.set_start_year(2022);
  *r.mutable_first_meeting_start() = ToProtoTimestamp(Tokyo(2022, 8, 1, 9));
  auto s = scheduling_->CreateMeetingSeries(Secretariat(), r);
  EXPECT_EQ(FieldOf(s.status()), "first_meeting_start");
  EXPECT_EQ(errors::Reason(s.status()), "OUTSIDE_WINDOW");
}

TEST_F(SchedulingTest, CustomTemplatesAreValidated) {
  v1::CreateTemplateRequest r;
  r.set_template_id("short-course");
  r.mutable_template_()->set_title("短期コース");
  auto* e = r.mutable_template_()->add_entries();
  e->set_sequence(1);
  e->set_theme("キックオフ");
  e->set_phase(v1::KNOW_YOUR_TOWN);
  e->set_month(13);
  e->mutable_duration()->set_seconds(7200);
  e->set_format(v1::IN_PERSON);
  EXPECT_EQ(FieldOf(scheduling_->CreateTemplate(Secretariat(), r).status()),
            "template.entries[0].month");
  e->set_month(4);
  // A theme is checked as CreateMeeting checks one (it becomes a meeting's
  // theme and a mail's meeting title); enums only take their values.
  e->set_theme("キックオフ\r\nBcc: x@example.jp");
  EXPECT_EQ(FieldOf(scheduling_->CreateTemplate(Secretariat(), r).status()),
            "template.entries[0].theme");
  e->set_theme(std::string(201 * 3, 'a'));
  EXPECT_EQ(FieldOf(scheduling_->CreateTemplate(Secretariat(), r).status()),
            "template.entries[0].theme");
  e->set_theme("キックオフ");
  e->set_phase(static_cast<v1::Phase>(99));
  EXPECT_EQ(FieldOf(scheduling_->CreateTemplate(Secretariat(), r).status()),
            "template.entries[0].phase");
  e->set_phase(v1::KNOW_YOUR_TOWN);
  e->set_format(static_cast<v1::Format>(7));
  EXPECT_EQ(FieldOf(scheduling_->CreateTemplate(Secretariat(), r).status()),
            "template.entries[0].format");
  e->set_format(v1::IN_PERSON);
  ASSERT_TRUE(scheduling_->CreateTemplate(Secretariat(), r).ok());
  auto list = scheduling_->ListTemplates(Navigator(), v1::ListTemplatesRequest());
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->templates_size(), 2);
}

// ------------------------------------------------------------ changes, feeds

TEST_F(SchedulingTest, RescheduleBumpsSequenceAndFeedParsesWithARealParser) {
  CreateSeries();
  const std::string m1 = std::string(kCohort) + "/meetings/m1";
  v1::ScheduleMeetingRequest move;
  move.set_name(m1);
  *move.mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 7, 31, 9));
  move.set_reason("会場都合");
  auto moved = scheduling_->ScheduleMeeting(Navigator(), move);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->calendar_sequence(), 1);
  ASSERT_EQ(moved->history_size(), 2);
  EXPECT_EQ(moved->history(1).kind(), "RESCHEDULED");
  move.set_etag("\"stale\"");
  EXPECT_EQ(scheduling_->ScheduleMeeting(Navigator(), move).status().code(),
            absl::StatusCode::kAborted);

  v1::CancelMeetingRequest cancel;
  cancel.set_name(std::string(kCohort) + "/meetings/m3");
  cancel.set_reason("台風のため中止");
  ASSERT_TRUE(scheduling_->ScheduleMeeting(Navigator(), [&] {
                v1::ScheduleMeetingRequest s;
                s.set_name(cancel.name());
                *s.mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 9, 18, 9));
                return s;
              }()).ok());
  ASSERT_TRUE(scheduling_->CancelMeeting(Navigator(), cancel).ok());

  v1::GetCohortCalendarRequest get;
  get.set_parent(kCohort);
  auto feed = scheduling_->GetCohortCalendar(Participant(1), get);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->content_type(), "text/calendar; charset=utf-8");

  const std::string path = std::string(getenv("TEST_TMPDIR")) + "/cohort.ics";
  std::ofstream(path, std::ios::binary) << feed->data();
  const std::string script = std::string(getenv("TEST_TMPDIR")) + "/check.py";
  std::ofstream(script) << R"py(
import sys, datetime, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
events = {str(e['UID']): e for e in cal.walk('VEVENT')}
m1 = events['cohorts/fy2022/meetings/m1@kaizen']
assert int(m1['SEQUENCE']) == 1, m1['SEQUENCE']
start = m1.decoded('DTSTART')
assert start.utcoffset() == datetime.timedelta(hours=9), start
assert (start.hour, start.day, start.month) == (9, 31, 7), start
m3 = events['cohorts/fy2022/meetings/m3@kaizen']
assert str(m3['STATUS']) == 'CANCELLED' and int(m3['SEQUENCE']) == 1
assert len(events) == 2, events.keys()
print('ok')
)py";
  const std::string cmd = "/usr/bin/python3 " + script + " " + path;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "python3-icalendar rejected:\n" << feed->data();
}

TEST_F(SchedulingTest, PersonalCalendarIsForThePersonOrStaff) {
  CreateSeries();
  v1::GetPersonCalendarRequest r;
  r.set_participant(Person("p1"));
  EXPECT_TRUE(scheduling_->GetPersonCalendar(Participant(1), r).ok());
  EXPECT_TRUE(scheduling_->GetPersonCalendar(Navigator(), r).ok());
  EXPECT_EQ(errors::Reason(scheduling_->GetPersonCalendar(Participant(2), r).status()),
            "NOT_YOURSELF");
}

// A roster entry without a linked account (a team mate who never signed in)
// belongs to nobody: a caller without a subject is not "themself".
TEST_F(SchedulingTest, UnlinkedPersonsCalendarIsNotOpenToCallersWithoutSubject) {
  CreateSeries();
  auto roster = roster_.GetRoster(kCohort);
  ASSERT_TRUE(roster.ok());
  auto* unlinked = roster->add_entries();
  unlinked->set_participant(Person("p9"));
  unlinked->set_display_name("未登録 花子");
  unlinked->set_role(ev1::Participant::PARTICIPANT);
  roster_.SetRoster(*roster);
  v1::GetPersonCalendarRequest r;
  r.set_participant(Person("p9"));
  Principal no_subject;
  no_subject.add_roles(kaizen::type::ROLE_PARTICIPANT);
  no_subject.set_access_token("some-application-token");
  EXPECT_EQ(scheduling_->GetPersonCalendar(no_subject, r).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(scheduling_->GetPersonCalendar(Navigator(), r).ok());
}

TEST_F(SchedulingTest, StaffTokensOpenOnlyCohortsWhereTheyAreStaff) {
  CreateSeries();
  // A navigator of some other cohort: the role is in the token, but this
  // cohort's roster does not list the account.
  const Principal stranger = As("navigator-elsewhere", kaizen::type::ROLE_NAVIGATOR);
  v1::SetPollCandidatesRequest r;
  r.set_meeting(kM2);
  *r.add_start_times() = ToProtoTimestamp(Tokyo(2022, 8, 21, 9));
  // Refused as not on the roster, like for a cohort that does not exist
  // (authorise_first_test.cc), not told that only organisers may do this.
  EXPECT_EQ(errors::Reason(scheduling_->SetPollCandidates(stranger, r).status()),
            "NOT_ON_ROSTER");
  v1::ListMeetingsRequest list;
  list.set_parent(kCohort);
  EXPECT_EQ(errors::Reason(scheduling_->ListMeetings(stranger, list).status()), "NOT_ON_ROSTER");
  v1::GetMeetingAttendanceRequest sheet;
  sheet.set_meeting(kM2);
  EXPECT_EQ(errors::Reason(
                scheduling_->GetMeetingAttendance(As("observer-elsewhere", kaizen::type::ROLE_OBSERVER),
                                                  sheet).status()),
            "NOT_ON_ROSTER");
  // An advisor of this cohort reads but does not organise.
  EXPECT_TRUE(scheduling_->GetMeetingAttendance(Advisor(), sheet).ok());
  EXPECT_EQ(errors::Reason(scheduling_->SetPollCandidates(Advisor(), r).status()),
            "ORGANISER_ONLY");
}

TEST_F(SchedulingTest, NonMembersCannotRead) {
  CreateSeries();
  v1::ListMeetingsRequest list;
  list.set_parent(kCohort);
  EXPECT_TRUE(scheduling_->ListMeetings(Participant(1), list).ok());
  EXPECT_EQ(errors::Reason(
                scheduling_->ListMeetings(As("outsider", kaizen::type::ROLE_PARTICIPANT), list)
                    .status()),
            "NOT_ON_ROSTER");
}

}  // namespace
}  // namespace kaizen::scheduling

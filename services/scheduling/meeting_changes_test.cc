// Issue 15, point 5: a meeting's history and iCalendar SEQUENCE stay right
// through format changes, no-op reschedules, cancellation and reinstatement,
// and a series can grow by one meeting.
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_fixture.h"

namespace kaizen::scheduling {
namespace meeting_changes_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

class MeetingChangesTest : public SchedulingFixture {
 protected:
  // m2 confirmed at 2022-08-21 09:00 JST (SEQUENCE 0).
  v1::Meeting ConfirmM2() {
    CreateSeries();
    auto m = Schedule(M2(), Tokyo(2022, 8, 21, 9));
    EXPECT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->calendar_sequence(), 0);
    return *m;
  }

  absl::StatusOr<v1::Meeting> ToInPerson(const std::string& venue) {
    v1::UpdateMeetingFormatRequest r;
    r.set_name(M2());
    r.set_format(v1::IN_PERSON);
    r.set_venue(venue);
    r.set_reason("会場の都合");
    return scheduling_->UpdateMeetingFormat(Navigator(), r);
  }

  absl::StatusOr<v1::Meeting> Cancel(const std::string& name) {
    v1::CancelMeetingRequest r;
    r.set_name(name);
    r.set_reason("台風のため");
    return scheduling_->CancelMeeting(Navigator(), r);
  }

  absl::StatusOr<v1::Meeting> Reinstate(const std::string& name) {
    v1::ReinstateMeetingRequest r;
    r.set_name(name);
    r.set_reason("台風が逸れたため");
    return scheduling_->ReinstateMeeting(Navigator(), r);
  }

  std::string CohortIcs() {
    v1::GetCohortCalendarRequest r;
    r.set_parent(kCohort);
    auto body = scheduling_->GetCohortCalendar(Participant(1), r);
    EXPECT_TRUE(body.ok()) << body.status();
    return body.ok() ? body->data() : "";
  }
};

TEST_F(MeetingChangesTest, FormatChangeOfAConfirmedMeetingIsHistoryAndANewSequence) {
  ConfirmM2();
  auto changed = ToInPerson("津市役所 本庁舎 8階");
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(changed->calendar_sequence(), 1);
  ASSERT_EQ(changed->history_size(), 2);
  const auto& c = changed->history(1);
  EXPECT_EQ(c.kind(), "FORMAT_CHANGED");
  EXPECT_EQ(c.actor(), "user-navigator");
  EXPECT_EQ(FromProtoTimestamp(c.start_time()), Tokyo(2022, 8, 21, 9));
  EXPECT_EQ(c.reason(), "会場の都合 (format: online -> in person; venue: 津市役所 本庁舎 8階)");

  // The same request again changes nothing: no history, no new SEQUENCE,
  // nothing written (the etag stays).
  auto again = ToInPerson("津市役所 本庁舎 8階");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->calendar_sequence(), 1);
  EXPECT_EQ(again->history_size(), 2);
  EXPECT_EQ(again->etag(), changed->etag());
}

TEST_F(MeetingChangesTest, FormatChangeBeforeConfirmationIsAPlainEdit) {
  CreateSeries();
  auto changed = ToInPerson("津市役所");
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(changed->calendar_sequence(), 0);
  EXPECT_EQ(changed->history_size(), 0);
  EXPECT_EQ(changed->venue(), "津市役所");
}

TEST_F(MeetingChangesTest, ReschedulingToTheSameTimeIsANoOp) {
  const v1::Meeting confirmed = ConfirmM2();
  auto same = Schedule(M2(), Tokyo(2022, 8, 21, 9));
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->calendar_sequence(), 0);
  EXPECT_EQ(same->history_size(), 1);
  EXPECT_EQ(same->etag(), confirmed.etag());
  auto moved = Schedule(M2(), Tokyo(2022, 8, 27, 13));
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->calendar_sequence(), 1);
  EXPECT_EQ(moved->history(1).kind(), "RESCHEDULED");
}

TEST_F(MeetingChangesTest, ACancelledMeetingIsReinstatedWithANewSequence) {
  ConfirmM2();
  auto cancelled = Cancel(M2());
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->calendar_sequence(), 1);
  EXPECT_NE(CohortIcs().find("STATUS:CANCELLED"), std::string::npos);
  EXPECT_EQ(errors::Reason(ToInPerson("津市役所").status()), kMeetingCancelled);

  auto back = Reinstate(M2());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->state(), v1::Meeting::CONFIRMED);
  EXPECT_EQ(back->calendar_sequence(), 2);
  EXPECT_EQ(FromProtoTimestamp(back->start_time()), Tokyo(2022, 8, 21, 9));
  ASSERT_EQ(back->history_size(), 3);
  EXPECT_EQ(back->history(2).kind(), "REINSTATED");
  EXPECT_EQ(back->history(2).reason(), "台風が逸れたため");
  const std::string ics = CohortIcs();
  EXPECT_EQ(ics.find("STATUS:CANCELLED"), std::string::npos) << ics;
  EXPECT_NE(ics.find("SEQUENCE:2"), std::string::npos) << ics;

  EXPECT_EQ(errors::Reason(Reinstate(M2()).status()), kMeetingNotCancelled);
}

TEST_F(MeetingChangesTest, AMeetingWithoutADateIsReinstatedToItsOpenPoll) {
  CreateSeries();
  OpenPoll(M2(), {Tokyo(2022, 8, 21, 9)});
  ASSERT_TRUE(Cancel(M2()).ok());
  auto back = Reinstate(M2());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->state(), v1::Meeting::POLLING);
  EXPECT_EQ(back->calendar_sequence(), 0);
  EXPECT_FALSE(back->history(1).has_start_time());

  const std::string m3 = std::string(kCohort) + "/meetings/m3";
  ASSERT_TRUE(Cancel(m3).ok());
  auto m3_back = Reinstate(m3);
  ASSERT_TRUE(m3_back.ok()) << m3_back.status();
  EXPECT_EQ(m3_back->state(), v1::Meeting::UNSCHEDULED);
}

TEST_F(MeetingChangesTest, AMeetingIsAddedToTheSeries) {
  v1::CreateMeetingRequest r;
  r.set_parent(kCohort);
  r.mutable_meeting()->set_theme("補講: アクションプランの磨き上げ");
  r.mutable_meeting()->set_phase(v1::COMPLETED_PLAN);
  *r.mutable_meeting()->mutable_duration() = ToProtoDuration(absl::Hours(2));
  r.mutable_meeting()->set_format(v1::IN_PERSON);
  r.mutable_meeting()->set_venue("津市役所");
  r.set_window_year(2024);
  r.set_window_month(2);
  EXPECT_EQ(errors::Reason(scheduling_->CreateMeeting(Secretariat(), r).status()), kNoSeries);

  CreateSeries();
  EXPECT_EQ(errors::Reason(scheduling_->CreateMeeting(Navigator(), r).status()),
            kSecretariatOnly);
  *r.mutable_start_time() = ToProtoTimestamp(Tokyo(2024, 3, 1, 9));
  auto outside = scheduling_->CreateMeeting(Secretariat(), r);
  EXPECT_EQ(errors::Reason(outside.status()), kOutsideWindow);

  *r.mutable_start_time() = ToProtoTimestamp(Tokyo(2024, 2, 10, 13));
  auto added = scheduling_->CreateMeeting(Secretariat(), r);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->name(), std::string(kCohort) + "/meetings/m9");
  EXPECT_EQ(added->sequence(), 9);
  EXPECT_EQ(FromProtoTimestamp(added->window_start()), Tokyo(2024, 2, 1, 0));
  EXPECT_EQ(FromProtoTimestamp(added->window_end()), Tokyo(2024, 3, 1, 0));
  EXPECT_EQ(added->state(), v1::Meeting::CONFIRMED);
  EXPECT_EQ(FromProtoTimestamp(added->end_time()), Tokyo(2024, 2, 10, 15));
  EXPECT_NE(CohortIcs().find("meetings/m9@kaizen"), std::string::npos);

  r.clear_start_time();
  r.set_window_month(13);
  EXPECT_EQ(FieldOf(scheduling_->CreateMeeting(Secretariat(), r).status()), "window_month");
}

// An online meeting needs its URL, as UpdateMeetingFormat requires: a web
// meeting nobody can join is not a meeting.
TEST_F(MeetingChangesTest, AnOnlineMeetingIsAddedOnlyWithItsUrl) {
  CreateSeries();
  v1::CreateMeetingRequest r;
  r.set_parent(kCohort);
  r.mutable_meeting()->set_theme("補講");
  r.mutable_meeting()->set_phase(v1::COMPLETED_PLAN);
  *r.mutable_meeting()->mutable_duration() = ToProtoDuration(absl::Hours(2));
  r.mutable_meeting()->set_format(v1::ONLINE);
  r.set_window_year(2024);
  r.set_window_month(2);
  auto no_url = scheduling_->CreateMeeting(Secretariat(), r);
  EXPECT_EQ(no_url.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(no_url.status()), kInvalidUrl);
  EXPECT_EQ(FieldOf(no_url.status()), "meeting.online_url");
  r.mutable_meeting()->set_online_url("https://meet.example.jp/extra");
  auto added = scheduling_->CreateMeeting(Secretariat(), r);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->online_url(), "https://meet.example.jp/extra");
}

}  // namespace
}  // namespace kaizen::scheduling

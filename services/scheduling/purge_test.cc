// Issue 15, point 3 (scheduling's part): PurgePersonalData on real
// in-memory SQLite. What goes, what stays, the report's counts, idempotence
// and that a purged cohort takes no new personal data.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_fixture.h"

namespace kaizen::scheduling {
namespace purge_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

class PurgeTest : public SchedulingFixture {
 protected:
  // A cohort with some of everything scheduling keeps about people.
  void Populate() {
    CreateSeries();
    OpenPoll(M2(), {Tokyo(2022, 8, 21, 9), Tokyo(2022, 8, 27, 13)});
    ASSERT_TRUE(Answer(Navigator(), M2(), {{"s202208210900", v1::YES}}).ok());
    ASSERT_TRUE(Answer(Participant(1), M2(), {{"s202208210900", v1::YES}}, "午前なら").ok());
    ASSERT_TRUE(Answer(Participant(2), M2(), {{"s202208210900", v1::MAYBE}}).ok());
    v1::ClosePollRequest close;
    close.set_meeting(M2());
    ASSERT_TRUE(scheduling_->ClosePoll(Navigator(), close).ok());

    clock_.Set(Tokyo(2022, 7, 24, 12));  // m1 has started: attendance is taken
    v1::RecordAttendanceRequest sheet;
    sheet.set_meeting(M1());
    for (int p : {1, 2}) {
      auto* rec = sheet.add_records();
      rec->set_participant(Person(absl::StrCat("p", p)));
      rec->set_status(v1::PRESENT);
    }
    ASSERT_TRUE(scheduling_->RecordAttendance(Navigator(), sheet).ok());

    for (const std::string& assignee : {Person("p1"), std::string()}) {
      v1::CreateTaskRequest task;
      task.set_parent(M1());
      task.mutable_task()->set_title("準備");
      task.mutable_task()->set_assignee(assignee);
      *task.mutable_task()->mutable_due_time() = ToProtoTimestamp(Tokyo(2022, 8, 1, 0));
      auto t = scheduling_->CreateTask(Navigator(), task);
      ASSERT_TRUE(t.ok()) << t.status();
      for (int p : {1, 2}) {
        v1::SetTaskDoneRequest done;
        done.set_name(t->name());
        done.set_done(true);
        if (assignee.empty() || p == 1) {
          ASSERT_TRUE(scheduling_->SetTaskDone(Participant(p), done).ok());
        }
      }
    }

    auto a = Slot("advisor", Tokyo(2022, 10, 5, 19));
    auto b = Slot("navigator", Tokyo(2022, 10, 6, 19));
    ASSERT_TRUE(a.ok() && b.ok());
    slot_p1_ = a->name();
    slot_p2_ = b->name();
    ASSERT_TRUE(Book(Participant(1), slot_p1_).ok());
    ASSERT_TRUE(Book(Participant(2), slot_p2_).ok());

    for (int p : {1, 2}) {
      v1::CreateCalendarFeedRequest feed;
      feed.set_parent(kCohort);
      feed.mutable_calendar_feed()->set_kind(v1::CalendarFeed::PERSON);
      ASSERT_TRUE(scheduling_->CreateCalendarFeed(Participant(p), feed).ok());
    }
  }

  absl::StatusOr<kaizen::type::PurgeReport> Purge(const std::string& participant = "",
                                                  const std::string& subject = "",
                                                  const Principal& as = auth::ServicePrincipal(
                                                      "enrollment")) {
    kaizen::type::PurgeRequest r;
    r.set_cohort(kCohort);
    r.set_participant(participant);
    r.set_subject(subject);
    return scheduling_->PurgePersonalData(as, r);
  }

  static std::vector<std::pair<std::string, int64_t>> Counts(const kaizen::type::PurgeReport& r) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& c : r.counts()) out.emplace_back(c.kind(), c.deleted());
    return out;
  }

  v1::Poll PollOf(const std::string& meeting) {
    v1::GetPollRequest r;
    r.set_meeting(meeting);
    auto p = scheduling_->GetPoll(Secretariat(), r);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : v1::Poll();
  }

  std::string slot_p1_, slot_p2_;
};

using Row = std::pair<std::string, int64_t>;

TEST_F(PurgeTest, OnePersonsRowsGoAndNobodyElses) {
  Populate();
  auto report = Purge(Person("p1"), "user-p1");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->service(), "scheduling");
  EXPECT_EQ(report->participant(), Person("p1"));
  EXPECT_EQ(Counts(*report), (std::vector<Row>{
                                 {"poll_answers", 1}, {"poll_comments", 1}, {"poll_results", 1},
                                 {"attendance", 1}, {"support_bookings", 1},
                                 {"support_slots", 0}, {"task_assignments", 1},
                                 {"task_completions", 2}, {"calendar_feeds", 1},
                                 {"meeting_history", 0},
                                 {"result_changes", 1}, {"notifications", 0}}));
  EXPECT_EQ(FromProtoTimestamp(report->complete_time()), clock_.Now());

  const v1::Poll poll = PollOf(M2());
  ASSERT_EQ(poll.answers_size(), 2);  // the navigator and p2
  for (const auto& a : poll.answers()) EXPECT_NE(a.participant(), Person("p1"));
  for (const auto& slot : poll.result().slots()) {
    for (const auto& n : slot.yes()) EXPECT_NE(n, Person("p1"));
    for (const auto& n : slot.unavailable()) EXPECT_NE(n, Person("p1"));
  }
  EXPECT_FALSE(poll.result().explanation().empty());  // p1 is no staff member

  v1::ListSupportSlotsRequest list;
  list.set_parent(kCohort);
  auto slots = scheduling_->ListSupportSlots(Secretariat(), list);
  ASSERT_TRUE(slots.ok());
  ASSERT_EQ(slots->support_slots_size(), 2);
  EXPECT_EQ(slots->support_slots(0).state(), v1::SupportSlot::OPEN);  // p1's, open again
  EXPECT_EQ(slots->support_slots(1).booked_by(), Person("p2"));

  // Idempotent: a repeat deletes nothing more and answers the first report
  // (enrollment may retry a call whose answer it lost), marked `repeat`.
  clock_.Set(clock_.Now() + absl::Hours(1));
  auto again = Purge(Person("p1"), "user-p1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->repeat());
  EXPECT_FALSE(report->repeat());
  EXPECT_EQ(Counts(*again), Counts(*report));
  EXPECT_EQ(again->complete_time().seconds(), report->complete_time().seconds());
}

// Deleted is deleted in the files too: after the purge commits, the WAL is
// checkpointed and truncated, and secure_delete has zeroed the old rows, so
// a distinctive comment is in neither the database file nor its -wal.
TEST_F(PurgeTest, AnErasedCommentIsGoneFromTheDatabaseFiles) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/purge-bytes.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  Open(path);
  CreateSeries();
  OpenPoll(M2(), {Tokyo(2022, 8, 21, 9)});
  const std::string secret = "Kaizen-Erase-Me-4711 携帯 090-1111-2222";
  ASSERT_TRUE(Answer(Participant(1), M2(), {{"s202208210900", v1::YES}}, secret).ok());
  ASSERT_TRUE(Answer(Participant(2), M2(), {{"s202208210900", v1::NO}}, "別の方").ok());
  auto bytes = [&] {
    std::string all;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in(path + suffix, std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  };
  ASSERT_NE(bytes().find(secret), std::string::npos);  // the test can see it
  ASSERT_TRUE(Purge(Person("p1"), "user-p1").ok());
  EXPECT_EQ(bytes().find(secret), std::string::npos);
  EXPECT_NE(bytes().find("別の方"), std::string::npos);  // the rest is still there
}

// The erasure leaves a mark. The fake roster still lists p1, as a roster
// fetched just before enrollment removed them would: every write that
// would store a row about p1 is refused in its own transaction, and reads
// built from the roster leave p1 out. Nobody else is affected.
TEST_F(PurgeTest, AnErasedPersonsRowsDoNotComeBack) {
  Populate();
  ASSERT_TRUE(Purge(Person("p1"), "user-p1").ok());
  const std::string m3 = std::string(kCohort) + "/meetings/m3";
  OpenPoll(m3, {Tokyo(2022, 9, 18, 9)});
  auto erased = [](const absl::Status& s) {
    return s.code() == absl::StatusCode::kFailedPrecondition &&
           errors::Reason(s) == kParticipantErased;
  };

  EXPECT_TRUE(erased(Answer(Participant(1), m3, {{"s202209180900", v1::YES}}).status()));
  v1::AnswerPollRequest for_p1;  // the secretariat acting for them
  for_p1.set_meeting(m3);
  for_p1.set_participant(Person("p1"));
  (*for_p1.mutable_availability())["s202209180900"] = v1::YES;
  EXPECT_TRUE(erased(scheduling_->AnswerPoll(Secretariat(), for_p1).status()));
  EXPECT_TRUE(Answer(Participant(2), m3, {{"s202209180900", v1::YES}}).ok());

  v1::RecordAttendanceRequest sheet;
  sheet.set_meeting(M1());
  for (int p : {2, 1}) {
    auto* rec = sheet.add_records();
    rec->set_participant(Person(absl::StrCat("p", p)));
    rec->set_status(v1::LATE);
  }
  EXPECT_TRUE(erased(scheduling_->RecordAttendance(Navigator(), sheet).status()));

  EXPECT_TRUE(erased(Book(Participant(1), slot_p1_).status()));  // open again, but not for p1
  EXPECT_TRUE(Book(Participant(3), slot_p1_).ok());

  v1::CreateTaskRequest task;
  task.set_parent(M1());
  task.mutable_task()->set_title("準備");
  task.mutable_task()->set_assignee(Person("p1"));
  *task.mutable_task()->mutable_due_time() = ToProtoTimestamp(Tokyo(2022, 8, 1, 0));
  EXPECT_TRUE(erased(scheduling_->CreateTask(Navigator(), task).status()));
  task.mutable_task()->clear_assignee();
  auto everyone = scheduling_->CreateTask(Navigator(), task);
  ASSERT_TRUE(everyone.ok());
  v1::SetTaskDoneRequest done;
  done.set_name(everyone->name());
  done.set_done(true);
  EXPECT_TRUE(erased(scheduling_->SetTaskDone(Participant(1), done).status()));

  v1::CreateCalendarFeedRequest feed;
  feed.set_parent(kCohort);
  feed.mutable_calendar_feed()->set_kind(v1::CalendarFeed::PERSON);
  EXPECT_TRUE(erased(scheduling_->CreateCalendarFeed(Participant(1), feed).status()));

  // Reads built from the (stale) roster leave p1 out.
  v1::GetAttendanceSummaryRequest summary;
  summary.set_parent(kCohort);
  auto rates = scheduling_->GetAttendanceSummary(Secretariat(), summary);
  ASSERT_TRUE(rates.ok());
  for (const auto& row : rates->rows()) EXPECT_NE(row.participant(), Person("p1"));
  EXPECT_EQ(rates->rows_size(), 3);
  v1::ExportPollAnswersRequest exp;
  exp.set_meeting(m3);
  auto csv = scheduling_->ExportPollAnswers(Secretariat(), exp);
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->data().find("参加者1,"), std::string::npos) << csv->data();
  EXPECT_NE(csv->data().find("参加者2,"), std::string::npos) << csv->data();
  v1::ClosePollRequest close;
  close.set_meeting(m3);
  ASSERT_TRUE(Answer(Navigator(), m3, {{"s202209180900", v1::YES}}).ok());
  auto closed = scheduling_->ClosePoll(Navigator(), close);
  ASSERT_TRUE(closed.ok()) << closed.status();
  for (const auto& slot : closed->result().slots()) {
    for (const auto& n : slot.unavailable()) EXPECT_NE(n, Person("p1"));  // not "no answer"
  }
}

TEST_F(PurgeTest, AStaffMembersErasureKeepsBookedSessionsAndTakesActorsAndExplanations) {
  Populate();
  auto report = Purge(Person("navigator"), "user-navigator");
  ASSERT_TRUE(report.ok()) << report.status();
  const std::vector<Row> rows = Counts(*report);
  const std::map<std::string, int64_t> n(rows.begin(), rows.end());
  EXPECT_EQ(n.at("poll_answers"), 1);
  EXPECT_EQ(n.at("poll_results"), 1);
  EXPECT_EQ(n.at("support_slots"), 1);
  EXPECT_EQ(n.at("support_bookings"), 0);  // p2's booking with them stands
  EXPECT_GE(n.at("meeting_history"), 1);
  EXPECT_TRUE(PollOf(M2()).result().explanation().empty());
  const v1::Meeting m2 = Meeting(M2());
  for (const auto& c : m2.history()) EXPECT_NE(c.actor(), "user-navigator");

  // p2 keeps their session, now without a named staff member, and their
  // calendar says so (a new SEQUENCE: the event changed).
  v1::ListSupportSlotsRequest list;
  list.set_parent(kCohort);
  auto slots = scheduling_->ListSupportSlots(Secretariat(), list);
  ASSERT_TRUE(slots.ok());
  const v1::SupportSlot* kept = nullptr;
  for (const auto& s : slots->support_slots()) {
    if (s.name() == slot_p2_) kept = &s;
  }
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->state(), v1::SupportSlot::BOOKED);
  EXPECT_EQ(kept->booked_by(), Person("p2"));
  EXPECT_TRUE(kept->staff().empty());
  v1::GetPersonCalendarRequest cal;
  cal.set_participant(Person("p2"));
  auto ics = scheduling_->GetPersonCalendar(Participant(2), cal);
  ASSERT_TRUE(ics.ok());
  EXPECT_NE(ics->data().find("担当: 未定"), std::string::npos) << ics->data();
  EXPECT_EQ(ics->data().find("中村 進"), std::string::npos) << ics->data();

  // Once free, the slot is not offered again: nobody gives it.
  v1::CancelSupportBookingRequest cancel;
  cancel.set_name(slot_p2_);
  ASSERT_TRUE(scheduling_->CancelSupportBooking(Participant(2), cancel).ok());
  list.set_open_only(true);
  for (const auto& s : scheduling_->ListSupportSlots(Secretariat(), list)->support_slots()) {
    EXPECT_NE(s.name(), slot_p2_);
  }
  EXPECT_EQ(errors::Reason(Book(Participant(3), slot_p2_).status()), kSlotWithdrawn);
  // And the erased staff member gets no new slot.
  EXPECT_EQ(errors::Reason(Slot("navigator", Tokyo(2022, 11, 1, 19)).status()),
            kParticipantErased);
}

TEST_F(PurgeTest, WholeCohortPurgeLeavesTheProgrammeAndAMark) {
  Populate();
  auto report = Purge();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Counts(*report), (std::vector<Row>{
                                 {"poll_answers", 3}, {"poll_comments", 1}, {"poll_results", 1},
                                 {"attendance", 2}, {"support_bookings", 2},
                                 {"support_slots", 2}, {"task_assignments", 1},
                                 {"task_completions", 3}, {"calendar_feeds", 2},
                                 {"meeting_history", 2},
                                 {"result_changes", 4}, {"notifications", 3}}));
  // The programme stays: meetings, dates, the poll's slots and its decision.
  const v1::Meeting m2 = Meeting(M2());
  EXPECT_EQ(m2.state(), v1::Meeting::CONFIRMED);
  for (const auto& c : m2.history()) EXPECT_TRUE(c.reason().empty() && c.actor() != "user-navigator");
  const v1::Poll poll = PollOf(M2());
  EXPECT_EQ(poll.answers_size(), 0);
  EXPECT_EQ(poll.slots_size(), 2);
  EXPECT_EQ(poll.result().slot_id(), "s202208210900");
  EXPECT_TRUE(poll.result().explanation().empty());

  // Reads answer empty; exports have no rows; writes of personal data are
  // refused, so nothing comes back.
  v1::GetAttendanceSummaryRequest summary;
  summary.set_parent(kCohort);
  auto rates = scheduling_->GetAttendanceSummary(Secretariat(), summary);
  ASSERT_TRUE(rates.ok());
  EXPECT_EQ(rates->rows_size(), 0);
  v1::ExportPollAnswersRequest exp;
  exp.set_meeting(M2());
  auto csv = scheduling_->ExportPollAnswers(Secretariat(), exp);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(std::count(csv->data().begin(), csv->data().end(), '\n'), 1) << csv->data();
  v1::GetMeetingAttendanceRequest sheet;
  sheet.set_meeting(M1());
  EXPECT_EQ(scheduling_->GetMeetingAttendance(Secretariat(), sheet)->records_size(), 0);

  EXPECT_EQ(errors::Reason(Slot("advisor", Tokyo(2022, 11, 1, 19)).status()), kCohortPurged);
  v1::RecordAttendanceRequest record;
  record.set_meeting(M1());
  auto* rec = record.add_records();
  rec->set_participant(Person("p1"));
  rec->set_status(v1::PRESENT);
  EXPECT_EQ(errors::Reason(scheduling_->RecordAttendance(Navigator(), record).status()),
            kCohortPurged);
  v1::CreateCalendarFeedRequest feed;
  feed.set_parent(kCohort);
  feed.mutable_calendar_feed()->set_kind(v1::CalendarFeed::PERSON);
  EXPECT_EQ(errors::Reason(scheduling_->CreateCalendarFeed(Participant(1), feed).status()),
            kCohortPurged);
  EXPECT_EQ(errors::Reason(Schedule(std::string(kCohort) + "/meetings/m3",
                                    Tokyo(2022, 9, 18, 9)).status()),
            kCohortPurged);

  auto again = Purge();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->repeat());
  EXPECT_EQ(Counts(*again), Counts(*report));
}

TEST_F(PurgeTest, OnlyTheEnrollmentServiceMayPurge) {
  Populate();
  // A user account with the subject "enrollment" is not the service.
  const Principal impostor = testkit::User("enrollment", kaizen::type::ROLE_SECRETARIAT);
  for (const Principal& who : {Secretariat(), Participant(1), Navigator(),
                               auth::ServicePrincipal("plans"), impostor}) {
    auto refused = Purge("", "", who);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << who.subject();
    EXPECT_EQ(errors::Reason(refused.status()), kEnrollmentOnly);
  }
  EXPECT_EQ(PollOf(M2()).answers_size(), 3);  // nothing happened

  EXPECT_EQ(FieldOf(Purge("cohorts/other/participants/p1").status()),
            "participant");
  EXPECT_EQ(errors::Reason(Purge("cohorts/other/participants/p1").status()), kInvalidName);
  EXPECT_EQ(FieldOf(Purge("", "user-p1").status()), "subject");
  EXPECT_EQ(FieldOf(Purge(Person("p1"), std::string(300, 's')).status()), "subject");
  kaizen::type::PurgeRequest bad;
  bad.set_cohort("fy2022");
  EXPECT_EQ(scheduling_->PurgePersonalData(auth::ServicePrincipal("enrollment"), bad)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kaizen::scheduling

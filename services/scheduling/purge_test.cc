// Issue 15, point 3 (scheduling's part): PurgePersonalData on real
// in-memory SQLite. What goes, what stays, the report's counts, idempotence
// and that a purged cohort takes no new personal data.
#include <map>
#include <string>

#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_fixture.h"

namespace kaizen::scheduling {
namespace {

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
                                 {"meeting_history", 0}}));
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

  // Idempotent: nothing more to delete; p1 is free to come back (no mark).
  auto again = Purge(Person("p1"), "user-p1");
  ASSERT_TRUE(again.ok());
  for (const auto& c : again->counts()) EXPECT_EQ(c.deleted(), 0) << c.kind();
}

TEST_F(PurgeTest, AStaffMembersErasureTakesTheirSlotsActorsAndNamingExplanations) {
  Populate();
  auto report = Purge(Person("navigator"), "user-navigator");
  ASSERT_TRUE(report.ok()) << report.status();
  const std::vector<Row> rows = Counts(*report);
  const std::map<std::string, int64_t> n(rows.begin(), rows.end());
  EXPECT_EQ(n.at("poll_answers"), 1);
  EXPECT_EQ(n.at("poll_results"), 1);
  EXPECT_EQ(n.at("support_slots"), 1);
  EXPECT_EQ(n.at("support_bookings"), 1);  // p2's booking with them goes with the slot
  EXPECT_GE(n.at("meeting_history"), 1);
  EXPECT_TRUE(PollOf(M2()).result().explanation().empty());
  const v1::Meeting m2 = Meeting(M2());
  for (const auto& c : m2.history()) EXPECT_NE(c.actor(), "user-navigator");
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
                                 {"meeting_history", 2}}));
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
  ASSERT_EQ(again->counts_size(), 10);
  for (const auto& c : again->counts()) EXPECT_EQ(c.deleted(), 0) << c.kind();
}

TEST_F(PurgeTest, OnlyTheEnrollmentServiceMayPurge) {
  Populate();
  for (const Principal& who : {Secretariat(), Participant(1), Navigator(),
                               auth::ServicePrincipal("plans")}) {
    auto refused = Purge("", "", who);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << who.subject();
    EXPECT_EQ(errors::Reason(refused.status()), kEnrollmentOnly);
  }
  EXPECT_EQ(PollOf(M2()).answers_size(), 3);  // nothing happened

  EXPECT_EQ(FieldOf(Purge("cohorts/other/participants/p1").status()),
            "participant");
  EXPECT_EQ(FieldOf(Purge("", "user-p1").status()), "subject");
  kaizen::type::PurgeRequest bad;
  bad.set_cohort("fy2022");
  EXPECT_EQ(scheduling_->PurgePersonalData(auth::ServicePrincipal("enrollment"), bad)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kaizen::scheduling

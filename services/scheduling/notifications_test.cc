// Issue 13: each change people must hear about writes exactly one outbox
// row in its own transaction (kind, recipients, params, the .ics with the
// right SEQUENCE / METHOD / UID), a change that fails writes nothing, and
// the task-due sweep reminds once per task and due time.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/strings/match.h"
#include "common/auth/principal.h"
#include "common/notify/outbox.h"
#include "gtest/gtest.h"
#include "kaizen/type/notification.pb.h"
#include "services/scheduling/notifications_fixture.h"

namespace kaizen::scheduling {
namespace notifications_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

TEST_F(NotificationsTest, AFirstDateIsConfirmedWithAnIcsRequestAtSequenceZero) {
  CreateSeries();  // m1 confirmed at 2022-07-24 09:00 JST, online
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 1u);
  const Row& r = rows.begin()->second;
  EXPECT_EQ(r.row.id, "meeting/" + M1() + "/r1");
  EXPECT_EQ(r.row.kind, "meeting_confirmed");
  EXPECT_EQ(r.row.subject_ref, M1());
  EXPECT_EQ(r.row.recipient, "");
  EXPECT_EQ(r.request.idempotency_key(), "");  // the hand-over sets it
  EXPECT_EQ(r.request.kind(), kt::MEETING_CONFIRMED);
  EXPECT_EQ(r.request.cohort(), kCohort);
  EXPECT_EQ(r.request.participants_size(), 0);  // every ACTIVE participant
  EXPECT_EQ(Keys(r.request), (std::vector<std::string>{"end_time", "format", "meeting",
                                                       "meeting_title", "place", "start_time"}));
  const auto& p = r.request.params();
  EXPECT_EQ(p.at("meeting"), M1());
  EXPECT_TRUE(absl::StartsWith(p.at("meeting_title"), "第1回 ")) << p.at("meeting_title");
  EXPECT_EQ(p.at("start_time"), "2022-07-24T00:00:00Z");
  EXPECT_EQ(p.at("format"), "ONLINE");
  EXPECT_EQ(p.at("place"), "https://meet.example.jp/kaizen");
  EXPECT_EQ(FromProtoTimestamp(r.request.event_time()), clock_.Now());
  const kt::NotificationAttachment& a = r.request.attachment();
  EXPECT_EQ(a.filename(), "meeting.ics");
  EXPECT_EQ(a.content_type(), "text/calendar; charset=UTF-8; method=REQUEST");
  EXPECT_TRUE(IcsHas(a.data(), "METHOD:REQUEST")) << a.data();
  EXPECT_TRUE(IcsHas(a.data(), "UID:" + M1() + "@kaizen"));
  EXPECT_TRUE(IcsHas(a.data(), "SEQUENCE:0"));
  EXPECT_TRUE(IcsHas(a.data(), "STATUS:CONFIRMED"));
  EXPECT_TRUE(IcsHas(a.data(), "DTSTART;TZID=Asia/Tokyo:20220724T090000"));
}

TEST_F(NotificationsTest, RescheduleCancelReinstateRaiseTheSequenceOfOneUid) {
  CreateSeries();
  auto before = Rows();
  ASSERT_TRUE(Schedule(M1(), Tokyo(2022, 7, 30, 13)).ok());
  auto moved = NewRows(before);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].row.kind, "meeting_rescheduled");
  EXPECT_EQ(moved[0].request.params().at("previous_start_time"), "2022-07-24T00:00:00Z");
  EXPECT_EQ(moved[0].request.params().at("start_time"), "2022-07-30T04:00:00Z");
  const std::string& ics1 = moved[0].request.attachment().data();
  EXPECT_TRUE(IcsHas(ics1, "SEQUENCE:1"));
  EXPECT_TRUE(IcsHas(ics1, "METHOD:REQUEST"));
  EXPECT_TRUE(IcsHas(ics1, "UID:" + M1() + "@kaizen"));

  before = Rows();
  ASSERT_TRUE(Cancel(M1()).ok());
  auto cancelled = NewRows(before);
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0].row.kind, "meeting_cancelled");
  // The organiser's reason stays in the history (notification_rules_test.cc).
  EXPECT_EQ(cancelled[0].request.params().count("reason"), 0u);
  EXPECT_EQ(cancelled[0].request.attachment().content_type(),
            "text/calendar; charset=UTF-8; method=CANCEL");
  const std::string& ics2 = cancelled[0].request.attachment().data();
  EXPECT_TRUE(IcsHas(ics2, "METHOD:CANCEL"));
  EXPECT_TRUE(IcsHas(ics2, "STATUS:CANCELLED"));
  EXPECT_TRUE(IcsHas(ics2, "SEQUENCE:2"));
  EXPECT_TRUE(IcsHas(ics2, "UID:" + M1() + "@kaizen"));

  before = Rows();
  ASSERT_TRUE(Reinstate(M1()).ok());
  auto back = NewRows(before);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].row.kind, "meeting_confirmed");
  EXPECT_TRUE(IcsHas(back[0].request.attachment().data(), "SEQUENCE:3"));
  EXPECT_TRUE(IcsHas(back[0].request.attachment().data(), "METHOD:REQUEST"));
  EXPECT_EQ(Rows().size(), 4u);
}

TEST_F(NotificationsTest, AFormatChangeOfADatedMeetingIsARescheduleAndANoOpSendsNothing) {
  CreateSeries();
  auto before = Rows();
  v1::UpdateMeetingFormatRequest r;
  r.set_name(M1());
  r.set_format(v1::IN_PERSON);
  r.set_venue("津市 県庁 401会議室");
  ASSERT_TRUE(scheduling_->UpdateMeetingFormat(Navigator(), r).ok());
  auto changed = NewRows(before);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].row.kind, "meeting_rescheduled");
  EXPECT_EQ(changed[0].request.params().at("format"), "IN_PERSON");
  EXPECT_EQ(changed[0].request.params().at("place"), "津市 県庁 401会議室");
  EXPECT_TRUE(IcsHas(changed[0].request.attachment().data(), "SEQUENCE:1"));
  // The same again changes nothing and tells nobody; so does a move to the
  // time it already has.
  before = Rows();
  ASSERT_TRUE(scheduling_->UpdateMeetingFormat(Navigator(), r).ok());
  ASSERT_TRUE(Schedule(M1(), FirstMeeting()).ok());
  EXPECT_TRUE(NewRows(before).empty());
  // An undated meeting's format change is nobody's calendar news.
  r.set_name(M2());
  ASSERT_TRUE(scheduling_->UpdateMeetingFormat(Navigator(), r).ok());
  EXPECT_TRUE(NewRows(before).empty());
}

TEST_F(NotificationsTest, AFailingChangeWritesNothing) {
  CreateSeries();
  const auto before = Rows();
  // A stale etag (ABORTED), checked inside the transaction.
  v1::ScheduleMeetingRequest stale;
  stale.set_name(M1());
  *stale.mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 7, 30, 13));
  stale.set_etag("W/\"stale\"");
  EXPECT_EQ(scheduling_->ScheduleMeeting(Navigator(), stale).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(Cancel(M1(), "W/\"stale\"").status().code(), absl::StatusCode::kAborted);
  // Outside the meeting's window (OUTSIDE_WINDOW, inside the transaction).
  EXPECT_EQ(Schedule(M1(), Tokyo(2023, 1, 10, 9)).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Cancelled twice: the second fails and writes nothing.
  ASSERT_TRUE(Cancel(M1()).ok());
  const auto after_cancel = Rows();
  EXPECT_EQ(after_cancel.size(), before.size() + 1);
  EXPECT_EQ(Cancel(M1()).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Rows().size(), after_cancel.size());
}

TEST_F(NotificationsTest, APollOpensOnceAndItsDecisionConfirmsTheMeeting) {
  CreateSeries();
  auto before = Rows();
  v1::Poll poll = OpenPoll(M2(), {Tokyo(2022, 8, 21, 9), Tokyo(2022, 8, 27, 13)});
  auto opened = NewRows(before);
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].row.kind, "poll_opened");
  EXPECT_EQ(opened[0].row.subject_ref, M2() + "/poll");
  EXPECT_EQ(Keys(opened[0].request),
            (std::vector<std::string>{"close_time", "meeting_title", "poll"}));
  EXPECT_EQ(opened[0].request.params().at("poll"), M2() + "/poll");
  // Answers by the end of the day before the first candidate (08-21, JST).
  EXPECT_EQ(opened[0].request.params().at("close_time"), "2022-08-20T14:59:00Z");
  EXPECT_FALSE(opened[0].request.has_attachment());
  // Editing the open poll's candidates tells nobody again.
  before = Rows();
  v1::SetPollCandidatesRequest edit;
  edit.set_meeting(M2());
  edit.set_etag(poll.etag());
  *edit.add_start_times() = ToProtoTimestamp(Tokyo(2022, 8, 21, 9));
  ASSERT_TRUE(scheduling_->SetPollCandidates(Navigator(), edit).ok());
  EXPECT_TRUE(NewRows(before).empty());
  // Closing it gives the meeting its first date.
  ASSERT_TRUE(Answer(Navigator(), M2(), {{"s202208210900", v1::YES}}).ok());
  v1::ClosePollRequest close;
  close.set_meeting(M2());
  ASSERT_TRUE(scheduling_->ClosePoll(Navigator(), close).ok());
  auto confirmed = NewRows(before);
  ASSERT_EQ(confirmed.size(), 1u);
  EXPECT_EQ(confirmed[0].row.kind, "meeting_confirmed");
  EXPECT_EQ(confirmed[0].request.params().at("start_time"), "2022-08-21T00:00:00Z");
  EXPECT_TRUE(IcsHas(confirmed[0].request.attachment().data(), "SEQUENCE:0"));
}

TEST_F(NotificationsTest, ReinstatingIntoAnOpenPollAsksAgainAndUndatedCancelsTellNobody) {
  CreateSeries();
  OpenPoll(M2(), {Tokyo(2022, 8, 21, 9)});
  auto before = Rows();
  ASSERT_TRUE(Cancel(M2()).ok());  // no date: no calendar to update
  EXPECT_TRUE(NewRows(before).empty());
  ASSERT_TRUE(Reinstate(M2()).ok());
  auto again = NewRows(before);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].row.kind, "poll_opened");
  EXPECT_EQ(again[0].request.params().at("close_time"), "2022-08-20T14:59:00Z");
}

TEST_F(NotificationsTest, APollWhoseFirstCandidateIsTodayIsAnsweredByItsStart) {
  CreateSeries();
  clock_.Set(Tokyo(2022, 8, 21, 7));  // the day before the first candidate has passed
  auto before = Rows();
  OpenPoll(M2(), {Tokyo(2022, 8, 27, 13), Tokyo(2022, 8, 21, 13)});
  auto opened = NewRows(before);
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].request.params().at("close_time"), "2022-08-21T04:00:00Z");
}

TEST_F(NotificationsTest, NothingIsSentAboutAMeetingThatIsOver) {
  CreateSeries();
  clock_.Set(Tokyo(2022, 7, 25, 9));  // m1 (07-24) is over
  auto before = Rows();
  ASSERT_TRUE(Cancel(M1()).ok());
  EXPECT_TRUE(NewRows(before).empty());
}

TEST_F(NotificationsTest, TaskRemindersGoOncePerTaskAndDueTimeToWhomTheyConcern) {
  CreateSeries();
  const auto before = Rows();
  auto mine = Task(Person("p1"), clock_.Now() + absl::Hours(10), "自己紹介シート");
  auto everyone = Task("", clock_.Now() + absl::Hours(20));
  auto later = Task("", clock_.Now() + absl::Hours(30));
  auto done = Task(Person("p2"), clock_.Now() + absl::Hours(5));
  ASSERT_TRUE(mine.ok() && everyone.ok() && later.ok() && done.ok());
  Done(everyone->name(), 2);
  Done(done->name(), 2);
  EXPECT_TRUE(NewRows(before).empty());  // creating tasks sends nothing

  auto swept = Sweep();
  EXPECT_EQ(swept.enqueued, 2);
  EXPECT_EQ(swept.deferred, 0);
  auto rows = NewRows(before);
  ASSERT_EQ(rows.size(), 2u);
  std::map<std::string, Row> by_task;
  for (auto& r : rows) by_task[r.row.subject_ref] = r;
  const Row& a = by_task.at(mine->name());
  EXPECT_EQ(a.row.kind, "task_due");
  EXPECT_EQ(a.row.id, absl::StrCat("task-due/", mine->name(), "/",
                                   absl::ToUnixMicros(FromProtoTimestamp(mine->due_time()))));
  EXPECT_EQ(std::vector<std::string>(a.request.participants().begin(),
                                     a.request.participants().end()),
            std::vector<std::string>{Person("p1")});
  EXPECT_EQ(Keys(a.request), (std::vector<std::string>{"due_time", "task", "task_title"}));
  EXPECT_EQ(a.request.params().at("task_title"), "自己紹介シート");
  EXPECT_EQ(a.request.params().at("task"), mine->name());
  // Everyone who has not done it (p2 has).
  const Row& b = by_task.at(everyone->name());
  EXPECT_EQ(std::vector<std::string>(b.request.participants().begin(),
                                     b.request.participants().end()),
            (std::vector<std::string>{Person("p1"), Person("p3"), Person("p4")}));

  // Again, and again later: nothing new until the third task is due within 24 h.
  EXPECT_EQ(Sweep().enqueued, 0);
  clock_.Advance(absl::Hours(4));
  EXPECT_EQ(Sweep().enqueued, 0);
  clock_.Advance(absl::Hours(3));  // `later` is due in 23 h
  EXPECT_EQ(Sweep().enqueued, 1);
  EXPECT_EQ(NewRows(before).size(), 3u);

  // A new due time is a new reminder.
  v1::UpdateTaskRequest move;
  *move.mutable_task() = *mine;
  *move.mutable_task()->mutable_due_time() = ToProtoTimestamp(clock_.Now() + absl::Hours(12));
  move.mutable_update_mask()->add_paths("due_time");
  ASSERT_TRUE(scheduling_->UpdateTask(Navigator(), move).ok());
  EXPECT_EQ(Sweep().enqueued, 1);
  EXPECT_EQ(Sweep().enqueued, 0);
}

TEST_F(NotificationsTest, AnEveryoneTaskWaitsForTheRosterAndAnEmptyOneGoesToAll) {
  CreateSeries();
  const auto before = Rows();
  auto all = Task("", clock_.Now() + absl::Hours(6));
  auto some = Task("", clock_.Now() + absl::Hours(7));
  ASSERT_TRUE(all.ok() && some.ok());
  Done(some->name(), 1);
  roster_.SetDown(true);
  auto swept = Sweep();
  EXPECT_EQ(swept.enqueued, 1);  // nobody has done `all`: enrollment resolves everyone
  EXPECT_EQ(swept.deferred, 1);
  auto rows = NewRows(before);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].row.subject_ref, all->name());
  EXPECT_EQ(rows[0].request.participants_size(), 0);
  roster_.SetDown(false);
  swept = Sweep();
  EXPECT_EQ(swept.enqueued, 1);
  EXPECT_EQ(swept.deferred, 0);
}

TEST_F(NotificationsTest, ACohortPurgeDeletesItsOutbox) {
  CreateSeries();
  OpenPoll(M2(), {Tokyo(2022, 8, 21, 9)});
  ASSERT_TRUE(Task(Person("p1"), clock_.Now() + absl::Hours(3)).ok());
  ASSERT_EQ(Sweep().enqueued, 1);
  ASSERT_EQ(Rows().size(), 3u);
  kaizen::type::PurgeRequest purge;
  purge.set_cohort(kCohort);
  auto report = scheduling_->PurgePersonalData(auth::ServicePrincipal("enrollment"), purge);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(Rows().empty());
  // Nothing comes back: the sweep skips a purged cohort.
  EXPECT_EQ(Sweep().enqueued, 0);
  EXPECT_TRUE(Rows().empty());
}

TEST_F(NotificationsTest, ErasingAPersonDeletesTheirTasksReminders) {
  CreateSeries();
  auto mine = Task(Person("p1"), clock_.Now() + absl::Hours(3));
  auto all = Task("", clock_.Now() + absl::Hours(3));
  ASSERT_TRUE(mine.ok() && all.ok());
  ASSERT_EQ(Sweep().enqueued, 2);
  auto report = Erase("p1");
  ASSERT_TRUE(report.ok()) << report.status();
  auto rows = Rows();
  for (const auto& [id, r] : rows) EXPECT_NE(r.row.subject_ref, mine->name()) << id;
  EXPECT_EQ(rows.size(), 2u);  // m1's confirmation and the everyone-task's reminder
}

// An everyone-task's reminder lists who has not done it. Erasing one of
// them takes them off the row still to be handed over; a row that named
// only them is deleted, not turned into a reminder to everyone.
TEST_F(NotificationsTest, ErasingAPersonTakesThemOffRemindersStillToGo) {
  CreateSeries();
  auto several = Task("", clock_.Now() + absl::Hours(3), "振り返りシート");
  auto only_p1 = Task("", clock_.Now() + absl::Hours(4), "事後課題");
  ASSERT_TRUE(several.ok() && only_p1.ok());
  Done(several->name(), 2);
  for (int p : {2, 3, 4}) Done(only_p1->name(), p);
  const auto before = Rows();
  ASSERT_EQ(Sweep().enqueued, 2);
  std::map<std::string, Row> by_task;
  for (auto& r : NewRows(before)) by_task[r.row.subject_ref] = r;
  ASSERT_EQ(by_task.at(several->name()).request.participants_size(), 3);  // p1, p3, p4
  ASSERT_EQ(by_task.at(only_p1->name()).request.participants_size(), 1);  // p1
  auto report = Erase("p1");
  ASSERT_TRUE(report.ok()) << report.status();
  int64_t deleted = -1;
  for (const auto& c : report->counts()) {
    if (c.kind() == "notifications") deleted = c.deleted();
  }
  EXPECT_EQ(deleted, 1);
  by_task.clear();
  for (auto& [id, r] : Rows()) by_task[r.row.subject_ref] = r;
  EXPECT_EQ(by_task.count(only_p1->name()), 0u);
  ASSERT_EQ(by_task.count(several->name()), 1u);
  const Row& left = by_task.at(several->name());
  EXPECT_EQ(std::vector<std::string>(left.request.participants().begin(),
                                     left.request.participants().end()),
            (std::vector<std::string>{Person("p3"), Person("p4")}));
  EXPECT_EQ(left.request.params().at("task_title"), "振り返りシート");  // the rest unchanged
  EXPECT_EQ(left.row.kind, "task_due");
}

// A roster read before an erasure reached enrollment (or from a stale
// copy) still lists the person: the sweep's write checks the erasure mark,
// so no new reminder names them.
TEST_F(NotificationsTest, ASweepNamesNobodyErasedEvenWhenTheRosterStillDoes) {
  CreateSeries();
  auto all = Task("", clock_.Now() + absl::Hours(3));
  ASSERT_TRUE(all.ok());
  Done(all->name(), 2);  // so the sweep lists who is left, from the roster
  ASSERT_TRUE(Erase("p3").ok());
  const auto before = Rows();
  ASSERT_EQ(Sweep().enqueued, 1);
  auto rows = NewRows(before);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::vector<std::string>(rows[0].request.participants().begin(),
                                     rows[0].request.participants().end()),
            (std::vector<std::string>{Person("p1"), Person("p4")}));
}

}  // namespace
}  // namespace kaizen::scheduling

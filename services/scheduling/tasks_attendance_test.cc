// Issue 15, point 9 (scheduling's part): tasks are edited and deleted and
// never due in the past; attendance rates are over meetings held, with
// unrecorded meetings unknown, and taken only once a meeting has started;
// GET .../poll names the poll it did not find.
#include "common/status/errors.h"
#include "google/protobuf/field_mask.pb.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_fixture.h"

namespace kaizen::scheduling {
namespace tasks_attendance_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

class TasksAttendanceTest : public SchedulingFixture {
 protected:
  absl::StatusOr<v1::Task> NewTask(absl::Time due, const std::string& assignee = "") {
    v1::CreateTaskRequest r;
    r.set_parent(M1());
    r.mutable_task()->set_title("まちの特徴を3つ調べる");
    r.mutable_task()->set_assignee(assignee);
    *r.mutable_task()->mutable_due_time() = ToProtoTimestamp(due);
    return scheduling_->CreateTask(Navigator(), r);
  }

  absl::StatusOr<v1::Task> Update(v1::Task task, const std::vector<std::string>& paths) {
    v1::UpdateTaskRequest r;
    *r.mutable_task() = std::move(task);
    for (const auto& p : paths) r.mutable_update_mask()->add_paths(p);
    return scheduling_->UpdateTask(Navigator(), r);
  }

  std::vector<v1::Task> Tasks() {
    v1::ListTasksRequest r;
    r.set_parent(M1());
    auto l = scheduling_->ListTasks(Navigator(), r);
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? std::vector<v1::Task>(l->tasks().begin(), l->tasks().end())
                  : std::vector<v1::Task>();
  }

  void Record(const std::string& meeting, const std::vector<std::pair<int, v1::AttendanceStatus>>& rows) {
    v1::RecordAttendanceRequest r;
    r.set_meeting(meeting);
    for (const auto& [p, status] : rows) {
      auto* rec = r.add_records();
      rec->set_participant(Person(absl::StrCat("p", p)));
      rec->set_status(status);
    }
    auto sheet = scheduling_->RecordAttendance(Navigator(), r);
    ASSERT_TRUE(sheet.ok()) << sheet.status();
  }

  v1::AttendanceSummary Summary() {
    v1::GetAttendanceSummaryRequest r;
    r.set_parent(kCohort);
    auto s = scheduling_->GetAttendanceSummary(Navigator(), r);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : v1::AttendanceSummary();
  }
};

TEST_F(TasksAttendanceTest, NoTaskIsDueInThePast) {
  CreateSeries();
  auto past = NewTask(Tokyo(2022, 6, 30, 17));  // the clock says 2022-07-01 10:00
  EXPECT_EQ(past.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(past.status()), kDueTimeInPast);
  EXPECT_EQ(FieldOf(past.status()), "task.due_time");
  EXPECT_EQ(errors::Reason(NewTask(Tokyo(2022, 7, 1, 10)).status()), kDueTimeInPast);
  EXPECT_TRUE(NewTask(Tokyo(2022, 7, 20, 17)).ok());
}

TEST_F(TasksAttendanceTest, TasksAreEditedAndDeleted) {
  CreateSeries();
  auto task = NewTask(Tokyo(2022, 7, 20, 17), Person("p1"));
  ASSERT_TRUE(task.ok()) << task.status();
  v1::SetTaskDoneRequest done;
  done.set_name(task->name());
  done.set_done(true);
  ASSERT_TRUE(scheduling_->SetTaskDone(Participant(1), done).ok());

  v1::Task edit;
  edit.set_name(task->name());
  edit.set_title("まちの特徴を5つ調べる");
  edit.set_assignee(Person("p2"));
  *edit.mutable_due_time() = ToProtoTimestamp(Tokyo(2022, 6, 1, 0));
  EXPECT_EQ(FieldOf(Update(edit, {}).status()), "update_mask");
  EXPECT_EQ(FieldOf(Update(edit, {"done_by"}).status()), "update_mask");
  EXPECT_EQ(errors::Reason(Update(edit, {"due_time"}).status()), kDueTimeInPast);
  auto edited = Update(edit, {"title", "assignee"});
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->title(), "まちの特徴を5つ調べる");
  EXPECT_EQ(edited->assignee(), Person("p2"));
  EXPECT_FALSE(edited->done());  // p1's completion says nothing about p2
  EXPECT_EQ(edited->done_by_size(), 0);
  EXPECT_EQ(FromProtoTimestamp(edited->due_time()), Tokyo(2022, 7, 20, 17));

  // A stale etag is refused; then the task goes.
  edit.set_etag(task->etag());
  EXPECT_EQ(Update(edit, {"title"}).status().code(), absl::StatusCode::kAborted);
  v1::DeleteTaskRequest del;
  del.set_name(task->name());
  del.set_etag(task->etag());
  EXPECT_EQ(scheduling_->DeleteTask(Navigator(), del).status().code(), absl::StatusCode::kAborted);
  del.set_etag(edited->etag());
  EXPECT_EQ(scheduling_->DeleteTask(Participant(1), del).status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(scheduling_->DeleteTask(Navigator(), del).ok());
  EXPECT_TRUE(Tasks().empty());
  EXPECT_EQ(scheduling_->DeleteTask(Navigator(), del).status().code(), absl::StatusCode::kNotFound);
}

// m1 (2022-07-24) and m2 (2022-08-21) are held; p1 was recorded at m1 only,
// p2 at both, p3 never: their rates are over 2 meetings held, and the
// meetings nobody recorded for them are unknown.
TEST_F(TasksAttendanceTest, RatesAreOverMeetingsHeldWithUnrecordedUnknown) {
  CreateSeries();
  ASSERT_TRUE(Schedule(M2(), Tokyo(2022, 8, 21, 9)).ok());
  ASSERT_TRUE(Schedule(std::string(kCohort) + "/meetings/m3", Tokyo(2022, 9, 18, 9)).ok());
  clock_.Set(Tokyo(2022, 7, 24, 12));  // m1 has started
  Record(M1(), {{1, v1::PRESENT}, {2, v1::LATE}});
  clock_.Set(Tokyo(2022, 8, 21, 9));  // m2 starts
  Record(M2(), {{2, v1::ABSENT}});
  clock_.Set(Tokyo(2022, 9, 1, 0));  // m3 is still to come

  const v1::AttendanceSummary s = Summary();
  EXPECT_EQ(s.meetings_held(), 2);
  ASSERT_EQ(s.rows_size(), 4);
  EXPECT_EQ(s.rows(0).participant(), Person("p1"));
  EXPECT_EQ(s.rows(0).held(), 2);
  EXPECT_EQ(s.rows(0).attended(), 1);
  EXPECT_EQ(s.rows(0).recorded(), 1);
  EXPECT_EQ(s.rows(0).unknown(), 1);
  EXPECT_DOUBLE_EQ(s.rows(0).rate(), 0.5);  // not 1 of 1 recorded = 100%
  EXPECT_EQ(s.rows(1).attended(), 1);
  EXPECT_EQ(s.rows(1).late(), 1);
  EXPECT_EQ(s.rows(1).unknown(), 0);
  EXPECT_DOUBLE_EQ(s.rows(1).rate(), 0.5);
  EXPECT_EQ(s.rows(2).recorded(), 0);
  EXPECT_EQ(s.rows(2).unknown(), 2);
  EXPECT_DOUBLE_EQ(s.rows(2).rate(), 0.0);
}

TEST_F(TasksAttendanceTest, GetPollNamesThePollItDidNotFind) {
  CreateSeries();
  v1::GetPollRequest r;
  r.set_meeting(M2());
  auto missing = scheduling_->GetPoll(Participant(1), r);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "Poll not found: " + M2() + "/poll");
  r.set_meeting(std::string(kCohort) + "/meetings/m99");
  auto no_meeting = scheduling_->GetPoll(Participant(1), r);
  EXPECT_EQ(no_meeting.status().message(), "Meeting not found: " + r.meeting());
}

// Moved from scheduling_test.cc.
TEST_F(TasksAttendanceTest, TasksForEveryoneAndForOne) {
  CreateSeries();
  const std::string m1 = std::string(kCohort) + "/meetings/m1";
  v1::CreateTaskRequest all;
  all.set_parent(m1);
  all.mutable_task()->set_title("まちの特徴を3つ書き出す");
  *all.mutable_task()->mutable_due_time() = ToProtoTimestamp(Tokyo(2022, 8, 20, 23));
  auto everyone = scheduling_->CreateTask(Navigator(), all);
  ASSERT_TRUE(everyone.ok()) << everyone.status();
  v1::CreateTaskRequest one = all;
  one.mutable_task()->set_title("事前アンケートの再提出");
  one.mutable_task()->set_assignee(Person("p2"));
  ASSERT_TRUE(scheduling_->CreateTask(Navigator(), one).ok());
  one.mutable_task()->set_assignee(Person("ghost"));
  EXPECT_EQ(FieldOf(scheduling_->CreateTask(Navigator(), one).status()), "task.assignee");

  v1::ListTasksRequest list;
  list.set_parent(m1);
  EXPECT_EQ(scheduling_->ListTasks(Participant(1), list)->tasks_size(), 1);
  EXPECT_EQ(scheduling_->ListTasks(Participant(2), list)->tasks_size(), 2);

  v1::SetTaskDoneRequest done;
  done.set_name(everyone->name());
  done.set_done(true);
  for (int i = 1; i <= 4; ++i) {
    auto t = scheduling_->SetTaskDone(Participant(i), done);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->done(), i == 4);
  }
}

TEST_F(TasksAttendanceTest, AttendanceRates) {
  CreateSeries();
  const std::string m1 = std::string(kCohort) + "/meetings/m1";
  v1::RecordAttendanceRequest r;
  r.set_meeting(M2());
  auto* rec = r.add_records();
  rec->set_participant(Person("p1"));
  rec->set_status(v1::PRESENT);
  EXPECT_EQ(errors::Reason(scheduling_->RecordAttendance(Navigator(), r).status()),
            "MEETING_NOT_CONFIRMED");
  r.set_meeting(m1);
  clock_.Set(Tokyo(2022, 7, 24, 12));  // m1 has started
  // A status outside the enum (JSON and proto3 keep the number) would count
  // as attended; refused, and so is a list longer than any roster.
  rec->set_status(static_cast<v1::AttendanceStatus>(4));
  EXPECT_EQ(FieldOf(scheduling_->RecordAttendance(Navigator(), r).status()),
            "records[0].status");
  rec->set_status(v1::PRESENT);
  {
    v1::RecordAttendanceRequest many = r;
    for (int i = 0; i < 500; ++i) *many.add_records() = *rec;
    EXPECT_EQ(FieldOf(scheduling_->RecordAttendance(Navigator(), many).status()), "records");
  }
  auto* late = r.add_records();
  late->set_participant(Person("p2"));
  late->set_status(v1::LATE);
  auto* absent = r.add_records();
  absent->set_participant(Person("p3"));
  absent->set_status(v1::ABSENT);
  auto recorded = scheduling_->RecordAttendance(Navigator(), r);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->records(0).display_name(), "参加者1");  // from the roster, not stored
  v1::GetMeetingAttendanceRequest get;
  get.set_meeting(m1);
  EXPECT_EQ(scheduling_->GetMeetingAttendance(Navigator(), get)->records(1).display_name(), "参加者2");

  v1::GetAttendanceSummaryRequest s;
  s.set_parent(kCohort);
  auto summary = scheduling_->GetAttendanceSummary(Navigator(), s);
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(summary->rows_size(), 4);
  EXPECT_DOUBLE_EQ(summary->rows(0).rate(), 1.0);
  EXPECT_EQ(summary->rows(1).late(), 1);
  EXPECT_DOUBLE_EQ(summary->rows(2).rate(), 0.0);
  EXPECT_EQ(summary->rows(3).recorded(), 0);
  auto own = scheduling_->GetAttendanceSummary(Participant(2), s);
  ASSERT_EQ(own->rows_size(), 1);
  EXPECT_EQ(own->rows(0).participant(), Person("p2"));
}

// Attendance is taken once a meeting has started: a sheet filled in ahead
// (the e2e suite and the demo record only past meetings) would count the
// meeting as held. A meeting with a sheet cannot then be moved into the
// future (ATTENDANCE_ALREADY_TAKEN), only to a time already begun.
TEST_F(TasksAttendanceTest, AttendanceIsTakenOnlyOnceTheMeetingHasStarted) {
  CreateSeries();  // m1 at 2022-07-24 09:00; the clock says 2022-07-01 10:00
  v1::RecordAttendanceRequest r;
  r.set_meeting(M1());
  auto* rec = r.add_records();
  rec->set_participant(Person("p1"));
  rec->set_status(v1::PRESENT);
  auto early = scheduling_->RecordAttendance(Navigator(), r);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(early.status()), kMeetingNotStarted);
  EXPECT_EQ(Summary().meetings_held(), 0);

  clock_.Set(Tokyo(2022, 7, 24, 9));  // the start itself
  ASSERT_TRUE(scheduling_->RecordAttendance(Navigator(), r).ok());
  EXPECT_EQ(Summary().meetings_held(), 1);
  // Moved a week later after the sheet was taken: refused, still held.
  auto later = Schedule(M1(), Tokyo(2022, 7, 31, 9));
  EXPECT_EQ(later.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(later.status()), kAttendanceAlreadyTaken);
  EXPECT_EQ(Summary().meetings_held(), 1);
  EXPECT_DOUBLE_EQ(Summary().rows(0).rate(), 1.0);
  // A correction to a time already begun is a move like any other.
  clock_.Set(Tokyo(2022, 7, 24, 12));
  ASSERT_TRUE(Schedule(M1(), Tokyo(2022, 7, 24, 10)).ok());
  EXPECT_EQ(Summary().meetings_held(), 1);
}

}  // namespace
}  // namespace kaizen::scheduling

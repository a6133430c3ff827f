// Issue 15, point 9 (scheduling's part): tasks are edited and deleted and
// never due in the past; attendance rates are over meetings held, with
// unrecorded meetings unknown; GET .../poll names the poll it did not find.
#include "common/status/errors.h"
#include "google/protobuf/field_mask.pb.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_fixture.h"

namespace kaizen::scheduling {
namespace {

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
  Record(M1(), {{1, v1::PRESENT}, {2, v1::LATE}});
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

}  // namespace
}  // namespace kaizen::scheduling

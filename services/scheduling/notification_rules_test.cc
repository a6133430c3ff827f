// Issue 13 review fixes to what scheduling hands over (notifications.h):
//  * a cancellation's reason (the organiser's own words) stays in the
//    meeting's history and is not handed over;
//  * RESCHEDULED / CANCELLED are decided on the later of the old and new end
//    times, so calendars do not keep a stale future event;
//  * task reminders that no longer apply are dropped: the task deleted, its
//    due time or assignee changed, or the task done between the sweep's read
//    and its write.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/enrollment/roster.h"
#include "common/notify/outbox.h"
#include "gtest/gtest.h"
#include "services/scheduling/notifications_fixture.h"

namespace kaizen::scheduling {
namespace notification_rules_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

class NotificationRulesTest : public NotificationsTest {
 protected:
  // The rows about `subject`, in any state.
  std::vector<notify::OutboxMessage> AllRowsAbout(const std::string& subject) {
    std::vector<notify::OutboxMessage> out;
    absl::Status s = store_->database()->RunReadOnly([&](SQLite::Database& db) -> absl::Status {
      auto all = notify::List(db, std::nullopt, 1000);
      if (!all.ok()) return all.status();
      for (auto& m : *all) {
        if (m.subject_ref == subject) out.push_back(std::move(m));
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }
  // What the Deliverer does once enrollment has taken the row.
  void MarkSent(const std::string& id) {
    absl::Status s = store_->database()->RunInTransaction(
        [&](SQLite::Database& db) { return notify::MarkSent(db, id, clock_.Now()); });
    ASSERT_TRUE(s.ok()) << s;
  }
  void MarkDead(const std::string& id) {
    absl::Status s = store_->database()->RunInTransaction([&](SQLite::Database& db) {
      return notify::MarkDead(db, id, 8, clock_.Now(), "UNAVAILABLE: test");
    });
    ASSERT_TRUE(s.ok()) << s;
  }
  absl::Status DeleteTask(const std::string& name) {
    v1::DeleteTaskRequest r;
    r.set_name(name);
    return scheduling_->DeleteTask(Navigator(), r).status();
  }
  absl::StatusOr<v1::Task> UpdateTask(v1::Task task, const std::string& field) {
    v1::UpdateTaskRequest r;
    *r.mutable_task() = std::move(task);
    r.mutable_update_mask()->add_paths(field);
    return scheduling_->UpdateTask(Navigator(), r);
  }
};

TEST_F(NotificationRulesTest, ACancellationsReasonStaysInTheMeetingsHistory) {
  CreateSeries();
  const auto before = Rows();
  const std::string reason = "講師の山田さんが体調不良のため";
  v1::CancelMeetingRequest r;
  r.set_name(M1());
  r.set_reason(reason);
  ASSERT_TRUE(scheduling_->CancelMeeting(Navigator(), r).ok());
  auto rows = NewRows(before);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].request.kind(), kt::MEETING_CANCELLED);
  EXPECT_EQ(Keys(rows[0].request), (std::vector<std::string>{"end_time", "format", "meeting",
                                                             "meeting_title", "place",
                                                             "start_time"}));
  // Nowhere in what is handed over (params, the .ics), nor in the raw row.
  EXPECT_FALSE(absl::StrContains(rows[0].request.SerializeAsString(), reason));
  EXPECT_FALSE(absl::StrContains(rows[0].row.payload, "山田"));
  // The history keeps it for the app.
  const v1::Meeting m = Meeting(M1());
  ASSERT_GT(m.history_size(), 0);
  EXPECT_EQ(m.history(m.history_size() - 1).reason(), reason);
}

TEST_F(NotificationRulesTest, AMeetingMovedFromTheFutureIntoThePastIsAnnounced) {
  CreateSeries();                       // m1 at 07-24 09:00
  clock_.Set(Tokyo(2022, 7, 24, 8));    // still ahead in everyone's calendar
  const auto before = Rows();
  ASSERT_TRUE(Schedule(M1(), Tokyo(2022, 7, 20, 13)).ok());  // a date corrected into the past
  auto rows = NewRows(before);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].request.kind(), kt::MEETING_RESCHEDULED);
  EXPECT_EQ(rows[0].request.params().at("previous_start_time"), "2022-07-24T00:00:00Z");
  EXPECT_EQ(rows[0].request.params().at("start_time"), "2022-07-20T04:00:00Z");
  EXPECT_TRUE(IcsHas(rows[0].request.attachment().data(), "SEQUENCE:1"));
}

TEST_F(NotificationRulesTest, AMeetingCancelledWhileItsSlotIsAheadIsAnnounced) {
  CreateSeries();
  clock_.Set(Tokyo(2022, 7, 24, 9, 30));  // under way: the slot has not ended
  const auto before = Rows();
  ASSERT_TRUE(Cancel(M1()).ok());
  auto rows = NewRows(before);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].request.kind(), kt::MEETING_CANCELLED);
  EXPECT_TRUE(IcsHas(rows[0].request.attachment().data(), "METHOD:CANCEL"));
}

TEST_F(NotificationRulesTest, AMeetingMovedFromThePastIntoTheFutureIsAnnounced) {
  CreateSeries();
  clock_.Set(Tokyo(2022, 7, 25, 10));  // m1 (07-24) is over, no attendance taken
  const auto before = Rows();
  ASSERT_TRUE(Schedule(M1(), Tokyo(2022, 7, 30, 13)).ok());
  auto rows = NewRows(before);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].request.kind(), kt::MEETING_RESCHEDULED);
}

TEST_F(NotificationRulesTest, NothingWhenTheOldAndTheNewSlotAreBothOver) {
  CreateSeries();
  clock_.Set(Tokyo(2022, 7, 26, 10));
  const auto before = Rows();
  ASSERT_TRUE(Schedule(M1(), Tokyo(2022, 7, 25, 9)).ok());  // past to past
  ASSERT_TRUE(Cancel(M1()).ok());                           // then cancelled, over
  EXPECT_TRUE(NewRows(before).empty());
}

TEST_F(NotificationRulesTest, DeletingATaskDeletesItsUndeliveredReminder) {
  CreateSeries();
  auto pending = Task(Person("p1"), clock_.Now() + absl::Hours(3));
  auto dead = Task(Person("p2"), clock_.Now() + absl::Hours(3));
  auto sent = Task(Person("p3"), clock_.Now() + absl::Hours(3));
  ASSERT_TRUE(pending.ok() && dead.ok() && sent.ok());
  ASSERT_EQ(Sweep().enqueued, 3);
  ASSERT_EQ(AllRowsAbout(dead->name()).size(), 1u);
  MarkDead(AllRowsAbout(dead->name())[0].id);
  MarkSent(AllRowsAbout(sent->name())[0].id);

  ASSERT_TRUE(DeleteTask(pending->name()).ok());
  ASSERT_TRUE(DeleteTask(dead->name()).ok());
  ASSERT_TRUE(DeleteTask(sent->name()).ok());
  EXPECT_TRUE(AllRowsAbout(pending->name()).empty());  // would have been handed over
  EXPECT_TRUE(AllRowsAbout(dead->name()).empty());     // an operator's retry would send it
  // Already handed over: the row (without payload) stays for the count.
  const auto kept = AllRowsAbout(sent->name());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].state, notify::OutboxState::kSent);
  EXPECT_EQ(Sweep().enqueued, 0);
}

TEST_F(NotificationRulesTest, ANewDueTimeReplacesTheOldDueTimesPendingReminder) {
  CreateSeries();
  auto task = Task(Person("p1"), clock_.Now() + absl::Hours(3));
  ASSERT_TRUE(task.ok());
  ASSERT_EQ(Sweep().enqueued, 1);
  v1::Task moved = *task;
  *moved.mutable_due_time() = ToProtoTimestamp(clock_.Now() + absl::Hours(5));
  auto updated = UpdateTask(moved, "due_time");
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_TRUE(AllRowsAbout(task->name()).empty());  // the 3 h reminder is gone
  ASSERT_EQ(Sweep().enqueued, 1);
  const auto rows = AllRowsAbout(task->name());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, absl::StrCat("task-due/", task->name(), "/",
                                     absl::ToUnixMicros(clock_.Now() + absl::Hours(5))));
  // A title edit leaves the pending reminder alone.
  v1::Task retitled = *updated;
  retitled.set_title("自己紹介シート（改）");
  ASSERT_TRUE(UpdateTask(retitled, "title").ok());
  EXPECT_EQ(AllRowsAbout(task->name()).size(), 1u);
}

TEST_F(NotificationRulesTest, ANewAssigneeIsRemindedInsteadOfTheOldOne) {
  CreateSeries();
  auto task = Task(Person("p1"), clock_.Now() + absl::Hours(3));
  ASSERT_TRUE(task.ok());
  ASSERT_EQ(Sweep().enqueued, 1);
  v1::Task other = *task;
  other.set_assignee(Person("p2"));
  ASSERT_TRUE(UpdateTask(other, "assignee").ok());
  EXPECT_TRUE(AllRowsAbout(task->name()).empty());
  ASSERT_EQ(Sweep().enqueued, 1);
  auto rows = Rows();
  const Row& r = rows.at(absl::StrCat("task-due/", task->name(), "/",
                                      absl::ToUnixMicros(FromProtoTimestamp(task->due_time()))));
  EXPECT_EQ(std::vector<std::string>(r.request.participants().begin(),
                                     r.request.participants().end()),
            std::vector<std::string>{Person("p2")});
}

// Runs `hook` once, on the first roster fetch: the sweep fetches rosters
// between its read and its write, so the hook lands exactly in that gap.
class RosterWithHook final : public enrollment_client::RosterSource {
 public:
  RosterWithHook(enrollment_client::RosterSource* inner, std::function<void()> hook)
      : inner_(inner), hook_(std::move(hook)) {}
  absl::StatusOr<enrollment_client::Roster> GetRoster(const std::string& cohort) override {
    if (hook_ && !in_hook_) {
      in_hook_ = true;
      auto hook = std::move(hook_);
      hook_ = nullptr;
      hook();
      in_hook_ = false;
    }
    return inner_->GetRoster(cohort);
  }

 private:
  enrollment_client::RosterSource* inner_;
  std::function<void()> hook_;
  bool in_hook_ = false;
};

TEST_F(NotificationRulesTest, ATaskDoneBetweenTheSweepsReadAndWriteIsNotReminded) {
  CreateSeries();
  auto mine = Task(Person("p1"), clock_.Now() + absl::Hours(3));
  auto everyone = Task("", clock_.Now() + absl::Hours(4));
  ASSERT_TRUE(mine.ok() && everyone.ok());
  Done(everyone->name(), 2);  // so the sweep asks the roster who is left
  RosterWithHook hooked(&roster_, [&] {
    Done(mine->name(), 1);
    Done(everyone->name(), 3);
  });
  scheduling_ = std::make_unique<Scheduling>(store_.get(), &hooked, &clock_);
  const auto before = Rows();
  auto swept = Sweep();
  EXPECT_EQ(swept.enqueued, 1);
  auto rows = NewRows(before);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].row.subject_ref, everyone->name());
  // p2 had done it before the read, p3 between the read and the write.
  EXPECT_EQ(std::vector<std::string>(rows[0].request.participants().begin(),
                                     rows[0].request.participants().end()),
            (std::vector<std::string>{Person("p1"), Person("p4")}));
  EXPECT_TRUE(AllRowsAbout(mine->name()).empty());
}

}  // namespace
}  // namespace kaizen::scheduling

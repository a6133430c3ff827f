// SchedulingStore against real in-memory SQLite.
#include "services/scheduling/scheduling_store.h"

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace kaizen::scheduling {
namespace scheduling_store_test {

constexpr char kCohort[] = "cohorts/c1";
constexpr char kM1[] = "cohorts/c1/meetings/m1";

class SchedulingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = SchedulingStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  MeetingRecord NewMeeting(const std::string& name, int sequence) {
    MeetingRecord m;
    m.name = name;
    m.message.set_name(name);
    m.message.set_sequence(sequence);
    return m;
  }

  std::unique_ptr<SchedulingStore> store_;
};

TEST_F(SchedulingStoreTest, MeetingsInsertGetUpdateList) {
  MeetingRecord m1 = NewMeeting(kM1, 1);
  MeetingRecord m2 = NewMeeting("cohorts/c1/meetings/m2", 2);
  MeetingRecord other = NewMeeting("cohorts/c2/meetings/m1", 1);
  ASSERT_TRUE(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    EXPECT_TRUE(tx.InsertMeeting(&m1).ok());
    EXPECT_TRUE(tx.InsertMeeting(&m2).ok());
    return tx.InsertMeeting(&other);
  }).ok());
  EXPECT_EQ(m1.revision, 1);
  EXPECT_GT(m2.seq, m1.seq);

  // Update bumps the revision and the caller's record sees it.
  m1.message.set_theme("changed");
  ASSERT_TRUE(store_->Write([&](SchedulingTx& tx) { return tx.UpdateMeeting(&m1); }).ok());
  EXPECT_EQ(m1.revision, 2);

  ASSERT_TRUE(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    auto got = tx.GetMeeting(kM1);
    EXPECT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->revision, 2);
    EXPECT_EQ(got->seq, m1.seq);
    EXPECT_EQ(got->message.theme(), "changed");
    auto list = tx.ListMeetings(kCohort);
    EXPECT_TRUE(list.ok());
    EXPECT_EQ(list->size(), 2u);  // only this cohort's, in creation order
    EXPECT_EQ((*list)[0].name, kM1);
    EXPECT_EQ((*list)[1].name, "cohorts/c1/meetings/m2");
    return absl::OkStatus();
  }).ok());
}

TEST_F(SchedulingStoreTest, MissingIsNotFoundAndDuplicateIsAlreadyExists) {
  MeetingRecord m1 = NewMeeting(kM1, 1);
  ASSERT_TRUE(store_->Write([&](SchedulingTx& tx) { return tx.InsertMeeting(&m1); }).ok());
  absl::Status dup = store_->Write([&](SchedulingTx& tx) {
    MeetingRecord again = NewMeeting(kM1, 1);
    return tx.InsertMeeting(&again);
  });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(errors::Reason(dup), "ALREADY_EXISTS");

  absl::Status missing = store_->Read(
      [&](SchedulingTx& tx) { return tx.GetMeeting("cohorts/c1/meetings/m9").status(); });
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  auto info = errors::GetResourceInfo(missing);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->resource_type(), "Meeting");
  EXPECT_EQ(info->resource_name(), "cohorts/c1/meetings/m9");

  MeetingRecord ghost = NewMeeting("cohorts/c1/meetings/m9", 9);
  absl::Status update = store_->Write([&](SchedulingTx& tx) { return tx.UpdateMeeting(&ghost); });
  EXPECT_EQ(update.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ghost.revision, 1);  // unchanged when the write fails
}

TEST_F(SchedulingStoreTest, AFailedTransactionWritesNothing) {
  absl::Status s = store_->Write([&](SchedulingTx& tx) -> absl::Status {
    MeetingRecord m1 = NewMeeting(kM1, 1);
    EXPECT_TRUE(tx.InsertMeeting(&m1).ok());
    return absl::AbortedError("changed my mind");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->Read([&](SchedulingTx& tx) { return tx.GetMeeting(kM1).status(); }).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SchedulingStoreTest, PollsAndSheetsAreKeyedByTheirMeeting) {
  PollRecord poll;
  poll.message.set_state(v1::Poll::OPEN);
  AttendanceSheetRecord sheet;
  sheet.message.set_meeting(kM1);
  ASSERT_TRUE(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    EXPECT_TRUE(tx.InsertPoll(kM1, &poll).ok());
    return tx.InsertAttendanceSheet(kM1, &sheet);
  }).ok());
  EXPECT_EQ(poll.name, "cohorts/c1/meetings/m1/polls/poll");
  EXPECT_EQ(sheet.name, "cohorts/c1/meetings/m1/attendance/sheet");

  poll.message.set_state(v1::Poll::CLOSED);
  ASSERT_TRUE(store_->Write([&](SchedulingTx& tx) { return tx.UpdatePoll(&poll); }).ok());
  EXPECT_EQ(poll.revision, 2);
  ASSERT_TRUE(store_->Write([&](SchedulingTx& tx) { return tx.UpdateAttendanceSheet(&sheet); })
                  .ok());
  EXPECT_EQ(sheet.revision, 2);

  ASSERT_TRUE(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    auto got = tx.GetPoll(kM1);
    EXPECT_TRUE(got.ok());
    EXPECT_EQ(got->message.state(), v1::Poll::CLOSED);
    EXPECT_EQ(got->revision, 2);
    EXPECT_TRUE(tx.GetAttendanceSheet(kM1).ok());
    absl::Status none = tx.GetPoll("cohorts/c1/meetings/m2").status();
    EXPECT_EQ(none.code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(errors::GetResourceInfo(none)->resource_type(), "Poll");
    EXPECT_EQ(tx.GetAttendanceSheet("cohorts/c1/meetings/m2").status().code(),
              absl::StatusCode::kNotFound);
    return absl::OkStatus();
  }).ok());
}

TEST_F(SchedulingStoreTest, TasksSlotsAndTemplates) {
  TaskRecord task;
  task.name = "cohorts/c1/meetings/m1/tasks/t1";
  task.message.set_title("read the brief");
  SupportSlotRecord slot;
  slot.name = "cohorts/c1/supportSlots/s1";
  slot.message.set_state(v1::SupportSlot::OPEN);
  TemplateRecord tmpl;
  tmpl.name = "templates/custom";
  tmpl.message.set_title("custom");
  ASSERT_TRUE(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    EXPECT_TRUE(tx.InsertTask(&task).ok());
    EXPECT_TRUE(tx.InsertSupportSlot(&slot).ok());
    return tx.InsertTemplate(&tmpl);
  }).ok());

  task.message.add_done_by("cohorts/c1/participants/p1");
  slot.message.set_state(v1::SupportSlot::BOOKED);
  ASSERT_TRUE(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    EXPECT_TRUE(tx.UpdateTask(&task).ok());
    return tx.UpdateSupportSlot(&slot);
  }).ok());
  EXPECT_EQ(task.revision, 2);
  EXPECT_EQ(slot.revision, 2);

  ASSERT_TRUE(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    auto tasks = tx.ListTasks(kM1);
    EXPECT_TRUE(tasks.ok());
    EXPECT_EQ(tasks->size(), 1u);
    EXPECT_EQ((*tasks)[0].message.done_by_size(), 1);
    EXPECT_EQ(tx.GetTask(task.name)->revision, 2);
    auto slots = tx.ListSupportSlots(kCohort);
    EXPECT_TRUE(slots.ok());
    EXPECT_EQ(slots->size(), 1u);
    EXPECT_EQ((*slots)[0].message.state(), v1::SupportSlot::BOOKED);
    EXPECT_EQ(tx.GetSupportSlot(slot.name)->revision, 2);
    auto templates = tx.ListTemplates();
    EXPECT_TRUE(templates.ok());
    EXPECT_EQ(templates->size(), 1u);
    EXPECT_EQ(tx.GetTemplate("templates/custom")->message.title(), "custom");
    EXPECT_EQ(tx.GetTemplate("templates/other").status().code(), absl::StatusCode::kNotFound);
    return absl::OkStatus();
  }).ok());
}

TEST_F(SchedulingStoreTest, SchemaIsThreeMigrations) {
  // resources; the result-change log (issue 14); the outbox (issue 13).
  EXPECT_EQ(SchedulingStore::Migrations().size(), 3u);
}

}  // namespace
}  // namespace kaizen::scheduling

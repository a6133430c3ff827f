// One list convention (issue 12, point 5): every scheduling list pages with
// page_size / page_token / next_page_token, says its total_size, and refuses
// a negative size or a token of another list or query naming the field.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace lists_paging_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

const std::string kM1 = std::string(kCohort) + "/meetings/m1";

std::string FieldOf(const absl::Status& s) {
  auto bad = errors::GetBadRequest(s);
  return bad.has_value() && bad->field_violations_size() > 0 ? bad->field_violations(0).field()
                                                             : "";
}

class ListsPagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = SchedulingStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(Tokyo(2022, 7, 1, 10));
    scheduling_ = std::make_unique<Scheduling>(store_.get(), &roster_, &clock_);
    v1::CreateMeetingSeriesRequest series;
    series.set_parent(kCohort);
    series.set_template_("templates/next-gen-leaders-fy2022");
    series.set_start_year(2022);
    *series.mutable_first_meeting_start() = ToProtoTimestamp(FirstMeeting());
    ASSERT_TRUE(scheduling_->CreateMeetingSeries(Secretariat(), series).ok());
  }

  // Slots on October 1..n, created in reverse time order, every other one
  // booked by p1.
  void MakeSlots(int n) {
    for (int day = n; day >= 1; --day) {
      v1::CreateSupportSlotRequest r;
      r.set_parent(kCohort);
      r.mutable_support_slot()->set_staff(Person("advisor"));
      *r.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 10, day, 19));
      *r.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, day, 20));
      auto slot = scheduling_->CreateSupportSlot(Navigator(), r);
      ASSERT_TRUE(slot.ok()) << slot.status();
      if (day % 2 == 0) {
        v1::BookSupportSlotRequest book;
        book.set_name(slot->name());
        ASSERT_TRUE(scheduling_->BookSupportSlot(Participant(1), book).ok());
      }
    }
  }

  FakeRoster roster_;
  FakeClock clock_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<Scheduling> scheduling_;
};

TEST_F(ListsPagingTest, SupportSlotsPageInTimeOrderPerQuery) {
  MakeSlots(5);
  v1::ListSupportSlotsRequest r;
  r.set_parent(kCohort);
  r.set_page_size(2);
  std::vector<absl::Time> starts;
  while (true) {
    auto page = scheduling_->ListSupportSlots(Participant(2), r);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->total_size(), 5);
    for (const auto& s : page->support_slots()) {
      starts.push_back(FromProtoTimestamp(s.start_time()));
      EXPECT_TRUE(s.booked_by().empty());  // still hidden from participants
    }
    if (page->next_page_token().empty()) break;
    r.set_page_token(page->next_page_token());
  }
  ASSERT_EQ(starts.size(), 5u);
  for (size_t i = 1; i < starts.size(); ++i) EXPECT_LT(starts[i - 1], starts[i]);

  // open_only is part of the query: its total counts open slots only, and a
  // token of the unfiltered list is refused.
  v1::ListSupportSlotsRequest open;
  open.set_parent(kCohort);
  open.set_open_only(true);
  open.set_page_size(1);
  auto first_open = scheduling_->ListSupportSlots(Participant(2), open);
  ASSERT_TRUE(first_open.ok());
  EXPECT_EQ(first_open->total_size(), 3);
  v1::ListSupportSlotsRequest all = open;
  all.set_open_only(false);
  all.set_page_token(first_open->next_page_token());
  auto mixed = scheduling_->ListSupportSlots(Participant(2), all);
  EXPECT_EQ(mixed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(mixed.status()), "INVALID_PAGE_TOKEN");
  EXPECT_EQ(FieldOf(mixed.status()), "page_token");
}

TEST_F(ListsPagingTest, TasksPageAndCountWhatTheCallerMaySee) {
  for (int i = 0; i < 3; ++i) {
    v1::CreateTaskRequest r;
    r.set_parent(kM1);
    r.mutable_task()->set_title(absl::StrCat("課題", i));
    if (i == 2) r.mutable_task()->set_assignee(Person("p2"));
    // The same due time for all: creation order breaks the tie.
    *r.mutable_task()->mutable_due_time() = ToProtoTimestamp(Tokyo(2022, 8, 20, 23));
    ASSERT_TRUE(scheduling_->CreateTask(Navigator(), r).ok());
  }
  v1::ListTasksRequest r;
  r.set_parent(kM1);
  r.set_page_size(1);
  auto first = scheduling_->ListTasks(Participant(1), r);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->total_size(), 2);  // p2's own task is not p1's to see
  EXPECT_EQ(first->tasks(0).title(), "課題0");
  r.set_page_token(first->next_page_token());
  auto second = scheduling_->ListTasks(Participant(1), r);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->tasks_size(), 1);
  EXPECT_EQ(second->tasks(0).title(), "課題1");
  EXPECT_TRUE(second->next_page_token().empty());
  v1::ListTasksRequest staff;
  staff.set_parent(kM1);
  auto all = scheduling_->ListTasks(Navigator(), staff);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total_size(), 3);
  EXPECT_EQ(all->tasks_size(), 3);
  // A token of another meeting's list.
  v1::ListTasksRequest other;
  other.set_parent(std::string(kCohort) + "/meetings/m2");
  other.set_page_token(first->next_page_token());
  EXPECT_EQ(FieldOf(scheduling_->ListTasks(Participant(1), other).status()), "page_token");
}

TEST_F(ListsPagingTest, TemplatesPageBuiltInFirst) {
  for (const char* id : {"b-course", "a-course"}) {
    v1::CreateTemplateRequest r;
    r.set_template_id(id);
    r.mutable_template_()->set_title("短期コース");
    auto* e = r.mutable_template_()->add_entries();
    e->set_sequence(1);
    e->set_theme("キックオフ");
    e->set_phase(v1::KNOW_YOUR_TOWN);
    e->set_month(4);
    e->mutable_duration()->set_seconds(7200);
    e->set_format(v1::IN_PERSON);
    ASSERT_TRUE(scheduling_->CreateTemplate(Secretariat(), r).ok());
  }
  v1::ListTemplatesRequest r;
  r.set_page_size(2);
  auto first = scheduling_->ListTemplates(Navigator(), r);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->total_size(), 3);
  ASSERT_EQ(first->templates_size(), 2);
  EXPECT_TRUE(first->templates(0).built_in());
  EXPECT_EQ(first->templates(1).name(), "templates/a-course");
  r.set_page_token(first->next_page_token());
  auto second = scheduling_->ListTemplates(Navigator(), r);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->templates_size(), 1);
  EXPECT_EQ(second->templates(0).name(), "templates/b-course");
}

TEST_F(ListsPagingTest, EveryListRefusesANegativePageSizeNamingIt) {
  v1::ListMeetingsRequest meetings;
  meetings.set_parent(kCohort);
  meetings.set_page_size(-1);
  v1::ListTasksRequest tasks;
  tasks.set_parent(kM1);
  tasks.set_page_size(-1);
  v1::ListSupportSlotsRequest slots;
  slots.set_parent(kCohort);
  slots.set_page_size(-1);
  v1::ListTemplatesRequest templates;
  templates.set_page_size(-1);
  v1::ListCalendarFeedsRequest feeds;
  feeds.set_parent(kCohort);
  feeds.set_page_size(-1);
  for (const absl::Status& s : {scheduling_->ListMeetings(Participant(1), meetings).status(),
                                scheduling_->ListTasks(Participant(1), tasks).status(),
                                scheduling_->ListSupportSlots(Participant(1), slots).status(),
                                scheduling_->ListTemplates(Navigator(), templates).status(),
                                scheduling_->ListCalendarFeeds(Participant(1), feeds).status()}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_EQ(errors::Reason(s), "INVALID_PAGE_SIZE");
    EXPECT_EQ(FieldOf(s), "page_size");
  }
}

TEST_F(ListsPagingTest, ADefaultPageHoldsAWholeSeries) {
  v1::ListMeetingsRequest r;
  r.set_parent(kCohort);
  auto page = scheduling_->ListMeetings(Participant(1), r);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->meetings_size(), 8);
  EXPECT_EQ(page->total_size(), 8);
  EXPECT_TRUE(page->next_page_token().empty());
}

}  // namespace
}  // namespace kaizen::scheduling

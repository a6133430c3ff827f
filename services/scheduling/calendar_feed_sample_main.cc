// Prints what a calendar app receives from a subscribable feed URL, for
// calendar_feed_ical_parse_test.sh: the real ReadCalendarFeed over an
// in-memory store and the test roster, after a reschedule (SEQUENCE 1), a
// cancellation (STATUS:CANCELLED) and a booked support session.
#include <iostream>
#include <string>

#include "common/testing/principals.h"
#include "common/util/proto_time.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"

namespace {

namespace v1 = ::kaizen::scheduling::v1;
using namespace ::kaizen::scheduling::testing;  // NOLINT
using ::kaizen::ToProtoTimestamp;

int Fail(const char* step, const absl::Status& s) {
  std::cerr << step << ": " << s << "\n";
  return 1;
}

}  // namespace

int main() {
  kaizen::storage::DatabaseOptions options;
  options.path = ":memory:";
  auto store = kaizen::scheduling::SchedulingStore::Open(options);
  if (!store.ok()) return Fail("open", store.status());
  FakeRoster roster;
  kaizen::FakeClock clock(Tokyo(2022, 7, 1, 10));
  kaizen::scheduling::Scheduling s(store->get(), &roster, &clock);

  v1::CreateMeetingSeriesRequest series;
  series.set_parent(kCohort);
  series.set_template_("templates/next-gen-leaders-fy2022");
  series.set_start_year(2022);
  *series.mutable_first_meeting_start() = ToProtoTimestamp(FirstMeeting());
  series.set_online_url("https://meet.example.jp/kaizen");
  if (auto r = s.CreateMeetingSeries(Secretariat(), series); !r.ok()) return Fail("series", r.status());

  auto schedule = [&](const std::string& m, absl::Time start) {
    v1::ScheduleMeetingRequest r;
    r.set_name(std::string(kCohort) + "/meetings/" + m);
    *r.mutable_start_time() = ToProtoTimestamp(start);
    r.set_reason("会場の都合");
    return s.ScheduleMeeting(Navigator(), r).status();
  };
  if (auto st = schedule("m2", Tokyo(2022, 8, 21, 9)); !st.ok()) return Fail("m2", st);
  if (auto st = schedule("m2", Tokyo(2022, 8, 28, 9)); !st.ok()) return Fail("m2 again", st);
  if (auto st = schedule("m3", Tokyo(2022, 9, 18, 9)); !st.ok()) return Fail("m3", st);
  v1::CancelMeetingRequest cancel;
  cancel.set_name(std::string(kCohort) + "/meetings/m3");
  cancel.set_reason("台風のため中止");
  if (auto r = s.CancelMeeting(Navigator(), cancel); !r.ok()) return Fail("cancel", r.status());

  v1::CreateSupportSlotRequest slot;
  slot.set_parent(kCohort);
  slot.mutable_support_slot()->set_staff(Person("advisor"));
  slot.mutable_support_slot()->set_location("https://meet.example.jp/support");
  *slot.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 10, 3, 19));
  *slot.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, 3, 20));
  auto created = s.CreateSupportSlot(Navigator(), slot);
  if (!created.ok()) return Fail("slot", created.status());
  v1::BookSupportSlotRequest book;
  book.set_name(created->name());
  if (auto r = s.BookSupportSlot(Participant(1), book); !r.ok()) return Fail("book", r.status());

  v1::CreateCalendarFeedRequest create;
  create.set_parent(kCohort);
  create.mutable_calendar_feed()->set_kind(v1::CalendarFeed::PERSON);
  auto feed = s.CreateCalendarFeed(Participant(1), create);
  if (!feed.ok()) return Fail("feed", feed.status());
  v1::ReadCalendarFeedRequest read;
  read.set_token(feed->token());
  auto body = s.ReadCalendarFeed(kaizen::testkit::Anonymous(), read);
  if (!body.ok()) return Fail("read", body.status());
  std::cout << body->data();
  return std::cout.good() ? 0 : 1;
}

// Prints the .ics attachments scheduling's outbox holds after a meeting is
// confirmed, moved, cancelled and reinstated, for meeting_ics_parse_test.sh:
// the real domain over an in-memory store. One attachment per block, each
// preceded by a line "=== <kind> <content type>".
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "common/notify/outbox.h"
#include "common/util/proto_time.h"
#include "kaizen/type/notification.pb.h"
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
  if (auto r = s.CreateMeetingSeries(Secretariat(), series); !r.ok()) {
    return Fail("series", r.status());
  }
  const std::string m1 = std::string(kCohort) + "/meetings/m1";
  clock.Advance(absl::Minutes(1));
  v1::ScheduleMeetingRequest move;
  move.set_name(m1);
  *move.mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 7, 30, 13));
  if (auto r = s.ScheduleMeeting(Navigator(), move); !r.ok()) return Fail("move", r.status());
  clock.Advance(absl::Minutes(1));
  v1::CancelMeetingRequest cancel;
  cancel.set_name(m1);
  cancel.set_reason("台風のため中止");
  if (auto r = s.CancelMeeting(Navigator(), cancel); !r.ok()) return Fail("cancel", r.status());
  clock.Advance(absl::Minutes(1));
  v1::ReinstateMeetingRequest reinstate;
  reinstate.set_name(m1);
  reinstate.set_reason("天候回復");
  if (auto r = s.ReinstateMeeting(Navigator(), reinstate); !r.ok()) {
    return Fail("reinstate", r.status());
  }

  std::vector<kaizen::notify::OutboxMessage> rows;
  absl::Status read = (*store)->database()->RunReadOnly([&](SQLite::Database& db) {
    auto due = kaizen::notify::Due(db, absl::InfiniteFuture(), 100);
    if (!due.ok()) return due.status();
    rows = *std::move(due);
    return absl::OkStatus();
  });
  if (!read.ok()) return Fail("outbox", read);
  // In the order the changes were made (ids end in the meeting's revision).
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.create_time < b.create_time; });
  for (const auto& row : rows) {
    kaizen::type::EnqueueNotificationRequest r;
    if (!r.ParseFromString(row.payload)) return Fail("payload", absl::DataLossError(row.id));
    std::cout << "=== " << row.kind << " " << r.attachment().content_type() << "\n"
              << r.attachment().data();
  }
  return 0;
}

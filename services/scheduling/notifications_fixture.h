// The fixture of the issue-13 outbox tests (notifications_test.cc,
// notification_rules_test.cc): the domain on in-memory SQLite, the PENDING
// outbox rows decoded, and the steps those tests repeat.
#ifndef KAIZEN_SERVICES_SCHEDULING_NOTIFICATIONS_FIXTURE_H_
#define KAIZEN_SERVICES_SCHEDULING_NOTIFICATIONS_FIXTURE_H_

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/strings/match.h"
#include "common/auth/principal.h"
#include "common/notify/outbox.h"
#include "gtest/gtest.h"
#include "kaizen/type/notification.pb.h"
#include "services/scheduling/scheduling_fixture.h"

namespace kaizen::scheduling::testing {

namespace kt = ::kaizen::type;

struct Row {
  notify::OutboxMessage row;
  kt::EnqueueNotificationRequest request;
};

class NotificationsTest : public SchedulingFixture {
 protected:
  // Every PENDING row, by id.
  std::map<std::string, Row> Rows() {
    std::map<std::string, Row> out;
    absl::Status s = store_->database()->RunReadOnly([&](SQLite::Database& db) -> absl::Status {
      auto due = notify::Due(db, absl::InfiniteFuture(), 1000);
      if (!due.ok()) return due.status();
      for (auto& m : *due) {
        Row r;
        EXPECT_TRUE(r.request.ParseFromString(m.payload)) << m.id;
        r.row = std::move(m);
        out.emplace(r.row.id, std::move(r));
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  // The rows not in `before`.
  std::vector<Row> NewRows(const std::map<std::string, Row>& before) {
    std::vector<Row> out;
    for (auto& [id, r] : Rows()) {
      if (before.count(id) == 0) out.push_back(r);
    }
    return out;
  }

  static std::vector<std::string> Keys(const kt::EnqueueNotificationRequest& r) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : r.params()) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  absl::StatusOr<v1::Meeting> Cancel(const std::string& name, const std::string& etag = "") {
    v1::CancelMeetingRequest r;
    r.set_name(name);
    r.set_reason("台風のため");
    r.set_etag(etag);
    return scheduling_->CancelMeeting(Navigator(), r);
  }
  absl::StatusOr<v1::Meeting> Reinstate(const std::string& name) {
    v1::ReinstateMeetingRequest r;
    r.set_name(name);
    r.set_reason("天候回復");
    return scheduling_->ReinstateMeeting(Navigator(), r);
  }
  absl::StatusOr<v1::Task> Task(const std::string& assignee, absl::Time due,
                                const std::string& title = "事前課題") {
    v1::CreateTaskRequest r;
    r.set_parent(M1());
    r.mutable_task()->set_title(title);
    r.mutable_task()->set_assignee(assignee);
    *r.mutable_task()->mutable_due_time() = ToProtoTimestamp(due);
    return scheduling_->CreateTask(Navigator(), r);
  }
  void Done(const std::string& task, int participant) {
    v1::SetTaskDoneRequest r;
    r.set_name(task);
    r.set_done(true);
    ASSERT_TRUE(scheduling_->SetTaskDone(Participant(participant), r).ok());
  }
  // One person's erasure ("p1": participant Person("p1"), account "user-p1"),
  // as enrollment asks for it.
  absl::StatusOr<kt::PurgeReport> Erase(const std::string& id) {
    kt::PurgeRequest purge;
    purge.set_cohort(kCohort);
    purge.set_participant(Person(id));
    purge.set_subject("user-" + id);
    return scheduling_->PurgePersonalData(auth::ServicePrincipal("enrollment"), purge);
  }
  Scheduling::TaskReminderSweep Sweep() {
    auto s = scheduling_->SweepTaskReminders();
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : Scheduling::TaskReminderSweep{-1, -1};
  }
};

// The .ics's unfolded content lines have `line`.
inline bool IcsHas(const std::string& ics, const std::string& line) {
  return absl::StrContains(ics, "\r\n" + line + "\r\n");
}

}  // namespace kaizen::scheduling::testing

#endif  // KAIZEN_SERVICES_SCHEDULING_NOTIFICATIONS_FIXTURE_H_

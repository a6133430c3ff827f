// Issue 15, point 8: an application's create_time agrees with its place in
// the waiting list. The queue is ordered by arrival (the seq the insert gets
// inside the write transaction); create_time used to be read before the
// write lock, so a writer could read an earlier time and commit later.
//
// The race is forced, not hoped for (review L4): writer A's clock reading,
// if taken outside the write lock, blocks until writer B has read the clock
// and committed, so without the fix A's earlier create_time always commits
// second. With the fix A reads under the lock and does not wait (B then
// waits for the lock). No sleeps; both outcomes are certain.
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/util/ids.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/write_lock_clock.h"

namespace kaizen::enrollment {
namespace arrival_order_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

TEST(ArrivalOrderTest, AnEarlierCreateTimeNeverCommitsSecond) {
  const std::string path = absl::StrCat(getenv("TEST_TMPDIR"), "/arrival-", NewId(), ".db");
  storage::DatabaseOptions options;
  options.path = path;
  auto store = EnrollmentStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  WriteLockClock clock(path, June1());
  ASSERT_TRUE(clock.probing());
  Enrollment enrollment(
      store->get(), &clock,
      WithoutEmailConfirmation(EnrollmentConfig{"page-token-key-0123456789",
                                                "access-key-0123456789", "claim-key-0123456789"}));
  v1::Cohort race = Fy2022Cohort();
  race.set_capacity(1);
  race.set_max_municipalities(1);
  v1::CreateCohortRequest create;
  *create.mutable_cohort() = race;
  create.set_cohort_id("race");
  auto cohort = enrollment.CreateCohort(Secretariat(), create);
  ASSERT_TRUE(cohort.ok()) << cohort.status();
  v1::TransitionCohortRequest open;
  open.set_name(cohort->name());
  open.set_state(v1::Cohort::OPEN);
  ASSERT_TRUE(enrollment.TransitionCohort(Secretariat(), open).ok());
  ASSERT_TRUE(enrollment.CreateApplication(Anonymous(), Apply(cohort->name(), 0, kTowns[0])).ok());

  absl::Notification a_read;  // writer A has read the clock
  absl::Notification b_done;  // writer B has committed
  clock.Reset([&](int reading, bool locked) {
    if (reading != 1) return;
    a_read.Notify();
    if (!locked) b_done.WaitForNotification();  // read outside the lock: let B overtake
  });
  absl::Status a_status;
  std::thread a([&] {
    a_status = enrollment.CreateApplication(Anonymous(), Apply(cohort->name(), 1, kTowns[0]))
                   .status();
  });
  a_read.WaitForNotification();
  absl::Status b_status =
      enrollment.CreateApplication(Anonymous(), Apply(cohort->name(), 2, kTowns[0])).status();
  b_done.Notify();
  a.join();
  ASSERT_TRUE(a_status.ok()) << a_status;
  ASSERT_TRUE(b_status.ok()) << b_status;
  EXPECT_EQ(clock.unlocked_reads(), 0) << "create_time was read outside the write lock";

  v1::ListApplicationsRequest list;
  list.set_parent(cohort->name());
  list.set_state(v1::Application::WAITLISTED);
  auto queue = enrollment.ListApplications(Secretariat(), list);
  ASSERT_TRUE(queue.ok()) << queue.status();
  ASSERT_EQ(queue->applications_size(), 2);
  const v1::Application& first = queue->applications(0);
  const v1::Application& second = queue->applications(1);
  EXPECT_LT(FromProtoTimestamp(first.create_time()), FromProtoTimestamp(second.create_time()))
      << "create_time disagrees with queue order";
  EXPECT_EQ(first.members(0).display_name(), Person(100, kTowns[0]).display_name());  // A
  EXPECT_EQ(first.waitlist_position(), 1);
  EXPECT_EQ(second.waitlist_position(), 2);
}

}  // namespace
}  // namespace kaizen::enrollment

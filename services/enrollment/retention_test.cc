// Retention settings (issue 15 point 3): 0 is kept as 0 and not silently
// turned into 365; the proto's range (0-3650) and the error agree; a
// finished cohort's retention can be shortened or lengthened until its
// personal data is purged, and nothing else of it changes.
#include <memory>
#include <optional>
#include <string>

#include "common/status/errors.h"
#include "google/protobuf/field_mask.pb.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace retention_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    enrollment_ = std::make_unique<Enrollment>(
        store_.get(), &clock_,
        WithoutEmailConfirmation(EnrollmentConfig{
            "page-token-key-0123456789", "access-key-0123456789", "claim-key-0123456789"}));
  }

  absl::StatusOr<v1::Cohort> Create(std::optional<int> retention_days) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    if (retention_days.has_value()) {
      create.mutable_cohort()->set_retention_days(*retention_days);
    } else {
      create.mutable_cohort()->clear_retention_days();
    }
    return enrollment_->CreateCohort(Secretariat(), create);
  }

  v1::Cohort Finished(int retention_days) {
    auto c = Create(retention_days);
    EXPECT_TRUE(c.ok()) << c.status();
    for (auto state : {v1::Cohort::OPEN, v1::Cohort::RUNNING, v1::Cohort::FINISHED}) {
      v1::TransitionCohortRequest t;
      t.set_name(c->name());
      t.set_state(state);
      auto moved = enrollment_->TransitionCohort(Secretariat(), t);
      EXPECT_TRUE(moved.ok()) << moved.status();
      if (moved.ok()) *c = *moved;
    }
    return *c;
  }

  absl::StatusOr<v1::Cohort> SetRetention(const v1::Cohort& c, int days) {
    v1::UpdateCohortRequest u;
    u.mutable_cohort()->set_name(c.name());
    u.mutable_cohort()->set_retention_days(days);
    u.mutable_update_mask()->add_paths("retention_days");
    return enrollment_->UpdateCohort(Secretariat(), u);
  }

  absl::StatusOr<v1::PurgeCohortPersonalDataResponse> Purge(const v1::Cohort& c) {
    v1::PurgeCohortPersonalDataRequest purge;
    purge.set_name(c.name());
    return enrollment_->PurgeCohortPersonalData(Secretariat(), purge);
  }

  std::unique_ptr<EnrollmentStore> store_;
  FakeClock clock_;
  std::unique_ptr<Enrollment> enrollment_;
};

TEST_F(RetentionTest, ZeroIsKeptAndUnsetIs365) {
  auto zero = Create(0);
  ASSERT_TRUE(zero.ok()) << zero.status();
  EXPECT_TRUE(zero->has_retention_days());
  EXPECT_EQ(zero->retention_days(), 0);
  auto unset = Create(std::nullopt);
  ASSERT_TRUE(unset.ok()) << unset.status();
  EXPECT_EQ(unset->retention_days(), 365);
}

TEST_F(RetentionTest, RangeAndErrorAgreeOnZeroTo3650) {
  EXPECT_TRUE(Create(3650).ok());
  for (int bad : {-1, 3651}) {
    absl::Status s = Create(bad).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    auto info = errors::GetBadRequest(s);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->field_violations(0).field(), "cohort.retention_days");
    EXPECT_EQ(info->field_violations(0).description(), "must be between 0 and 3650");
  }
}

TEST_F(RetentionTest, ZeroRetentionPurgesRightAfterFinishing) {
  v1::Cohort c = Finished(0);
  auto purged = Purge(c);
  EXPECT_TRUE(purged.ok()) << purged.status();
}

TEST_F(RetentionTest, FinishedCohortRetentionCanBeShortenedAndLengthenedUntilPurged) {
  v1::Cohort c = Finished(365);
  EXPECT_EQ(errors::Reason(Purge(c).status()), "RETENTION_NOT_ELAPSED");
  auto shorter = SetRetention(c, 30);
  ASSERT_TRUE(shorter.ok()) << shorter.status();
  EXPECT_EQ(shorter->retention_days(), 30);
  auto longer = SetRetention(c, 400);
  ASSERT_TRUE(longer.ok()) << longer.status();
  EXPECT_EQ(longer->retention_days(), 400);
  ASSERT_TRUE(SetRetention(c, 0).ok());
  ASSERT_TRUE(Purge(c).ok());

  absl::Status after = SetRetention(c, 10).status();
  EXPECT_EQ(after.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(after), "COHORT_PURGED");
}

TEST_F(RetentionTest, NothingElseOfAFinishedCohortChanges) {
  v1::Cohort c = Finished(365);
  v1::UpdateCohortRequest u;
  u.mutable_cohort()->set_name(c.name());
  u.mutable_cohort()->set_title("別の名前");
  u.mutable_cohort()->set_retention_days(10);
  u.mutable_update_mask()->add_paths("retention_days");
  u.mutable_update_mask()->add_paths("title");
  EXPECT_EQ(errors::Reason(enrollment_->UpdateCohort(Secretariat(), u).status()),
            "COHORT_FINISHED");
}

}  // namespace
}  // namespace kaizen::enrollment

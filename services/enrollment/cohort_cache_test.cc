// GetCohort's cache (Enrollment::cohort_cache_, common/storage/
// generation_cache.h): answers come from memory while nothing is written;
// every write is seen by the next read, whatever path wrote it; drafts are
// never served from it; concurrent writers read their own writes and no
// reader sees seats go backwards. Real SQLite (a file, so readers have their
// own connections).
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/status/errors.h"
#include "common/testing/child_process.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace cohort_cache_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class CohortCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = testkit::NewTempPath("cohort-cache", "db");
    options.reader_connections = 4;
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    enrollment_ = std::make_unique<Enrollment>(
        store_.get(), &clock_,
        WithoutEmailConfirmation(EnrollmentConfig{
            "page-token-key-0123456789", "access-key-0123456789", "claim-key-0123456789"}));
  }

  std::string CreateCohort(const std::string& id, int capacity = 10) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.mutable_cohort()->set_capacity(capacity);
    create.set_cohort_id(id);
    auto created = enrollment_->CreateCohort(Secretariat(), create);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->name() : "";
  }

  void Open(const std::string& name) {
    v1::TransitionCohortRequest open;
    open.set_name(name);
    open.set_state(v1::Cohort::OPEN);
    ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
  }

  absl::StatusOr<v1::Cohort> Get(const std::string& name, const Principal& who = Secretariat()) {
    v1::GetCohortRequest get;
    get.set_name(name);
    return enrollment_->GetCohort(who, get);
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
};

TEST_F(CohortCacheTest, EveryWriteIsSeenByTheNextRead) {
  const std::string cohort = CreateCohort("fy2022");
  Open(cohort);
  ASSERT_EQ(Get(cohort)->seats_taken(), 0);
  const int64_t hits = enrollment_->cohort_cache_hits();
  ASSERT_EQ(Get(cohort)->seats_taken(), 0);  // nothing written: from memory
  EXPECT_EQ(enrollment_->cohort_cache_hits(), hits + 1);

  ASSERT_TRUE(enrollment_->CreateApplication(Anonymous(), Apply(cohort, 1, kTowns[0], 2)).ok());
  EXPECT_EQ(Get(cohort)->seats_taken(), 2);
  EXPECT_EQ(Get(cohort)->municipalities_taken(), 1);

  v1::UpdateCohortRequest update;
  update.mutable_cohort()->set_name(cohort);
  update.mutable_cohort()->set_title("2022年度 改題");
  update.mutable_update_mask()->add_paths("title");
  const std::string etag_before = Get(cohort)->etag();
  ASSERT_TRUE(enrollment_->UpdateCohort(Secretariat(), update).ok());
  EXPECT_EQ(Get(cohort)->title(), "2022年度 改題");
  EXPECT_NE(Get(cohort)->etag(), etag_before);

  // A write that bypasses Enrollment altogether (as the mail deliverer's
  // own transactions do) is seen too: the generation counts every write.
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
                      auto rec = tx.GetCohort("fy2022");
                      if (!rec.ok()) return rec.status();
                      rec->cohort.set_title("直接");
                      return tx.UpdateCohort(&*rec);
                    }).ok());
  EXPECT_EQ(Get(cohort)->title(), "直接");
}

TEST_F(CohortCacheTest, DraftsAreNeverServedFromTheCache) {
  const std::string draft = CreateCohort("draft-2023");
  // The secretariat may read it; someone else must still get NOT_FOUND
  // right after, with nothing written in between.
  ASSERT_TRUE(Get(draft).ok());
  ASSERT_TRUE(Get(draft).ok());
  const absl::Status stranger = Get(draft, User("someone")).status();
  EXPECT_EQ(stranger.code(), absl::StatusCode::kNotFound) << stranger;
  EXPECT_EQ(enrollment_->cohort_cache_hits(), 0);
  Open(draft);
  EXPECT_TRUE(Get(draft, User("someone")).ok());
  EXPECT_TRUE(Get(draft, User("someone")).ok());
  EXPECT_EQ(enrollment_->cohort_cache_hits(), 1);
}

// Writers apply while readers poll the cohort: a writer always sees its own
// seat, and no reader ever sees seats_taken go down.
TEST_F(CohortCacheTest, ConcurrentWritersReadTheirOwnWrites) {
  const std::string cohort = CreateCohort("race", /*capacity=*/1000);
  Open(cohort);
  constexpr int kWriters = 4, kEach = 12, kReaders = 2;
  std::atomic<int> done{0}, failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        auto app = enrollment_->CreateApplication(
            Anonymous(), Apply(cohort, 1000 + w * kEach + i, kTowns[i % 6]));
        if (!app.ok()) {
          ++failures;
          continue;
        }
        const int known = ++done;
        auto seen = Get(cohort);
        if (!seen.ok() || seen->seats_taken() < known) ++failures;
      }
    });
  }
  std::atomic<bool> stop{false};
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&] {
      int last = 0;
      while (!stop.load()) {
        auto seen = Get(cohort, User("reader"));
        if (!seen.ok() || seen->seats_taken() < last) ++failures;
        if (seen.ok()) last = seen->seats_taken();
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  stop = true;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Get(cohort)->seats_taken(), kWriters * kEach);
  EXPECT_EQ(Get(cohort)->seats_taken(), kWriters * kEach);
  EXPECT_GT(enrollment_->cohort_cache_hits(), 0);
}

}  // namespace
}  // namespace kaizen::enrollment

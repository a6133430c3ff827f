// Database::write_generation() and GenerationCache (generation_cache.h), on
// real SQLite files under TEST_TMPDIR.
#include "common/storage/generation_cache.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/storage/database.h"
#include "common/storage/group_commit_testing.h"
#include "common/storage/statement_cache.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace generation_cache_test {

using group_testing::Fn;
using group_testing::Inserts;
using group_testing::MustOpen;
using group_testing::Outcome;
using group_testing::RunBatch;
using group_testing::TempOptions;

int64_t ReadCounter(Database& db) {
  int64_t n = -1;
  EXPECT_TRUE(db.RunReadOnly([&](SQLite::Database& c) {
                  CachedStatement q(c, "SELECT n FROM counter WHERE id = 1");
                  if (q->executeStep()) n = q->getColumn(0).getInt64();
                  return absl::OkStatus();
                }).ok());
  return n;
}

absl::Status Increment(SQLite::Database& c) {
  CachedStatement q(c, "UPDATE counter SET n = n + 1 WHERE id = 1");
  q->exec();
  return absl::OkStatus();
}

TEST(WriteGenerationTest, OddDuringATurnEvenAfterItReadsLeaveItAlone) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  const uint64_t g0 = db->write_generation();
  EXPECT_EQ(g0 % 2, 0u);
  ReadCounter(*db);
  EXPECT_EQ(db->write_generation(), g0);
  uint64_t during = 0;
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                  during = db->write_generation();
                  return Increment(c);
                }).ok());
  EXPECT_EQ(during, g0 + 1);
  EXPECT_EQ(db->write_generation(), g0 + 2);
  // A failed write moves it too (it may have done anything before failing).
  EXPECT_FALSE(db->RunInTransaction([](SQLite::Database& c) {
                   (void)Increment(c);
                   return absl::InternalError("no");
                 }).ok());
  EXPECT_EQ(db->write_generation(), g0 + 4);
  EXPECT_EQ(ReadCounter(*db), 1);
}

TEST(WriteGenerationTest, ABatchEndsItsTurnBeforeAnyOfItsCallersReturns) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  const uint64_t g0 = db->write_generation();
  std::vector<Fn> followers;
  for (int i = 0; i < 3; ++i) followers.push_back(Inserts(absl::StrCat("f", i)));
  std::vector<Outcome> out = RunBatch(*db, Inserts("leader"), followers);
  // The leader alone, then one batch of three: two turns, each over (even)
  // before its callers saw their result. The leader may look after the
  // followers' turn has begun (g0 + 3) or ended.
  ASSERT_EQ(out.size(), 4u);
  EXPECT_GE(out[0].generation_after, g0 + 2);
  for (size_t i = 1; i < out.size(); ++i) {
    EXPECT_TRUE(out[i].status.ok()) << out[i].status;
    EXPECT_EQ(out[i].generation_after, g0 + 4) << i;
  }
  EXPECT_EQ(db->write_generation(), g0 + 4);
}

TEST(WriteGenerationTest, InMemoryDatabaseCountsToo) {
  auto db = Database::OpenInMemory(group_testing::kSchema);
  ASSERT_TRUE(db.ok()) << db.status();
  const uint64_t g0 = (*db)->write_generation();
  ASSERT_TRUE((*db)->RunInTransaction(Increment).ok());
  EXPECT_EQ((*db)->write_generation(), g0 + 2);
}

TEST(GenerationCacheTest, HitsOnlyAtTheSameEvenGeneration) {
  GenerationCache<std::string> cache(8);
  EXPECT_EQ(cache.Find("a", 0), nullptr);
  cache.Put("a", 6, "six");
  ASSERT_NE(cache.Find("a", 6), nullptr);
  EXPECT_EQ(*cache.Find("a", 6), "six");
  EXPECT_EQ(cache.hits(), 2);
  EXPECT_EQ(cache.Find("a", 7), nullptr);  // a write turn is running
  EXPECT_EQ(cache.Find("a", 8), nullptr);  // written since
  EXPECT_EQ(cache.Find("b", 6), nullptr);
  EXPECT_EQ(cache.hits(), 2);
  // An older read never replaces a newer one.
  cache.Put("a", 4, "four");
  EXPECT_EQ(*cache.Find("a", 6), "six");
  cache.Put("a", 8, "eight");
  EXPECT_EQ(*cache.Find("a", 8), "eight");
  EXPECT_EQ(cache.Find("a", 6), nullptr);
  // Nothing read while a turn ran is kept: it may have missed its commit.
  cache.Put("c", 9, "nine");
  EXPECT_EQ(cache.Find("c", 9), nullptr);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(GenerationCacheTest, StaysWithinItsCapacity) {
  GenerationCache<int> cache(4);
  for (int i = 0; i < 4; ++i) cache.Put(absl::StrCat("k", i), 2, i);
  EXPECT_EQ(cache.size(), 4u);
  // Full: a newer generation drops the stale entries first.
  cache.Put("k9", 4, 9);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(*cache.Find("k9", 4), 9);
  for (int i = 0; i < 3; ++i) cache.Put(absl::StrCat("n", i), 4, i);
  EXPECT_EQ(cache.size(), 4u);
  // A late Put of an older read never evicts current entries.
  cache.Put("old", 2, -1);
  EXPECT_EQ(cache.size(), 4u);
  EXPECT_EQ(*cache.Find("k9", 4), 9);
  // Full of current entries: it starts over rather than grow.
  cache.Put("n9", 4, 99);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(*cache.Find("n9", 4), 99);
}

// The race that matters: writers increment a counter (batched by group
// commit) while readers serve it through the cache. A writer that has seen
// its write succeed must never read an older value afterwards, and no read
// may ever go backwards.
TEST(GenerationCacheTest, ReadThroughNeverServesAValueOlderThanTheCallersOwnWrite) {
  auto options = TempOptions();
  options.reader_connections = 4;
  auto db = MustOpen(options);
  ASSERT_NE(db, nullptr);
  GenerationCache<int64_t> cache(4);
  std::atomic<int64_t> hits{0};
  auto read_through = [&]() -> int64_t {
    const uint64_t generation = db->write_generation();
    if (auto hit = cache.Find("counter", generation)) {
      ++hits;
      return *hit;
    }
    const int64_t n = ReadCounter(*db);
    cache.Put("counter", generation, n);
    return n;
  };
  constexpr int kWriters = 4, kReaders = 3, kWrites = 150;
  std::atomic<bool> writers_done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&] {
      for (int i = 0; i < kWrites; ++i) {
        int64_t after = -1;
        absl::Status s = db->RunInTransaction([&](SQLite::Database& c) {
          (void)Increment(c);
          CachedStatement q(c, "SELECT n FROM counter WHERE id = 1");
          q->executeStep();
          after = q->getColumn(0).getInt64();
          return absl::OkStatus();
        });
        if (!s.ok() || read_through() < after) ++failures;
      }
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&] {
      int64_t last = 0;
      while (!writers_done.load()) {
        const int64_t n = read_through();
        if (n < last) ++failures;
        last = n;
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  writers_done = true;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(read_through(), kWriters * kWrites);
  EXPECT_EQ(read_through(), kWriters * kWrites);  // now a hit
  EXPECT_GT(hits.load(), 0);
}

}  // namespace
}  // namespace kaizen::storage

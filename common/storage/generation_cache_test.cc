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
namespace {

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

TEST(WriteGenerationTest, EveryWriteTurnBumpsItAndReadsDoNot) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  const uint64_t g0 = db->write_generation();
  ReadCounter(*db);
  EXPECT_EQ(db->write_generation(), g0);
  ASSERT_TRUE(db->RunInTransaction(Increment).ok());
  EXPECT_EQ(db->write_generation(), g0 + 1);
  // A failed write bumps it too (it may have done anything before failing).
  EXPECT_FALSE(db->RunInTransaction([](SQLite::Database& c) {
                   (void)Increment(c);
                   return absl::InternalError("no");
                 }).ok());
  EXPECT_EQ(db->write_generation(), g0 + 2);
  EXPECT_EQ(ReadCounter(*db), 1);
}

TEST(WriteGenerationTest, ABatchBumpsItBeforeAnyOfItsCallersReturns) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  const uint64_t g0 = db->write_generation();
  std::vector<Fn> followers;
  for (int i = 0; i < 3; ++i) followers.push_back(Inserts(absl::StrCat("f", i)));
  std::vector<Outcome> out = RunBatch(*db, Inserts("leader"), followers);
  for (const Outcome& o : out) EXPECT_TRUE(o.status.ok()) << o.status;
  // The leader alone, then one batch of three: two turns.
  EXPECT_EQ(db->write_generation(), g0 + 2);
}

TEST(WriteGenerationTest, InMemoryDatabaseCountsToo) {
  auto db = Database::OpenInMemory(group_testing::kSchema);
  ASSERT_TRUE(db.ok()) << db.status();
  const uint64_t g0 = (*db)->write_generation();
  ASSERT_TRUE((*db)->RunInTransaction(Increment).ok());
  EXPECT_EQ((*db)->write_generation(), g0 + 1);
}

TEST(GenerationCacheTest, HitsOnlyAtTheSameGeneration) {
  GenerationCache<std::string> cache(8);
  EXPECT_EQ(cache.Find("a", 0), nullptr);
  cache.Put("a", 5, "five");
  ASSERT_NE(cache.Find("a", 5), nullptr);
  EXPECT_EQ(*cache.Find("a", 5), "five");
  EXPECT_EQ(cache.Find("a", 6), nullptr);  // written since
  EXPECT_EQ(cache.Find("b", 5), nullptr);
  // An older read never replaces a newer one.
  cache.Put("a", 4, "four");
  EXPECT_EQ(*cache.Find("a", 5), "five");
  cache.Put("a", 6, "six");
  EXPECT_EQ(*cache.Find("a", 6), "six");
  EXPECT_EQ(cache.Find("a", 5), nullptr);
}

TEST(GenerationCacheTest, StaysWithinItsCapacity) {
  GenerationCache<int> cache(4);
  for (int i = 0; i < 4; ++i) cache.Put(absl::StrCat("k", i), 1, i);
  EXPECT_EQ(cache.size(), 4u);
  // Full: a newer generation drops the stale entries first.
  cache.Put("k9", 2, 9);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(*cache.Find("k9", 2), 9);
  for (int i = 0; i < 3; ++i) cache.Put(absl::StrCat("n", i), 2, i);
  EXPECT_EQ(cache.size(), 4u);
  // Full of current entries: it starts over rather than grow.
  cache.Put("n9", 2, 99);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(*cache.Find("n9", 2), 99);
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

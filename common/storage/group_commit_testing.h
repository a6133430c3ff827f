// Test-only helpers for the group commit tests (group_commit_test.cc,
// transaction_guard_test.cc): a schema, temporary file databases, and
// RunBatch, which builds a batch deterministically: the leader's fn waits on
// a notification until the followers are queued
// (WaitForPendingWritersForTest), never on a sleep.
#ifndef KAIZEN_COMMON_STORAGE_GROUP_COMMIT_TESTING_H_
#define KAIZEN_COMMON_STORAGE_GROUP_COMMIT_TESTING_H_

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "common/storage/database.h"
#include "common/storage/statement_cache.h"
#include "gtest/gtest.h"

namespace kaizen::storage::group_testing {

namespace fs = std::filesystem;
using Fn = std::function<absl::Status(SQLite::Database&)>;

inline const Migrations kSchema = {
    "CREATE TABLE people (name TEXT PRIMARY KEY);"
    "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);"
    "INSERT INTO counter VALUES (1, 0)",
};

struct Boom {};  // not a std::exception

inline DatabaseOptions TempOptions() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/group-" +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  DatabaseOptions options;
  options.path = dir + "/a.db";
  options.reader_connections = 2;
  return options;
}

inline std::unique_ptr<Database> MustOpen(const DatabaseOptions& options) {
  auto db = Database::Open(options, kSchema);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *std::move(db) : nullptr;
}

inline absl::Status Insert(SQLite::Database& c, const std::string& name) {
  CachedStatement q(c, "INSERT INTO people (name) VALUES (?)");
  q->bind(1, name);
  q->exec();
  return absl::OkStatus();
}

inline Fn Inserts(const std::string& name) {
  return [name](SQLite::Database& c) { return Insert(c, name); };
}

inline bool Has(Database& db, const std::string& name) {
  bool found = false;
  EXPECT_TRUE(db.RunReadOnly([&](SQLite::Database& c) {
                  CachedStatement q(c, "SELECT 1 FROM people WHERE name = ?");
                  q->bind(1, name);
                  found = q->executeStep();
                  return absl::OkStatus();
                }).ok());
  return found;
}

// How many statements prepared on `c` have exactly the text `sql`.
inline int StatementsWithSql(SQLite::Database& c, const std::string& sql) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(c.getHandle(), nullptr); s != nullptr;
       s = sqlite3_next_stmt(c.getHandle(), s)) {
    n += sql == sqlite3_sql(s) ? 1 : 0;
  }
  return n;
}

// Runs `leader` alone (its fn blocks), queues `followers` in this order
// behind it, then lets the leader finish: the followers form one batch.
struct Outcome {
  absl::Status status;
  bool threw_boom = false;
  std::thread::id ran_on;
  uint64_t generation_after = 0;  // write_generation() as RunInTransaction returned
};
inline std::vector<Outcome> RunBatch(Database& db, const Fn& leader,
                                     const std::vector<Fn>& followers) {
  std::vector<Outcome> out(followers.size() + 1);
  absl::Notification leading;
  absl::Notification release;
  std::thread lead([&] {
    try {
      out[0].status = db.RunInTransaction([&](SQLite::Database& c) {
        leading.Notify();
        release.WaitForNotification();
        return leader(c);
      });
    } catch (const Boom&) {
      out[0].threw_boom = true;
    }
    out[0].generation_after = db.write_generation();
  });
  leading.WaitForNotification();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < followers.size(); ++i) {
    threads.emplace_back([&, i] {
      Outcome& o = out[i + 1];
      try {
        o.status = db.RunInTransaction([&](SQLite::Database& c) {
          o.ran_on = std::this_thread::get_id();
          return followers[i](c);
        });
      } catch (const Boom&) {
        o.threw_boom = true;
      }
      o.generation_after = db.write_generation();
    });
    db.WaitForPendingWritersForTest(static_cast<int>(i) + 2);  // keeps the order
  }
  release.Notify();
  lead.join();
  for (auto& t : threads) t.join();
  return out;
}

}  // namespace kaizen::storage::group_testing

#endif  // KAIZEN_COMMON_STORAGE_GROUP_COMMIT_TESTING_H_

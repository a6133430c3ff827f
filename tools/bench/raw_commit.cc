#include "tools/bench/raw_commit.h"

#include <sqlite3.h>

#include <chrono>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace kaizen::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

absl::Status Fail(sqlite3* db, const std::string& what) {
  return absl::InternalError(absl::StrCat("raw commit benchmark: ", what, ": ",
                                          db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

absl::StatusOr<RawCommitResult> MeasureRawCommits(const std::string& path, double warmup_seconds,
                                                  double seconds) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                 nullptr);
  std::unique_ptr<sqlite3, DbCloser> db(raw);
  if (rc != SQLITE_OK) return Fail(raw, "open " + path);
  // The discipline of common/storage/database.h for a durable commit.
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000",
        "CREATE TABLE IF NOT EXISTS raw_commit (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"}) {
    if (sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Fail(db.get(), sql);
    }
  }
  sqlite3_stmt* stmt_raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), "INSERT INTO raw_commit (body) VALUES (?1)", -1, &stmt_raw,
                         nullptr) != SQLITE_OK) {
    return Fail(db.get(), "prepare");
  }
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt(stmt_raw);
  // About the size of a small application row.
  const std::string body(200, 'x');
  auto commit_one = [&]() -> absl::Status {
    sqlite3_bind_text(stmt.get(), 1, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
    if (sqlite3_step(stmt.get()) != SQLITE_DONE) return Fail(db.get(), "insert");
    sqlite3_reset(stmt.get());
    return absl::OkStatus();
  };
  const auto warm_end = Clock::now() + std::chrono::duration<double>(warmup_seconds);
  while (Clock::now() < warm_end) {
    if (absl::Status s = commit_one(); !s.ok()) return s;
  }
  RawCommitResult r;
  const auto begin = Clock::now();
  const auto end = begin + std::chrono::duration<double>(seconds);
  auto now = begin;
  while (now < end) {
    if (absl::Status s = commit_one(); !s.ok()) return s;
    ++r.commits;
    now = Clock::now();
  }
  r.seconds = std::chrono::duration<double>(now - begin).count();
  return r;
}

}  // namespace kaizen::bench

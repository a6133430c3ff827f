// Manual benchmark: durable single-row commits of SQLite itself against
// Database::RunInTransaction (group commit) on the same disk.
//
//   bazel run -c opt //common/storage:commit_bench -- --dir=/var/tmp --seconds=3
//
// Flags: --dir (default: a fresh directory under $TMPDIR or /tmp, removed at
// the end), --seconds per measurement (default 3), --threads (default
// 1,16,64). Prints one line per measurement, `key value` pairs, for
// tools/bench to parse:
//   raw_commit_per_s 4012
//   group_commit_per_s threads=64 9000 ratio=2.24 mean_batch=12.1
// raw: the sqlite3 C API, WAL, synchronous=FULL, one INSERT per commit, one
// thread. group: `threads` callers, each inserting one row per
// RunInTransaction call; ratio is to raw; mean_batch is callers per durable
// commit (write_requests / write_batches, storage_stats.h).
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/storage/database.h"
#include "common/storage/statement_cache.h"
#include "common/storage/storage_stats.h"

namespace kaizen::storage {
namespace {

using Clock = std::chrono::steady_clock;

struct Flags {
  std::string dir;
  double seconds = 3;
  std::vector<int> threads = {1, 16, 64};
};

bool Parse(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      const size_t n = std::strlen(name);
      return arg.compare(0, n, name) == 0 ? arg.c_str() + n : nullptr;
    };
    if (const char* v = value("--dir=")) {
      flags.dir = v;
    } else if (const char* v = value("--seconds=")) {
      if (!absl::SimpleAtod(v, &flags.seconds) || flags.seconds <= 0) return false;
    } else if (const char* v = value("--threads=")) {
      flags.threads.clear();
      for (absl::string_view t : absl::StrSplit(v, ',')) {
        int n = 0;
        if (!absl::SimpleAtoi(t, &n) || n < 1) return false;
        flags.threads.push_back(n);
      }
    } else {
      return false;
    }
  }
  return true;
}

void Check(int rc, sqlite3* db, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  std::fprintf(stderr, "%s: %s\n", what, db != nullptr ? sqlite3_errmsg(db) : "error");
  std::exit(1);
}

double RawCommitsPerSecond(const std::string& path, double seconds) {
  sqlite3* db = nullptr;
  Check(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
        db, "open");
  Check(sqlite3_exec(db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)",
                     nullptr, nullptr, nullptr),
        db, "setup");
  sqlite3_stmt* insert = nullptr;
  Check(sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES ('row')", -1, &insert, nullptr), db,
        "prepare");
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  long commits = 0;
  while (Clock::now() < end) {
    Check(sqlite3_step(insert), db, "insert");  // autocommit: one durable commit
    sqlite3_reset(insert);
    ++commits;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return commits / elapsed;
}

struct GroupResult {
  double per_second = 0;
  double mean_batch = 0;
  long failures = 0;
};

GroupResult GroupCommits(Database& db, int threads, double seconds) {
  const StorageStatsSnapshot before = GlobalStorageStats();
  std::atomic<long> done{0};
  std::atomic<long> failures{0};
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (Clock::now() < end) {
        absl::Status s = db.RunInTransaction([](SQLite::Database& c) {
          CachedStatement insert(c, "INSERT INTO t (v) VALUES ('row')");
          insert->exec();
          return absl::OkStatus();
        });
        (s.ok() ? done : failures).fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const StorageStatsSnapshot after = GlobalStorageStats();
  GroupResult r;
  r.per_second = done.load() / elapsed;
  const long batches = after.write_batches - before.write_batches;
  r.mean_batch =
      batches > 0 ? double(after.write_requests - before.write_requests) / batches : 0;
  r.failures = failures.load();
  return r;
}

int Main(int argc, char** argv) {
  Flags flags;
  if (!Parse(argc, argv, flags)) {
    std::fprintf(stderr, "usage: commit_bench [--dir=DIR] [--seconds=S] [--threads=1,16,64]\n");
    return 2;
  }
  bool temporary = false;
  if (flags.dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/commit_bench.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    flags.dir = pattern;
    temporary = true;
  }
  const std::string raw_path = flags.dir + "/raw.db";
  const std::string group_path = flags.dir + "/group.db";
  for (const std::string& p : {raw_path, group_path}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p + suffix);
  }
  std::printf("dir %s\n", flags.dir.c_str());
  const double raw = RawCommitsPerSecond(raw_path, flags.seconds);
  std::printf("raw_commit_per_s %.0f\n", raw);
  std::fflush(stdout);
  {
    DatabaseOptions options;
    options.path = group_path;
    options.init = true;
    auto db = Database::Open(options, {"CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"});
    if (!db.ok()) {
      std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
      return 1;
    }
    for (int threads : flags.threads) {
      const GroupResult r = GroupCommits(**db, threads, flags.seconds);
      std::printf("group_commit_per_s threads=%d %.0f ratio=%.2f mean_batch=%.1f failures=%ld\n",
                  threads, r.per_second, raw > 0 ? r.per_second / raw : 0, r.mean_batch,
                  r.failures);
      std::fflush(stdout);
    }
  }
  if (temporary) std::filesystem::remove_all(flags.dir);
  return 0;
}

}  // namespace
}  // namespace kaizen::storage

int main(int argc, char** argv) { return kaizen::storage::Main(argc, argv); }

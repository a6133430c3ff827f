// Test helper for kaizen_backup_test.sh: a service-like writer on a real
// database (common/storage/database.h: WAL, one writer). It fills --rows rows,
// writes the --ready file, then commits one row to table a and one to table
// b per transaction (so a copy is consistent exactly when both counts are
// equal) until the --stop file appears; after 120 s it gives up (exit 3).
#include <unistd.h>

#include <cstdio>
#include <string>

#include "SQLiteCpp/SQLiteCpp.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/storage/database.h"

ABSL_FLAG(std::string, db, "", "database file");
ABSL_FLAG(int, rows, 1000, "rows to fill first");
ABSL_FLAG(std::string, ready, "", "written once filled");
ABSL_FLAG(std::string, stop, "", "stop when this file exists");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  kaizen::storage::DatabaseOptions options;
  options.path = absl::GetFlag(FLAGS_db);
  auto db = kaizen::storage::Database::Open(
      options, {"CREATE TABLE a (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);"
                "CREATE TABLE b (id INTEGER PRIMARY KEY);"});
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 1;
  }
  const int rows = absl::GetFlag(FLAGS_rows);
  auto add = [&](int n) {
    return (*db)->RunInTransaction([n](SQLite::Database& c) -> absl::Status {
      for (int i = 0; i < n; ++i) {
        c.exec("INSERT INTO a (payload) VALUES (zeroblob(200))");
        c.exec("INSERT INTO b DEFAULT VALUES");
      }
      return absl::OkStatus();
    });
  };
  if (!add(rows).ok()) return 1;
  if (std::FILE* f = std::fopen(absl::GetFlag(FLAGS_ready).c_str(), "w")) std::fclose(f);
  const absl::Time give_up = absl::Now() + absl::Seconds(120);
  int commits = 0;
  while (access(absl::GetFlag(FLAGS_stop).c_str(), F_OK) != 0) {
    if (absl::Now() > give_up) return 3;
    absl::Status s = add(1);
    if (!s.ok()) {
      std::fprintf(stderr, "write: %s\n", s.ToString().c_str());
      return 1;
    }
    ++commits;
  }
  std::printf("%d\n", commits);
  return 0;
}

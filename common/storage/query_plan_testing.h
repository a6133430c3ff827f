// Test-only: EXPLAIN QUERY PLAN on a connection set up as the services'
// are. A plain SQLite::Database plans differently (connection.cc sets the
// planner's stability guarantee), so plan tests go through Database.
#ifndef KAIZEN_COMMON_STORAGE_QUERY_PLAN_TESTING_H_
#define KAIZEN_COMMON_STORAGE_QUERY_PLAN_TESTING_H_

#include <string>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/status/status.h"
#include "common/storage/database.h"
#include "gtest/gtest.h"

namespace kaizen::storage::testing {

// The detail lines of EXPLAIN QUERY PLAN of `sql`, joined by newlines, on a
// new in-memory database with `migrations` applied. Planned on the writer's
// connection, where EXPLAIN of a write is allowed too. "" (and a test
// failure) if the database cannot be opened.
inline std::string QueryPlan(const Migrations& migrations, const std::string& sql) {
  DatabaseOptions options;
  options.path = ":memory:";
  auto db = Database::Open(options, migrations);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return "";
  std::string plan;
  const absl::Status status = (*db)->RunInTransaction([&](SQLite::Database& c) {
    SQLite::Statement explain(c, "EXPLAIN QUERY PLAN " + sql);
    while (explain.executeStep()) plan += explain.getColumn(3).getString() + "\n";
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  return plan;
}

}  // namespace kaizen::storage::testing

#endif  // KAIZEN_COMMON_STORAGE_QUERY_PLAN_TESTING_H_

// The seat counters' triggers (usage_sql.h, migration 11) driven with raw
// SQL on a file database that EnrollmentStore::Open migrated: every way a
// row can start, stop or change holding seats (state into and out of
// OFFERED / ACTIVE, cohort, municipality, role and count changes, NULL
// counts, same-value rewrites, columns the triggers ignore, multi-row
// statements, inserts, deletes, a rolled back savepoint and transaction),
// and after each statement `cohort_usage` compared with a recount of the
// rows in SQL. usage_counters_test covers the paths the domain takes; this
// covers the ones it does not take today (a holder's cohort or municipality
// changing, an OFFERED row's count changing) so a later write path cannot
// find a trigger gap first.
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "services/enrollment/application_sql.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {
namespace usage_triggers_test {

// What the counters must equal: every ACTIVE (1) PARTICIPANT (1) holds one
// seat, every OFFERED (4) application its count (NULL counts as 0).
constexpr char kRecount[] =
    "SELECT cohort_id, municipality_code, SUM(h), SUM(s) FROM ("
    " SELECT cohort_id, municipality_code, 1 h, 1 s FROM participants"
    " WHERE role = 1 AND state = 1 UNION ALL"
    " SELECT cohort_id, municipality_code, 1, COALESCE(admitted_member_count, 0)"
    " FROM applications WHERE state = 4) GROUP BY 1, 2 ORDER BY 1, 2";
constexpr char kCounters[] =
    "SELECT cohort_id, municipality_code, holders, seats FROM cohort_usage ORDER BY 1, 2";
// The waiting-list counters (migration 14): every WAITLISTED (3) application,
// per cohort, and no counter at 0.
constexpr char kWaitingRecount[] =
    "SELECT cohort_id, '', COUNT(*), 0 FROM applications WHERE state = 3 GROUP BY 1 ORDER BY 1";
constexpr char kWaiting[] = "SELECT cohort_id, '', waiting, 0 FROM cohort_waiting ORDER BY 1";

std::string Rows(SQLite::Database& db, const char* sql) {
  SQLite::Statement q(db, sql);
  std::vector<std::string> rows;
  while (q.executeStep()) {
    rows.push_back(absl::StrCat(q.getColumn(0).getString(), "/", q.getColumn(1).getString(), ":",
                                q.getColumn(2).getInt64(), ",", q.getColumn(3).getInt64()));
  }
  return absl::StrJoin(rows, " ");
}

// An application's columns that decide what it holds.
struct App {
  int state;
  std::string cohort;
  std::string town;
  std::optional<int> count;  // nullopt: NULL
};
// A participation's.
struct Part {
  int role;
  int state;
  std::string cohort;
  std::string town;
};

std::string Show(const App& a) {
  return absl::StrCat("app{state ", a.state, ", ", a.cohort, ", ", a.town, ", count ",
                      a.count ? std::to_string(*a.count) : "NULL", "}");
}
std::string Show(const Part& p) {
  return absl::StrCat("part{role ", p.role, ", state ", p.state, ", ", p.cohort, ", ", p.town, "}");
}

// Every combination: OFFERED or not (WAITLISTED 3, ACCEPTED 5), two cohorts,
// two towns, counts NULL, 0 and 2.
std::vector<App> AllApps() {
  std::vector<App> out;
  for (int state : {4, 3, 5}) {
    for (const char* cohort : {"a", "b"}) {
      for (const char* town : {"m1", "m2"}) {
        for (std::optional<int> count :
             {std::optional<int>(), std::optional<int>(0), std::optional<int>(2)}) {
          out.push_back({state, cohort, town, count});
        }
      }
    }
  }
  return out;
}
std::vector<Part> AllParts() {
  std::vector<Part> out;
  for (int role : {1, 2}) {
    for (int state : {1, 2}) {
      for (const char* cohort : {"a", "b"}) {
        for (const char* town : {"m1", "m2"}) out.push_back({role, state, cohort, town});
      }
    }
  }
  return out;
}

class UsageTriggersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/usage_triggers.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
    storage::DatabaseOptions options;
    options.path = path_;
    options.init = true;
    {
      // The store creates and migrates the file, then lets go of it.
      auto store = EnrollmentStore::Open(options);
      ASSERT_TRUE(store.ok()) << store.status();
    }
    db_.emplace(path_, SQLite::OPEN_READWRITE);
    // A test file: no fsync per statement (the triggers do not care).
    db_->exec("PRAGMA synchronous = OFF");
    ASSERT_EQ(db_->execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
                              "AND name LIKE '%usage%'")
                  .getInt(),
              8);
    ASSERT_EQ(db_->execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
                              "AND name LIKE 'applications_waiting_%'")
                  .getInt(),
              4);
    db_->exec(
        "INSERT INTO cohorts (id, state, revision, data) VALUES "
        "('a', 2, 1, x''), ('b', 2, 1, x''), ('c', 2, 1, x'')");
    // Neighbours, so a moving holder meets counters shared with others
    // (decremented) as well as counters it holds alone (deleted).
    Insert("bg-app", {4, "a", "m1", 1});
    Insert("bg-app-null", {4, "b", "m2", std::nullopt});
    Insert("bg-waiting", {3, "a", "m2", 3});
    Insert("bg-part", {1, 1, "b", "m1"});
    Insert("bg-staff", {2, 1, "a", "m2"});
    Check("neighbours");
  }

  // Asserts counters == recount, and no counter without a holder.
  void Check(const std::string& step) {
    ++checks_;
    EXPECT_EQ(Rows(*db_, kCounters), Rows(*db_, kRecount)) << "after " << step;
    EXPECT_EQ(Rows(*db_, kWaiting), Rows(*db_, kWaitingRecount)) << "after " << step;
    EXPECT_EQ(db_->execAndGet("SELECT COUNT(*) FROM cohort_usage WHERE holders <= 0 OR seats < 0")
                  .getInt(),
              0)
        << "after " << step;
  }

  void BindApp(SQLite::Statement& q, const std::string& id, const App& a) {
    q.bind(1, id);
    q.bind(2, a.state);
    q.bind(3, a.cohort);
    q.bind(4, a.town);
    if (a.count) {
      q.bind(5, *a.count);
    } else {
      q.bind(5);
    }
  }

  void Insert(const std::string& id, const App& a) {
    SQLite::Statement q(*db_,
                        "INSERT INTO applications (id, state, cohort_id, municipality_code, "
                        "admitted_member_count, priority, revision, data, submitter) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, 0, 1, x'', '')");
    BindApp(q, id, a);
    q.exec();
  }
  void Insert(const std::string& id, const Part& p) {
    SQLite::Statement q(*db_,
                        "INSERT INTO participants (id, role, state, cohort_id, municipality_code, "
                        "subject, revision, data) VALUES (?1, ?2, ?3, ?4, ?5, '', 1, x'')");
    q.bind(1, id);
    q.bind(2, p.role);
    q.bind(3, p.state);
    q.bind(4, p.cohort);
    q.bind(5, p.town);
    q.exec();
  }
  // Every column that matters in one UPDATE (ids are unique across cohorts).
  void Update(const std::string& id, const App& a) {
    SQLite::Statement q(*db_,
                        "UPDATE applications SET state = ?2, cohort_id = ?3, "
                        "municipality_code = ?4, admitted_member_count = ?5 WHERE id = ?1");
    BindApp(q, id, a);
    ASSERT_EQ(q.exec(), 1);
  }
  void Update(const std::string& id, const Part& p) {
    SQLite::Statement q(*db_,
                        "UPDATE participants SET role = ?2, state = ?3, cohort_id = ?4, "
                        "municipality_code = ?5 WHERE id = ?1");
    q.bind(1, id);
    q.bind(2, p.role);
    q.bind(3, p.state);
    q.bind(4, p.cohort);
    q.bind(5, p.town);
    ASSERT_EQ(q.exec(), 1);
  }
  // One column alone (`value` is SQL).
  void Set(const char* table, const std::string& id, const std::string& column,
           const std::string& value) {
    ASSERT_EQ(db_->exec(absl::StrCat("UPDATE ", table, " SET ", column, " = ", value,
                                     " WHERE id = '", id, "'")),
              1);
  }

  std::string path_;
  std::optional<SQLite::Database> db_;
  int checks_ = 0;
};

// An application moved from every combination to every combination with one
// UPDATE (from == to: a same-value rewrite), then each column alone.
TEST_F(UsageTriggersTest, ApplicationsEveryChangeOfWhatTheyHold) {
  const std::vector<App> all = AllApps();
  Insert("x", all[0]);
  Check("insert x");
  for (const App& from : all) {
    for (const App& to : all) {
      Update("x", from);
      Check(absl::StrCat("x set to ", Show(from)));
      Update("x", to);
      Check(absl::StrCat("x from ", Show(from), " to ", Show(to)));
      if (HasFailure()) return;
    }
    for (const char* state : {"4", "3", "5"}) {
      Update("x", from);
      Set("applications", "x", "state", state);
      Check(absl::StrCat("x from ", Show(from), ", state alone to ", state));
    }
    for (const char* cohort : {"'a'", "'b'", "'c'"}) {
      Update("x", from);
      Set("applications", "x", "cohort_id", cohort);
      Check(absl::StrCat("x from ", Show(from), ", cohort alone to ", cohort));
    }
    for (const char* town : {"'m1'", "'m2'", "''"}) {
      Update("x", from);
      Set("applications", "x", "municipality_code", town);
      Check(absl::StrCat("x from ", Show(from), ", town alone to ", town));
    }
    for (const char* count : {"NULL", "0", "1", "2", "admitted_member_count"}) {
      Update("x", from);
      Set("applications", "x", "admitted_member_count", count);
      Check(absl::StrCat("x from ", Show(from), ", count alone to ", count));
    }
    // Columns no trigger watches, and a rewrite of every watched one.
    Update("x", from);
    Set("applications", "x", "priority", "priority + 1");
    Set("applications", "x", "data", "x'00'");
    db_->exec(
        "UPDATE applications SET state = state, cohort_id = cohort_id, "
        "municipality_code = municipality_code, admitted_member_count = admitted_member_count");
    Check(absl::StrCat("x at ", Show(from), ", unwatched columns and same-value rewrites"));
    if (HasFailure()) return;
  }
  EXPECT_GT(checks_, 2 * 24 * 24);
}

TEST_F(UsageTriggersTest, ParticipantsEveryChangeOfWhatTheyHold) {
  const std::vector<Part> all = AllParts();
  Insert("p", all[0]);
  Check("insert p");
  for (const Part& from : all) {
    for (const Part& to : all) {
      Update("p", from);
      Check(absl::StrCat("p set to ", Show(from)));
      Update("p", to);
      Check(absl::StrCat("p from ", Show(from), " to ", Show(to)));
      if (HasFailure()) return;
    }
    const std::pair<const char*, std::vector<const char*>> columns[] = {
        {"role", {"1", "2", "3"}},
        {"state", {"1", "2"}},
        {"cohort_id", {"'a'", "'b'", "'c'"}},
        {"municipality_code", {"'m1'", "'m2'", "''"}}};
    for (const auto& [column, values] : columns) {
      for (const char* value : values) {
        Update("p", from);
        Set("participants", "p", column, value);
        Check(absl::StrCat("p from ", Show(from), ", ", column, " alone to ", value));
      }
    }
    Update("p", from);
    Set("participants", "p", "subject", "'someone'");
    db_->exec(
        "UPDATE participants SET role = role, state = state, cohort_id = cohort_id, "
        "municipality_code = municipality_code");
    Check(absl::StrCat("p at ", Show(from), ", unwatched columns and same-value rewrites"));
    if (HasFailure()) return;
  }
}

TEST_F(UsageTriggersTest, InsertsAndDeletesOfEveryCombination) {
  int n = 0;
  for (const App& a : AllApps()) {
    const std::string id = absl::StrCat("new-", ++n);
    Insert(id, a);
    Check(absl::StrCat("insert ", Show(a)));
    // A second holder in the same place, deleted before the first: the
    // counter is decremented, then deleted.
    Insert(id + "-twin", a);
    Check(absl::StrCat("insert twin of ", Show(a)));
    db_->exec(absl::StrCat("DELETE FROM applications WHERE id = '", id, "-twin'"));
    Check(absl::StrCat("delete twin of ", Show(a)));
    db_->exec(absl::StrCat("DELETE FROM applications WHERE id = '", id, "'"));
    Check(absl::StrCat("delete ", Show(a)));
  }
  for (const Part& p : AllParts()) {
    const std::string id = absl::StrCat("new-", ++n);
    Insert(id, p);
    Check(absl::StrCat("insert ", Show(p)));
    Insert(id + "-twin", p);
    db_->exec(absl::StrCat("DELETE FROM participants WHERE id = '", id, "'"));
    Check(absl::StrCat("delete one of two ", Show(p)));
    db_->exec(absl::StrCat("DELETE FROM participants WHERE id = '", id, "-twin'"));
    Check(absl::StrCat("delete ", Show(p)));
  }
}

// Statements that move many holders at once, as a purge or a fix-up would.
TEST_F(UsageTriggersTest, MultiRowStatements) {
  int n = 0;
  for (const App& a : AllApps()) Insert(absl::StrCat("many-", ++n), a);
  for (const Part& p : AllParts()) Insert(absl::StrCat("many-", ++n), p);
  Check("many rows");
  const char* statements[] = {
      "UPDATE applications SET admitted_member_count = 1 WHERE state = 4",
      "UPDATE applications SET municipality_code = 'm3' WHERE cohort_id = 'a'",
      "UPDATE applications SET state = 4",
      "UPDATE applications SET cohort_id = 'c' WHERE municipality_code = 'm2'",
      "UPDATE applications SET admitted_member_count = NULL WHERE seq % 2 = 0",
      "UPDATE participants SET state = 1",
      "UPDATE participants SET role = 1 WHERE cohort_id = 'b'",
      "UPDATE participants SET municipality_code = 'm1', cohort_id = 'c'",
      "DELETE FROM applications WHERE seq % 3 = 0",
      "UPDATE applications SET state = 5 WHERE cohort_id = 'c'",
      "DELETE FROM participants WHERE role = 1",
      "DELETE FROM applications",
      "DELETE FROM participants",
  };
  for (const char* sql : statements) {
    db_->exec(sql);
    Check(sql);
  }
  EXPECT_EQ(Rows(*db_, kCounters), "");
}

// A savepoint rolled back inside a committed transaction, and a whole
// transaction rolled back: the counters follow the rows back.
TEST_F(UsageTriggersTest, RolledBackSavepointAndTransaction) {
  int n = 0;
  for (const App& a : AllApps()) Insert(absl::StrCat("r-", ++n), a);
  for (const Part& p : AllParts()) Insert(absl::StrCat("r-", ++n), p);
  Check("rows");
  const std::string before = Rows(*db_, kCounters);

  db_->exec("BEGIN IMMEDIATE");
  db_->exec("UPDATE applications SET admitted_member_count = 3 WHERE cohort_id = 'a'");
  Check("in transaction, before the savepoint");
  const std::string kept = Rows(*db_, kCounters);
  db_->exec("SAVEPOINT s");
  db_->exec("UPDATE applications SET state = 4, municipality_code = 'm9'");
  db_->exec("UPDATE participants SET role = 1, state = 1, cohort_id = 'c'");
  db_->exec("DELETE FROM applications WHERE cohort_id = 'b'");
  Check("in the savepoint");
  db_->exec("ROLLBACK TO s");
  Check("rolled back to the savepoint");
  EXPECT_EQ(Rows(*db_, kCounters), kept);
  db_->exec("RELEASE s");
  db_->exec("COMMIT");
  Check("committed");
  EXPECT_EQ(Rows(*db_, kCounters), kept);
  EXPECT_NE(kept, before);  // the change outside the savepoint moved seats

  db_->exec("BEGIN IMMEDIATE");
  db_->exec("UPDATE applications SET state = 3");
  db_->exec(
      "INSERT INTO participants (id, role, state, cohort_id, municipality_code, subject, "
      "revision, data) VALUES ('late', 1, 1, 'a', 'm1', '', 1, x'')");
  Check("in a transaction");
  db_->exec("ROLLBACK");
  Check("transaction rolled back");
  EXPECT_EQ(Rows(*db_, kCounters), kept);
}

// Random statements of every kind above, in any order (seeded: the same
// sequence every run).
TEST_F(UsageTriggersTest, RandomStatementSequences) {
  std::mt19937 rng(18);
  const std::vector<App> apps = AllApps();
  const std::vector<Part> parts = AllParts();
  std::vector<std::string> app_ids, part_ids;
  for (int i = 0; i < 12; ++i) {
    app_ids.push_back(absl::StrCat("ra-", i));
    Insert(app_ids.back(), apps[rng() % apps.size()]);
    part_ids.push_back(absl::StrCat("rp-", i));
    Insert(part_ids.back(), parts[rng() % parts.size()]);
  }
  for (int step = 0; step < 1500; ++step) {
    const std::string& a = app_ids[rng() % app_ids.size()];
    const std::string& p = part_ids[rng() % part_ids.size()];
    std::string what;
    switch (rng() % 8) {
      case 0:
        what = absl::StrCat("update ", a);
        Update(a, apps[rng() % apps.size()]);
        break;
      case 1:
        what = absl::StrCat("update ", p);
        Update(p, parts[rng() % parts.size()]);
        break;
      case 2:
        what = absl::StrCat("replace ", a, " by delete and insert");
        db_->exec(absl::StrCat("DELETE FROM applications WHERE id = '", a, "'"));
        Insert(a, apps[rng() % apps.size()]);
        break;
      case 3:
        what = absl::StrCat("replace ", p, " by delete and insert");
        db_->exec(absl::StrCat("DELETE FROM participants WHERE id = '", p, "'"));
        Insert(p, parts[rng() % parts.size()]);
        break;
      case 4:
        what = absl::StrCat("count of ", a);
        Set("applications", a, "admitted_member_count",
            rng() % 4 == 0 ? "NULL" : std::to_string(rng() % 4));
        break;
      case 5:
        what = absl::StrCat("one column of ", a);
        Set("applications", a, rng() % 2 ? "cohort_id" : "municipality_code",
            rng() % 2 ? "'b'" : "'m1'");
        break;
      case 6:
        what = absl::StrCat("one column of ", p);
        Set("participants", p, std::vector<const char*>{"role", "state", "cohort_id"}[rng() % 3],
            rng() % 2 ? "1" : "'b'");
        break;
      default:
        what = "rolled back savepoint";
        db_->exec("SAVEPOINT r");
        Update(a, apps[rng() % apps.size()]);
        Update(p, parts[rng() % parts.size()]);
        db_->exec("ROLLBACK TO r");
        db_->exec("RELEASE r");
        break;
    }
    Check(absl::StrCat("step ", step, ": ", what));
    if (HasFailure()) return;
  }
}

// Migration 14 on a file that already has waiting lists: the counters start
// at what is there.
TEST(WaitingCounterMigrationTest, CountsTheWaitingListsAlreadyThere) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const storage::Migrations& migrations = EnrollmentStore::Migrations();
  ASSERT_GE(migrations.size(), 14u);
  for (size_t i = 0; i < 13; ++i) db.exec(migrations[i]);
  db.exec(
      "INSERT INTO applications (id, state, cohort_id, municipality_code, priority, revision, "
      "data, submitter) VALUES ('w1', 3, 'a', 'm1', 0, 1, x'', ''), "
      "('w2', 3, 'a', 'm2', 0, 1, x'', ''), ('w3', 3, 'b', 'm1', 0, 1, x'', ''), "
      "('x1', 4, 'b', 'm1', 0, 1, x'', ''), ('x2', 2, 'c', 'm1', 0, 1, x'', '')");
  db.exec(migrations[13]);
  EXPECT_EQ(Rows(db, kWaiting), Rows(db, kWaitingRecount));
  EXPECT_EQ(Rows(db, kWaiting), "a/:2,0 b/:1,0");
}

// The newest arrival's place comes from the counter; without a counter row
// (the triggers never allow it while the list is not empty) the place is
// still counted, never 0 ("not waiting").
TEST(WaitlistPlaceTest, TheNewestArrivalsPlaceWithAndWithoutItsCounter) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  for (const std::string& m : EnrollmentStore::Migrations()) db.exec(m);
  db.exec(
      "INSERT INTO applications (id, state, cohort_id, municipality_code, priority, revision, "
      "data, submitter, admitted_member_count) VALUES "
      "('w1', 3, 'a', 'm1', 0, 1, x'', '', 0), ('w2', 3, 'a', 'm2', 5, 1, x'', '', 0), "
      "('w3', 3, 'b', 'm1', 0, 1, x'', '', 0), ('w4', 3, 'a', 'm1', -2, 1, x'', '', 0), "
      "('w5', 3, 'a', 'm3', 0, 1, x'', '', 0)");
  // Queue of cohort a: w2 (priority 5), w1, w5 (0, in arrival order), w4 (-2).
  auto places = [&] {
    std::vector<std::string> out;
    for (const char* id : {"w2", "w1", "w5", "w4"}) {
      absl::StatusOr<int> place = application_sql::WaitlistPlace(db, "a", id);
      out.push_back(place.ok() ? absl::StrCat(id, ":", *place) : place.status().ToString());
    }
    return absl::StrJoin(out, " ");
  };
  EXPECT_EQ(places(), "w2:1 w1:2 w5:3 w4:4");
  db.exec("DELETE FROM cohort_waiting WHERE cohort_id = 'a'");
  EXPECT_EQ(places(), "w2:1 w1:2 w5:3 w4:4");
}

}  // namespace
}  // namespace kaizen::enrollment

// kaizen_outbox on a temporary database file made like a service's.
#include "common/notify/outbox_cli.h"

#include <sys/stat.h>

#include <algorithm>
#include <sstream>

#include "SQLiteCpp/Database.h"
#include "absl/strings/match.h"
#include "common/notify/outbox.h"
#include "common/storage/database.h"
#include "gtest/gtest.h"

namespace kaizen::notify {
namespace outbox_cli_test {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun Cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = RunOutboxCli(args, kNow, out, err);
  return {code, out.str(), err.str()};
}

class OutboxCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::string(getenv("TEST_TMPDIR")) + "/" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    storage::DatabaseOptions options;
    options.path = path_;
    options.init = true;
    auto db = storage::Database::Open(options, {kOutboxTableSql});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    for (const char* id : {"a", "b", "c"}) {
      OutboxMessage m;
      m.id = id;
      m.kind = "application_received";
      m.subject_ref = "cohorts/c1";
      m.recipient = "taro.yamada@example.jp";
      m.payload = "SECRET-BODY";
      ASSERT_TRUE(db_->RunInTransaction([&](SQLite::Database& db) {
                       return Enqueue(db, m, kNow).status();
                     }).ok());
    }
    ASSERT_TRUE(db_->RunInTransaction([&](SQLite::Database& db) {
                     return MarkDead(db, "b", 20, kNow, "UNAVAILABLE: SMTP relay answered 451");
                   }).ok());
    ASSERT_TRUE(db_->RunInTransaction([&](SQLite::Database& db) {
                     return MarkDead(db, "c", 1, kNow, "INVALID_ARGUMENT: 550");
                   }).ok());
  }
  std::string path_;
  std::unique_ptr<storage::Database> db_;  // the "service", still open
};

TEST_F(OutboxCliTest, ListsMaskedWithoutPayload) {
  const CliRun r = Cli({"--db=" + path_, "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "t***@example.jp")) << r.out;
  EXPECT_FALSE(absl::StrContains(r.out, "taro.yamada")) << r.out;
  EXPECT_FALSE(absl::StrContains(r.out, "SECRET")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "\tDEAD\t20\t")) << r.out;
  const CliRun dead = Cli({"--db=" + path_, "list", "--state=DEAD", "--limit=1"});
  ASSERT_EQ(dead.code, 0) << dead.err;
  EXPECT_EQ(std::count(dead.out.begin(), dead.out.end(), '\n'), 2) << dead.out;
  EXPECT_FALSE(absl::StrContains(dead.out, "PENDING")) << dead.out;
}

TEST_F(OutboxCliTest, CountAndRetry) {
  CliRun r = Cli({"--db=" + path_, "count"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "pending\t1\nsent\t0\ndead\t2\n")) << r.out;
  r = Cli({"--db=" + path_, "retry", "--id=b"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "retried\t1\n");
  r = Cli({"--db=" + path_, "retry", "--id=b"});  // no longer DEAD
  EXPECT_EQ(r.code, 1);
  r = Cli({"--db=" + path_, "retry", "--all_dead"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "retried\t1\n");
  // The service sees the rows due now.
  ASSERT_TRUE(db_->RunReadOnly([&](SQLite::Database& db) {
                   auto due = Due(db, kNow, 10);
                   EXPECT_EQ(due->size(), 3u);
                   return absl::OkStatus();
                 }).ok());
}

TEST_F(OutboxCliTest, RefusesMissingFileAndBadUsage) {
  const std::string missing = std::string(getenv("TEST_TMPDIR")) + "/missing.db";
  CliRun r = Cli({"--db=" + missing, "count"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "does not exist")) << r.err;
  struct stat st;
  EXPECT_NE(stat(missing.c_str(), &st), 0) << "the tool created a database file";
  EXPECT_EQ(Cli({"count"}).code, 2);
  EXPECT_EQ(Cli({"--db=" + path_, "retry"}).code, 2);
  EXPECT_EQ(Cli({"--db=" + path_, "retry", "--id=a", "--all_dead"}).code, 2);
  EXPECT_EQ(Cli({"--db=" + path_, "list", "--state=LOST"}).code, 2);
  EXPECT_EQ(Cli({"--db=" + path_, "drop"}).code, 2);
  EXPECT_EQ(Cli({"--db=" + path_, "list", "--limit=0"}).code, 2);
}

TEST(OutboxCliNoTableTest, RefusesADatabaseWithoutOutbox) {
  const std::string path = std::string(getenv("TEST_TMPDIR")) + "/other.db";
  { SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); }
  const CliRun r = Cli({"--db=" + path, "count"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "no outbox table")) << r.err;
}

}  // namespace
}  // namespace kaizen::notify

// The outbox operations on a real in-memory SQLite database.
#include "common/notify/outbox.h"

#include <iterator>
#include <set>
#include <string>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/storage/database.h"
#include "gtest/gtest.h"

namespace kaizen::notify {
namespace outbox_test {

const absl::Time kT0 = absl::FromUnixSeconds(1800000000);

OutboxMessage Msg(const std::string& id, const std::string& ref = "cohorts/c1/applications/a1") {
  OutboxMessage m;
  m.id = id;
  m.kind = "application_received";
  m.subject_ref = ref;
  m.recipient = "taro@example.jp";
  m.payload = std::string("body\0with nul", 13);
  return m;
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::Database::OpenInMemory({kOutboxTableSql});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  // Runs `fn` in a write transaction and returns its value.
  template <typename Fn>
  auto Tx(Fn fn) -> decltype(fn(std::declval<SQLite::Database&>())) {
    decltype(fn(std::declval<SQLite::Database&>())) result = absl::UnknownError("unset");
    const absl::Status s = db_->RunInTransaction([&](SQLite::Database& db) {
      result = fn(db);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return result;
  }
  bool Enq(const OutboxMessage& m, absl::Time now = kT0) {
    auto r = Tx([&](SQLite::Database& db) { return Enqueue(db, m, now); });
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && *r;
  }
  std::unique_ptr<storage::Database> db_;
};

TEST_F(OutboxTest, EnqueueIsIdempotentAndDueAtNow) {
  EXPECT_TRUE(Enq(Msg("m1")));
  OutboxMessage changed = Msg("m1");
  changed.payload = "other";
  EXPECT_FALSE(Enq(changed, kT0 + absl::Hours(1)));
  auto due = Tx([](SQLite::Database& db) { return Due(db, kT0, 10); });
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  const OutboxMessage& m = (*due)[0];
  EXPECT_EQ(m.payload, std::string("body\0with nul", 13));  // first one kept, bytes intact
  EXPECT_EQ(m.recipient, "taro@example.jp");
  EXPECT_EQ(m.state, OutboxState::kPending);
  EXPECT_EQ(m.attempts, 0);
  EXPECT_EQ(m.next_attempt, kT0);
  EXPECT_EQ(m.create_time, kT0);
  EXPECT_FALSE(m.done_time.has_value());
  auto none = Tx([](SQLite::Database& db) { return Due(db, kT0 - absl::Seconds(1), 10); });
  EXPECT_TRUE(none->empty());
}

TEST_F(OutboxTest, EnqueueValidatesIdAndKind) {
  for (const std::string& id : std::vector<std::string>{"", std::string(201, 'a'), "has space", "tab\there", "ü"}) {
    auto r = Tx([&](SQLite::Database& db) { return Enqueue(db, Msg(id), kT0); });
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << id;
  }
  OutboxMessage m = Msg("ok");
  m.kind = "";
  EXPECT_EQ(Tx([&](SQLite::Database& db) { return Enqueue(db, m, kT0); }).status().code(),
            absl::StatusCode::kInvalidArgument);
  m.kind = "bad kind";
  auto r = Tx([&](SQLite::Database& db) { return Enqueue(db, m, kT0); });
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("kind"), absl::string_view::npos) << r.status();
  EXPECT_TRUE(Enq(Msg(std::string(200, 'a'))));
}

TEST_F(OutboxTest, MarkSentClearsPersonalDataAndNotFoundWhenGone) {
  Enq(Msg("m1"));
  EXPECT_TRUE(Tx([](SQLite::Database& db) { return MarkSent(db, "m1", kT0 + absl::Seconds(3)); })
                  .ok());
  auto rows = Tx([](SQLite::Database& db) { return List(db, OutboxState::kSent, 0); });
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].recipient, "");
  EXPECT_EQ((*rows)[0].done_time, kT0 + absl::Seconds(3));
  std::string payload = "x";
  ASSERT_TRUE(db_->RunReadOnly([&](SQLite::Database& db) {
                  payload = db.execAndGet("SELECT payload FROM outbox").getString();
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(payload, "");
  EXPECT_EQ(Tx([](SQLite::Database& db) { return MarkSent(db, "m1", kT0); }).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Tx([](SQLite::Database& db) { return MarkSent(db, "never", kT0); }).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(OutboxTest, RetryDeadAndCount) {
  Enq(Msg("a"), kT0);
  Enq(Msg("b"), kT0 + absl::Seconds(1));
  Enq(Msg("c"), kT0 + absl::Seconds(2));
  EXPECT_TRUE(Tx([](SQLite::Database& db) {
                return MarkRetry(db, "a", 1, kT0 + absl::Seconds(10), "UNAVAILABLE: x");
              }).ok());
  EXPECT_TRUE(Tx([](SQLite::Database& db) { return MarkDead(db, "b", 3, kT0, "INVALID_ARGUMENT: 550"); }).ok());
  EXPECT_TRUE(Tx([](SQLite::Database& db) { return MarkSent(db, "c", kT0); }).ok());
  auto counts = Tx([](SQLite::Database& db) { return Count(db); });
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 1);
  EXPECT_EQ(counts->sent, 1);
  EXPECT_EQ(counts->dead, 1);
  EXPECT_EQ(counts->oldest_pending, kT0);
  auto next = Tx([](SQLite::Database& db) { return NextDue(db); });
  EXPECT_EQ(**next, kT0 + absl::Seconds(10));
  // Retrying a row that is not DEAD changes nothing.
  EXPECT_EQ(*Tx([](SQLite::Database& db) { return RetryDead(db, "a", kT0); }), 0);
  EXPECT_EQ(*Tx([](SQLite::Database& db) { return RetryDead(db, "b", kT0 + absl::Hours(1)); }),
            1);
  auto due = Tx([](SQLite::Database& db) { return Due(db, kT0 + absl::Hours(1), 10); });
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].id, "a");  // due at +10 s, before b's +1 h
  EXPECT_EQ((*due)[1].id, "b");
  EXPECT_EQ((*due)[1].attempts, 0);
  EXPECT_EQ((*due)[1].last_error, "");
  EXPECT_EQ((*due)[1].payload, Msg("b").payload);  // kept while DEAD
  // Every DEAD row at once.
  EXPECT_TRUE(Tx([](SQLite::Database& db) { return MarkDead(db, "a", 1, kT0, "x"); }).ok());
  EXPECT_TRUE(Tx([](SQLite::Database& db) { return MarkDead(db, "b", 1, kT0, "x"); }).ok());
  EXPECT_EQ(*Tx([](SQLite::Database& db) { return RetryDead(db, "", kT0); }), 2);
  EXPECT_EQ(Tx([](SQLite::Database& db) { return MarkRetry(db, "c", 1, kT0, "x"); }).code(),
            absl::StatusCode::kNotFound);  // SENT rows cannot be retried
}

TEST_F(OutboxTest, ListMasksRecipientsOmitsPayloadNewestFirst) {
  Enq(Msg("old"), kT0);
  OutboxMessage m = Msg("new");
  m.recipient = "hanako.matsusaka@city.example.jp";
  Enq(m, kT0 + absl::Seconds(5));
  auto rows = Tx([](SQLite::Database& db) { return List(db, std::nullopt, 0); });
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id, "new");
  EXPECT_EQ((*rows)[0].recipient, "h***@city.example.jp");
  EXPECT_EQ((*rows)[1].recipient, "t***@example.jp");
  EXPECT_EQ((*rows)[0].payload, "");
  auto one = Tx([](SQLite::Database& db) { return List(db, std::nullopt, 1); });
  EXPECT_EQ(one->size(), 1u);
  auto dead = Tx([](SQLite::Database& db) { return List(db, OutboxState::kDead, 0); });
  EXPECT_TRUE(dead->empty());
}

TEST_F(OutboxTest, DeleteForMatchesTheNameAndItsChildrenOnly) {
  Enq(Msg("1", "cohorts/c1"));
  Enq(Msg("2", "cohorts/c1/applications/a1"));
  Enq(Msg("3", "cohorts/c10/applications/a1"));
  Enq(Msg("4", "cohorts/c2"));
  EXPECT_EQ(*Tx([](SQLite::Database& db) { return DeleteFor(db, "cohorts/c1"); }), 2);
  auto rows = Tx([](SQLite::Database& db) { return List(db, std::nullopt, 0); });
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(Tx([](SQLite::Database& db) { return DeleteFor(db, ""); }).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(OutboxTest, UndeliveredRowsOfANameCanBeRewrittenOrDeleted) {
  Enq(Msg("1", "cohorts/c1"));
  Enq(Msg("2", "cohorts/c1/tasks/t1"));
  Enq(Msg("3", "cohorts/c1/tasks/t2"));
  Enq(Msg("4", "cohorts/c10/tasks/t1"));
  ASSERT_TRUE(Tx([](SQLite::Database& db) { return MarkSent(db, "3", kT0); }).ok());
  auto rows = Tx([](SQLite::Database& db) { return UndeliveredFor(db, "cohorts/c1"); });
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);  // not the sent one, not c10's
  EXPECT_EQ((*rows)[0].id, "1");
  EXPECT_EQ((*rows)[1].id, "2");
  EXPECT_EQ((*rows)[1].payload, Msg("2").payload);
  EXPECT_TRUE(*Tx([](SQLite::Database& db) { return ReplaceUndeliveredPayload(db, "2", "new"); }));
  EXPECT_FALSE(*Tx([](SQLite::Database& db) { return ReplaceUndeliveredPayload(db, "3", "x"); }));
  EXPECT_TRUE(*Tx([](SQLite::Database& db) { return DeleteUndelivered(db, "1"); }));
  EXPECT_FALSE(*Tx([](SQLite::Database& db) { return DeleteUndelivered(db, "3"); }));
  rows = Tx([](SQLite::Database& db) { return UndeliveredFor(db, "cohorts/c1"); });
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].payload, "new");
  EXPECT_EQ(Tx([](SQLite::Database& db) { return UndeliveredFor(db, ""); }).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The byte-range form of "the ref or a child of it" at its edges: '-' and
// '.' sort just before '/', '0' just after; multi-byte refs compare by bytes.
TEST_F(OutboxTest, DeleteForRangeEdges) {
  const char* kept[] = {"cohorts/c1-x", "cohorts/c1.", "cohorts/c10", "cohorts/c0",
                        "cohorts/c", "cohorts/c1\xe3\x81\x82", "cohorts/c1 /a"};
  const char* gone[] = {"cohorts/c1", "cohorts/c1/", "cohorts/c1/\xe3\x81\x82/\xe3\x81\x84",
                        "cohorts/c1//", "cohorts/c1/\x7e"};
  int n = 0;
  for (const char* ref : kept) Enq(Msg(absl::StrCat("k", n++), ref));
  for (const char* ref : gone) Enq(Msg(absl::StrCat("g", n++), ref));
  EXPECT_EQ(*Tx([](SQLite::Database& db) { return DeleteFor(db, "cohorts/c1"); }),
            static_cast<int>(std::size(gone)));
  auto rows = Tx([](SQLite::Database& db) { return List(db, std::nullopt, 0); });
  ASSERT_TRUE(rows.ok());
  std::set<std::string> left;
  for (const OutboxMessage& m : *rows) left.insert(m.subject_ref);
  EXPECT_EQ(left, std::set<std::string>(std::begin(kept), std::end(kept)));
}

// Every application write deletes its superseded mails: that must search
// the subject index, not read the whole outbox.
TEST_F(OutboxTest, DeleteForSearchesTheSubjectIndex) {
  auto plan = Tx([](SQLite::Database& db) -> absl::StatusOr<std::string> {
    SQLite::Statement explain(db, absl::StrCat("EXPLAIN QUERY PLAN ", kDeleteForSql));
    std::string text;
    while (explain.executeStep()) absl::StrAppend(&text, explain.getColumn(3).getString(), "\n");
    return text;
  });
  ASSERT_TRUE(plan.ok());
  EXPECT_NE(plan->find("outbox_subject"), std::string::npos) << *plan;
  EXPECT_EQ(plan->find("SCAN outbox"), std::string::npos) << *plan;
}

TEST_F(OutboxTest, PruneSentKeepsRecentAndOtherStates) {
  Enq(Msg("a"));
  Enq(Msg("b"));
  Enq(Msg("c"));
  EXPECT_TRUE(Tx([](SQLite::Database& db) { return MarkSent(db, "a", kT0); }).ok());
  EXPECT_TRUE(Tx([](SQLite::Database& db) { return MarkSent(db, "b", kT0 + absl::Hours(2)); }).ok());
  EXPECT_TRUE(Tx([](SQLite::Database& db) { return MarkDead(db, "c", 1, kT0, "x"); }).ok());
  EXPECT_EQ(*Tx([](SQLite::Database& db) { return PruneSent(db, kT0 + absl::Hours(1)); }), 1);
  auto counts = Tx([](SQLite::Database& db) { return Count(db); });
  EXPECT_EQ(counts->sent, 1);
  EXPECT_EQ(counts->dead, 1);
  EXPECT_FALSE(counts->oldest_pending.has_value());
  // A pruned id may be enqueued again (the idempotency window is keep_sent).
  EXPECT_TRUE(Enq(Msg("a")));
}

TEST_F(OutboxTest, ClearDeadKeepsTheRowButNotItsPersonalData) {
  EXPECT_TRUE(Enq(Msg("old")));
  EXPECT_TRUE(Enq(Msg("new")));
  EXPECT_TRUE(Tx([](SQLite::Database& db) { return MarkDead(db, "old", 20, kT0, "UNAVAILABLE"); }).ok());
  EXPECT_TRUE(Tx([&](SQLite::Database& db) {
                return MarkDead(db, "new", 20, kT0 + absl::Hours(48), "UNAVAILABLE");
              }).ok());
  EXPECT_EQ(*Tx([](SQLite::Database& db) { return ClearDead(db, kT0 + absl::Hours(24)); }), 1);
  // Idempotent: a cleared row is not cleared (nor its error extended) again.
  EXPECT_EQ(*Tx([](SQLite::Database& db) { return ClearDead(db, kT0 + absl::Hours(24)); }), 0);
  std::vector<std::string> rows;
  ASSERT_TRUE(db_->RunInTransaction([&](SQLite::Database& db) {
                  SQLite::Statement q(db, "SELECT id, state, recipient, length(payload), "
                                          "last_error FROM outbox ORDER BY id");
                  while (q.executeStep()) {
                    rows.push_back(absl::StrCat(q.getColumn(0).getString(), "|",
                                                q.getColumn(1).getInt(), "|",
                                                q.getColumn(2).getString(), "|",
                                                q.getColumn(3).getInt(), "|",
                                                q.getColumn(4).getString()));
                  }
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(rows, (std::vector<std::string>{"new|2|taro@example.jp|13|UNAVAILABLE",
                                            "old|2||0|UNAVAILABLE; payload cleared"}));
  // A cleared row cannot be retried (nothing to send); the others can.
  auto refused = Tx([](SQLite::Database& db) { return RetryDead(db, "old", kT0); });
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("payload was cleared"), std::string::npos);
  EXPECT_EQ(*Tx([](SQLite::Database& db) { return RetryDead(db, "", kT0); }), 1);
}

TEST(OutboxStateTest, Names) {
  EXPECT_EQ(OutboxStateName(OutboxState::kPending), "PENDING");
  EXPECT_EQ(OutboxStateName(OutboxState::kSent), "SENT");
  EXPECT_EQ(OutboxStateName(OutboxState::kDead), "DEAD");
}

}  // namespace
}  // namespace kaizen::notify

// The Deliverer against a scripted Transport, a FakeClock and a real
// in-memory outbox: outcomes, backoff times, dead letters, restarts.
#include "common/notify/deliverer.h"

#include <deque>
#include <string>
#include <memory>
#include <cstdlib>
#include <cstdio>
#include <functional>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/synchronization/notification.h"
#include "common/storage/database.h"
#include "common/storage/storage_stats.h"
#include "gtest/gtest.h"

namespace kaizen::notify {
namespace deliverer_test {

// Answers from a script (OK once it runs out) and records every attempt.
class ScriptedTransport final : public Transport {
 public:
  absl::Status Deliver(const OutboxMessage& message) override {
    absl::MutexLock lock(&mu_);
    attempts_.push_back(message.id);
    if (during_) during_(message);
    if (script_.empty()) return absl::OkStatus();
    absl::Status next = script_.front();
    script_.pop_front();
    return next;
  }
  void Script(std::vector<absl::Status> replies) {
    absl::MutexLock lock(&mu_);
    script_.assign(replies.begin(), replies.end());
  }
  void During(std::function<void(const OutboxMessage&)> fn) {
    absl::MutexLock lock(&mu_);
    during_ = std::move(fn);
  }
  std::vector<std::string> attempts() {
    absl::MutexLock lock(&mu_);
    return attempts_;
  }

 private:
  absl::Mutex mu_;
  std::deque<absl::Status> script_;
  std::vector<std::string> attempts_;
  std::function<void(const OutboxMessage&)> during_;
};

class DelivererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::Database::OpenInMemory({kOutboxTableSql});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    options_.service = "test";
    options_.initial_backoff = absl::Seconds(2);
    options_.max_backoff = absl::Seconds(10);
    options_.max_attempts = 4;
  }
  void Enq(const std::string& id) {
    OutboxMessage m;
    m.id = id;
    m.kind = "test_kind";
    m.subject_ref = "cohorts/c1/applications/" + id;
    m.recipient = "taro@example.jp";
    m.payload = "payload of " + id;
    ASSERT_TRUE(db_->RunInTransaction([&](SQLite::Database& db) {
                     return Enqueue(db, m, clock_.Now()).status();
                   }).ok());
  }
  OutboxMessage Row(const std::string& id) {
    OutboxMessage found;
    EXPECT_TRUE(db_->RunReadOnly([&](SQLite::Database& db) {
                     auto rows = List(db, std::nullopt, 0);
                     if (!rows.ok()) return rows.status();
                     for (auto& r : *rows) {
                       if (r.id == id) found = r;
                     }
                     return absl::OkStatus();
                   }).ok());
    return found;
  }
  Deliverer::PassResult Pass(Deliverer& d) {
    auto r = d.RunOnce();
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : Deliverer::PassResult{};
  }

  FakeClock clock_;
  ScriptedTransport transport_;
  DelivererOptions options_;
  std::unique_ptr<storage::Database> db_;
};

TEST_F(DelivererTest, SendsDueMessagesOnceInOrder) {
  Enq("a");
  clock_.Advance(absl::Seconds(1));
  Enq("b");
  Deliverer d(db_.get(), &transport_, &clock_, options_);
  const auto r = Pass(d);
  EXPECT_EQ(r.sent, 2);
  EXPECT_EQ(transport_.attempts(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Row("a").state, OutboxState::kSent);
  EXPECT_EQ(Pass(d).sent, 0);
  EXPECT_EQ(transport_.attempts().size(), 2u);
}

TEST(IsTransientTest, Codes) {
  EXPECT_TRUE(IsTransient(absl::UnavailableError("")));
  EXPECT_TRUE(IsTransient(absl::DeadlineExceededError("")));
  EXPECT_TRUE(IsTransient(absl::ResourceExhaustedError("")));
  EXPECT_TRUE(IsTransient(absl::AbortedError("")));
  EXPECT_FALSE(IsTransient(absl::InvalidArgumentError("")));
  EXPECT_FALSE(IsTransient(absl::FailedPreconditionError("")));
  EXPECT_FALSE(IsTransient(absl::InternalError("")));
}

TEST_F(DelivererTest, TransientFailuresBackOffThenSucceed) {
  Enq("a");
  transport_.Script({absl::UnavailableError("451"), absl::UnavailableError("451")});
  Deliverer d(db_.get(), &transport_, &clock_, options_);
  const absl::Time t0 = clock_.Now();
  EXPECT_EQ(Pass(d).retried, 1);
  OutboxMessage row = Row("a");
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(row.last_error, "UNAVAILABLE: 451");
  // 2 s +-20%.
  EXPECT_GE(row.next_attempt, t0 + absl::Milliseconds(1600));
  EXPECT_LE(row.next_attempt, t0 + absl::Milliseconds(2400));
  // Not due before its time.
  clock_.Advance(absl::Milliseconds(1500));
  EXPECT_EQ(Pass(d).retried + Pass(d).sent, 0);
  clock_.Set(row.next_attempt);
  const absl::Time t1 = clock_.Now();
  EXPECT_EQ(Pass(d).retried, 1);
  row = Row("a");
  EXPECT_EQ(row.attempts, 2);
  // 4 s +-20% after the second failure.
  EXPECT_GE(row.next_attempt, t1 + absl::Milliseconds(3200));
  EXPECT_LE(row.next_attempt, t1 + absl::Milliseconds(4800));
  clock_.Set(row.next_attempt);
  EXPECT_EQ(Pass(d).sent, 1);
  EXPECT_EQ(Row("a").state, OutboxState::kSent);
  EXPECT_EQ(transport_.attempts().size(), 3u);
}

TEST_F(DelivererTest, BackoffIsCappedAndDeadAfterMaxAttempts) {
  options_.max_attempts = 6;
  Enq("a");
  transport_.Script(std::vector<absl::Status>(6, absl::UnavailableError("down")));
  Deliverer d(db_.get(), &transport_, &clock_, options_);
  for (int attempt = 1; attempt <= 5; ++attempt) {
    const absl::Time now = clock_.Now();
    ASSERT_EQ(Pass(d).retried, 1) << attempt;
    const OutboxMessage row = Row("a");
    // 2, 4, 8, 10 (cap), 10 seconds, each +-20%.
    const absl::Duration base =
        std::min(absl::Seconds(10), absl::Seconds(2) * (1 << (attempt - 1)));
    EXPECT_GE(row.next_attempt - now, base * 0.8) << attempt;
    EXPECT_LE(row.next_attempt - now, base * 1.2) << attempt;
    clock_.Set(row.next_attempt);
  }
  EXPECT_EQ(Pass(d).dead, 1);
  const OutboxMessage row = Row("a");
  EXPECT_EQ(row.state, OutboxState::kDead);
  EXPECT_EQ(row.attempts, 6);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(Pass(d).sent, 0);
  EXPECT_EQ(transport_.attempts().size(), 6u);
}

TEST_F(DelivererTest, WithoutARelayRowsGoDeadAndAreClearedAfterKeepDead) {
  options_.keep_dead = absl::Hours(24);
  Enq("a");
  NoRelayTransport none;
  Deliverer d(db_.get(), &none, &clock_, options_);
  int dead = 0;
  for (int attempt = 1; attempt <= options_.max_attempts && dead == 0; ++attempt) {
    const auto r = Pass(d);
    dead = r.dead;
    clock_.Advance(absl::Minutes(1));  // past any backoff of this test
  }
  ASSERT_EQ(dead, 1);
  OutboxMessage row = Row("a");
  EXPECT_EQ(row.state, OutboxState::kDead);
  EXPECT_NE(row.last_error.find("no relay configured"), std::string::npos) << row.last_error;
  EXPECT_EQ(row.recipient, "t***@example.jp");  // still there (masked by List)
  // Before keep_dead nothing changes; after it the address and body go.
  clock_.Advance(absl::Hours(23));
  ASSERT_TRUE(d.Housekeep().ok());
  EXPECT_EQ(Row("a").recipient, "t***@example.jp");
  clock_.Advance(absl::Hours(2));
  ASSERT_TRUE(d.Housekeep().ok());
  row = Row("a");
  EXPECT_EQ(row.state, OutboxState::kDead);
  EXPECT_EQ(row.recipient, "");
  EXPECT_NE(row.last_error.find("payload cleared"), std::string::npos) << row.last_error;
  ASSERT_TRUE(db_->RunInTransaction([&](SQLite::Database& db) -> absl::Status {
                   EXPECT_EQ(RetryDead(db, "a", clock_.Now()).status().code(),
                             absl::StatusCode::kFailedPrecondition);
                   return absl::OkStatus();
                 }).ok());
}

// Without a relay nothing leaves the process: a pass claims, attempts and
// marks every due row in one transaction (one durable commit), with the
// same outcome per row as the per-message path.
TEST_F(DelivererTest, WithoutARelayAPassIsOneWriteTransaction) {
  for (int i = 0; i < 5; ++i) Enq("m" + std::to_string(i));
  NoRelayTransport none;
  Deliverer d(db_.get(), &none, &clock_, options_);
  const storage::StorageStatsSnapshot before = storage::GlobalStorageStats();
  const auto r = Pass(d);
  const storage::StorageStatsSnapshot after = storage::GlobalStorageStats();
  EXPECT_EQ(r.retried, 5);
  EXPECT_EQ(r.sent + r.dead, 0);
  EXPECT_EQ(after.write_requests - before.write_requests, 1);
  for (int i = 0; i < 5; ++i) {
    const OutboxMessage row = Row("m" + std::to_string(i));
    EXPECT_EQ(row.state, OutboxState::kPending);
    EXPECT_EQ(row.attempts, 1);
    // initial_backoff 2 s with the jitter of [0.8, 1.2].
    EXPECT_GE(row.next_attempt, clock_.Now() + absl::Milliseconds(1600));
    EXPECT_LE(row.next_attempt, clock_.Now() + absl::Milliseconds(2400));
    EXPECT_NE(row.last_error.find("no relay configured"), std::string::npos) << row.last_error;
  }
  // Not due yet: the next pass writes nothing.
  const auto again = Pass(d);
  EXPECT_EQ(again.retried + again.sent + again.dead, 0);
  EXPECT_EQ(storage::GlobalStorageStats().write_requests, after.write_requests);
}

TEST_F(DelivererTest, PermanentFailureIsDeadAtOnce) {
  Enq("a");
  transport_.Script({absl::InvalidArgumentError("SMTP relay answered 550 to RCPT TO")});
  Deliverer d(db_.get(), &transport_, &clock_, options_);
  EXPECT_EQ(Pass(d).dead, 1);
  const OutboxMessage row = Row("a");
  EXPECT_EQ(row.state, OutboxState::kDead);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(row.last_error, "INVALID_ARGUMENT: SMTP relay answered 550 to RCPT TO");
  // An operator's retry makes it PENDING and it goes out.
  ASSERT_TRUE(db_->RunInTransaction([&](SQLite::Database& db) {
                   return RetryDead(db, "a", clock_.Now()).status();
                 }).ok());
  EXPECT_EQ(Pass(d).sent, 1);
}

TEST_F(DelivererTest, MessageLeftByADestroyedDelivererIsSentOnceByTheNext) {
  {
    Deliverer first(db_.get(), &transport_, &clock_, options_);
    Enq("a");  // committed; the process stops before any pass
  }
  EXPECT_TRUE(transport_.attempts().empty());
  Deliverer second(db_.get(), &transport_, &clock_, options_);
  EXPECT_EQ(Pass(second).sent, 1);
  EXPECT_EQ(Pass(second).sent, 0);
  EXPECT_EQ(transport_.attempts(), std::vector<std::string>{"a"});
}

TEST_F(DelivererTest, PurgeDuringDeliveryIsFine) {
  Enq("a");
  Enq("b");
  // "a" is deleted (a purge) while the transport sends it; "b" fails
  // transiently and is deleted during that attempt.
  transport_.Script({absl::OkStatus(), absl::UnavailableError("x")});
  transport_.During([&](const OutboxMessage& m) {
    ASSERT_TRUE(db_->RunInTransaction([&](SQLite::Database& db) {
                     return DeleteFor(db, m.subject_ref).status();
                   }).ok());
  });
  Deliverer d(db_.get(), &transport_, &clock_, options_);
  const auto r = Pass(d);
  EXPECT_EQ(r.sent, 1);
  EXPECT_EQ(r.retried, 1);
  EXPECT_EQ(Row("a").id, "");
  EXPECT_EQ(Row("b").id, "");
}

// The row is claimed (counted and leased) before the transport runs: a
// crash during the attempt neither resends at once nor loses the count.
TEST_F(DelivererTest, AnAttemptIsCountedAndLeasedBeforeTheTransportRuns) {
  Enq("a");
  OutboxMessage during;
  transport_.Script({absl::UnavailableError("relay gone")});
  transport_.During([&](const OutboxMessage&) { during = Row("a"); });
  Deliverer d(db_.get(), &transport_, &clock_, options_);
  Pass(d);
  EXPECT_EQ(during.attempts, 1);
  EXPECT_EQ(during.next_attempt, clock_.Now() + options_.lease);
  // "The process died" during that attempt: a new deliverer waits out the
  // lease instead of sending again at once.
  Deliverer restarted(db_.get(), &transport_, &clock_, options_);
  ASSERT_TRUE(db_->RunInTransaction([&](SQLite::Database& db) {
                   return MarkRetry(db, "a", 1, clock_.Now() + options_.lease, "");
                 }).ok());
  EXPECT_EQ(Pass(restarted).sent, 0);
  clock_.Advance(options_.lease);
  EXPECT_EQ(Pass(restarted).sent, 1);
  EXPECT_EQ(Row("a").attempts, 2);
}

// A row erased between the pass's read and its turn is not sent.
TEST_F(DelivererTest, ARowDeletedBeforeItsTurnIsNotSent) {
  Enq("a");
  Enq("b");
  transport_.During([&](const OutboxMessage& m) {
    if (m.id != "a") return;
    ASSERT_TRUE(db_->RunInTransaction([&](SQLite::Database& db) {
                     return DeleteFor(db, "cohorts/c1/applications/b").status();
                   }).ok());
  });
  Deliverer d(db_.get(), &transport_, &clock_, options_);
  EXPECT_EQ(Pass(d).sent, 1);
  EXPECT_EQ(transport_.attempts(), std::vector<std::string>{"a"});
}

// A transiently failing message is dead once older than max_age, however
// few attempts it had.
TEST_F(DelivererTest, DeadOnceOlderThanMaxAge) {
  options_.max_attempts = 1000;
  options_.max_age = absl::Hours(48);
  Enq("a");
  transport_.Script({absl::UnavailableError("1"), absl::UnavailableError("2")});
  Deliverer d(db_.get(), &transport_, &clock_, options_);
  EXPECT_EQ(Pass(d).retried, 1);
  clock_.Advance(absl::Hours(48));
  EXPECT_EQ(Pass(d).dead, 1);
  EXPECT_EQ(Row("a").state, OutboxState::kDead);
}

// The relay took the message but SENT could not be written (here: another
// connection holds the write lock past the busy timeout, as a full disk or
// a long writer would): the next pass writes the mark and never hands the
// message to the transport again.
// A file database with one PENDING message "a" and a transport whose
// attempts take the write lock from another connection first, so the mark
// after an attempt cannot be written (busy_timeout 50 ms) until Release().
struct LockedMark {
  explicit LockedMark(const std::string& name)
      : path(std::string(std::getenv("TEST_TMPDIR")) + "/" + name + ".db") {
    std::remove(path.c_str());
    storage::DatabaseOptions o;
    o.path = path;
    o.init = true;
    o.busy_timeout = absl::Milliseconds(50);
    auto opened = storage::Database::Open(o, {kOutboxTableSql});
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) return;
    db = std::move(*opened);
    OutboxMessage m;
    m.id = "a";
    m.kind = "test_kind";
    m.subject_ref = "cohorts/c1/applications/a";
    m.recipient = "taro@example.jp";
    m.payload = "payload";
    EXPECT_TRUE(db->RunInTransaction([&](SQLite::Database& d) {
                    return Enqueue(d, m, clock.Now()).status();
                  }).ok());
    transport.During([this](const OutboxMessage&) {
      blocker = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE);
      blocker->exec("BEGIN IMMEDIATE");
    });
    options.service = "test";
  }
  void Release() {
    transport.During(nullptr);
    blocker->exec("ROLLBACK");
    blocker.reset();
  }

  const std::string path;
  std::unique_ptr<storage::Database> db;
  FakeClock clock;
  ScriptedTransport transport;
  DelivererOptions options;
  std::unique_ptr<SQLite::Database> blocker;
};

TEST(DelivererFileTest, ASentMessageWhoseMarkFailedIsNeverSentAgain) {
  LockedMark t("mark_failed");
  ASSERT_NE(t.db, nullptr);
  Deliverer d(t.db.get(), &t.transport, &t.clock, t.options);
  EXPECT_FALSE(d.RunOnce().ok());  // the mark could not be written
  t.Release();
  t.clock.Advance(t.options.lease);  // even once the lease is over
  auto pass = d.RunOnce();
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ(pass->sent, 1);
  EXPECT_EQ(t.transport.attempts(), std::vector<std::string>{"a"});
  auto again = d.RunOnce();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sent, 0);
  EXPECT_EQ(t.transport.attempts().size(), 1u);
}

// The same lost mark after a FAILED attempt: the row is tried again after
// the lease, never recorded as sent (its mark could not even begin: the
// relay's answer is decided before the transaction).
TEST(DelivererFileTest, AFailedAttemptWhoseMarkFailedIsTriedAgain) {
  LockedMark t("mark_failed_retry");
  ASSERT_NE(t.db, nullptr);
  t.transport.Script({absl::UnavailableError("relay says 421")});
  Deliverer d(t.db.get(), &t.transport, &t.clock, t.options);
  EXPECT_FALSE(d.RunOnce().ok());  // the mark could not be written
  t.Release();
  t.clock.Advance(t.options.lease);  // once the lease is over
  auto pass = d.RunOnce();
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ(pass->sent, 1);  // the second attempt, which the relay took
  EXPECT_EQ(t.transport.attempts(), (std::vector<std::string>{"a", "a"}));
}

TEST_F(DelivererTest, ThreadSendsOnPokePrunesOldSentAndStops) {
  options_.keep_sent = absl::Hours(24);
  Enq("old");
  Deliverer warmup(db_.get(), &transport_, &clock_, options_);
  ASSERT_EQ(Pass(warmup).sent, 1);
  clock_.Advance(absl::Hours(25));  // "old" is past keep_sent
  Enq("new");
  absl::Notification delivered;
  transport_.During([&](const OutboxMessage& m) {
    if (m.id == "new") delivered.Notify();
  });
  options_.poll_interval = absl::Hours(1);  // only Start and Poke wake it
  Deliverer d(db_.get(), &transport_, &clock_, options_);
  d.Start();
  d.Start();  // once
  d.Poke();
  ASSERT_TRUE(delivered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  d.Stop();
  d.Stop();  // idempotent
  // Pruned before the first pass; "new" is SENT and kept.
  EXPECT_EQ(Row("old").id, "");
  EXPECT_EQ(Row("new").state, OutboxState::kSent);
  EXPECT_EQ(transport_.attempts(), (std::vector<std::string>{"old", "new"}));
}

}  // namespace
}  // namespace kaizen::notify

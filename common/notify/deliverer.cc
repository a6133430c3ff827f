#include "common/notify/deliverer.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/util/thread_name.h"

namespace kaizen::notify {
namespace {

// SENT rows are pruned at most this often (and once at start).
constexpr absl::Duration kPruneEvery = absl::Hours(1);

std::string JsonEscape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

// "<CODE>: message" of a failure. Transports keep addresses and bodies out
// of their messages (smtp.h); the cap bounds what a faulty one could leak.
std::string ErrorText(const absl::Status& status) {
  std::string text = absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                                  status.message());
  if (text.size() > 200) text.resize(200);
  return text;
}

// A factor in [0.8, 1.2]. Only the delivery thread (or a test's RunOnce)
// draws, so a thread-local generator needs no lock.
double Jitter() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.8, 1.2)(rng);
}

// One line per pass that had failures (no addresses: codes and counts).
void LogFailures(const std::string& service, const Deliverer::PassResult& result,
                 const absl::Status& last_failure) {
  if (last_failure.ok()) return;
  std::fprintf(stderr,
               "{\"service\":\"%s\",\"event\":\"outbox_pass_failures\",\"sent\":%d,"
               "\"retried\":%d,\"dead\":%d,\"code\":%d}\n",
               JsonEscape(service).c_str(), result.sent, result.retried, result.dead,
               static_cast<int>(last_failure.code()));
}

}  // namespace

bool IsTransient(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
      return true;
    default:
      return false;
  }
}

Deliverer::Deliverer(storage::Database* db, Transport* transport, const Clock* clock,
                     DelivererOptions options)
    : db_(db), transport_(transport), clock_(clock), options_(std::move(options)) {
  if (options_.batch < 1) options_.batch = 1;
  if (options_.max_attempts < 1) options_.max_attempts = 1;
}

Deliverer::~Deliverer() { Stop(); }

void Deliverer::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_ != nullptr || stop_) return;
  thread_ = std::make_unique<std::thread>([this] {
    NameThisThread(kThreadOutbox);
    Loop();
  });
}

void Deliverer::Stop() {
  std::unique_ptr<std::thread> thread;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    thread = std::move(thread_);  // only one caller joins
  }
  if (thread != nullptr && thread->joinable()) thread->join();
}

void Deliverer::Poke() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
}

absl::StatusOr<Deliverer::PassResult> Deliverer::RunOnce() {
  PassResult result;
  std::vector<OutboxMessage> due;
  const absl::Time start = clock_->Now();
  // First the SENT marks an earlier pass could not write: the relay has
  // those messages, so they are never handed to the transport again.
  while (!sent_unrecorded_.empty()) {
    const auto& unrecorded = sent_unrecorded_.back();
    const absl::Status marked = db_->RunInTransaction([&](SQLite::Database& db) {
      return MarkSent(db, unrecorded.first, unrecorded.second);
    });
    if (!marked.ok() && marked.code() != absl::StatusCode::kNotFound) return marked;
    sent_unrecorded_.pop_back();
    ++result.sent;
  }
  RETURN_IF_ERROR(db_->RunReadOnly([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(due, Due(db, start, options_.batch));
    return absl::OkStatus();
  }));
  if (transport_->InProcess()) return RunOnceInProcess(due, result);
  absl::Status last_failure;
  for (const OutboxMessage& m : due) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) break;
    }
    // Claim the row first (its own short transaction): a row deleted since
    // the read (an erasure) or claimed meanwhile is skipped, and a crash or
    // a failed mark during the attempt leaves it counted and leased.
    absl::StatusOr<bool> claimed = false;
    const absl::Time claim_time = clock_->Now();
    RETURN_IF_ERROR(db_->RunInTransaction([&](SQLite::Database& db) -> absl::Status {
      claimed = Claim(db, m.id, m.attempts, claim_time, claim_time + options_.lease);
      return claimed.status();
    }));
    if (!*claimed) continue;
    // No transaction is open while the transport talks to the network.
    const absl::Status sent = transport_->Deliver(m);
    const absl::Time now = clock_->Now();
    // Decided before the transaction: a mark that fails (even before its
    // function ran) must know what the relay answered.
    const Decision decision = Decide(m, sent, now);
    const absl::Status marked = db_->RunInTransaction(
        [&](SQLite::Database& db) { return Mark(db, m, decision, now); });
    // NOT_FOUND: the row was deleted meanwhile (a purge); nothing to record.
    if (!marked.ok() && marked.code() != absl::StatusCode::kNotFound) {
      // A sent message is remembered and only its mark retried; any other
      // outcome is simply tried again after the lease.
      if (decision.outcome == Outcome::kSent) sent_unrecorded_.emplace_back(m.id, now);
      std::fprintf(stderr,
                   "{\"service\":\"%s\",\"event\":\"outbox_mark_failed\",\"id\":\"%s\","
                   "\"code\":%d}\n",
                   JsonEscape(options_.service).c_str(), JsonEscape(m.id).c_str(),
                   static_cast<int>(marked.code()));
      return marked;
    }
    if (decision.outcome != Outcome::kSent) last_failure = sent;
    Count(m, decision, sent, result);
  }
  LogFailures(options_.service, result, last_failure);
  return result;
}

absl::StatusOr<Deliverer::PassResult> Deliverer::RunOnceInProcess(
    const std::vector<OutboxMessage>& due, PassResult result) {
  // Claim and mark of each row in one transaction for them all: the same
  // checks and the same rows as the per-message path (a row deleted or
  // claimed since the read is skipped), one durable commit. The transport's
  // answers and the decisions (with their jitter) are made first, here on
  // the delivery thread; the transaction's function only writes (it may run
  // on another caller's thread: group commit).
  struct Attempt {
    const OutboxMessage* m;
    absl::Status sent;
    Decision decision;
    bool claimed = false;
  };
  if (due.empty()) return result;
  const absl::Time now = clock_->Now();
  std::vector<Attempt> attempts;
  attempts.reserve(due.size());
  for (const OutboxMessage& m : due) {
    absl::Status sent = transport_->Deliver(m);
    const Decision decision = Decide(m, sent, now);
    attempts.push_back({&m, std::move(sent), decision});
  }
  RETURN_IF_ERROR(db_->RunInTransaction([&](SQLite::Database& db) -> absl::Status {
    for (Attempt& a : attempts) {
      ASSIGN_OR_RETURN(a.claimed,
                       Claim(db, a.m->id, a.m->attempts, now, now + options_.lease));
      if (a.claimed) RETURN_IF_ERROR(Mark(db, *a.m, a.decision, now));
    }
    return absl::OkStatus();
  }));
  absl::Status last_failure;
  for (const Attempt& a : attempts) {
    if (!a.claimed) continue;
    if (a.decision.outcome != Outcome::kSent) last_failure = a.sent;
    Count(*a.m, a.decision, a.sent, result);
  }
  LogFailures(options_.service, result, last_failure);
  return result;
}

Deliverer::Decision Deliverer::Decide(const OutboxMessage& m, const absl::Status& sent,
                                     absl::Time now) const {
  Decision d;
  d.attempts = m.attempts + 1;
  const bool too_old = now - m.create_time >= options_.max_age;
  if (sent.ok()) {
    d.outcome = Outcome::kSent;
  } else if (IsTransient(sent) && d.attempts < options_.max_attempts && !too_old) {
    d.outcome = Outcome::kRetry;
    absl::Duration backoff = options_.initial_backoff;
    for (int i = 1; i < d.attempts && backoff < options_.max_backoff; ++i) backoff *= 2;
    d.next_attempt = now + std::min(backoff, options_.max_backoff) * Jitter();
    d.error = ErrorText(sent);
  } else {
    d.outcome = Outcome::kDead;
    d.error = ErrorText(sent);
  }
  return d;
}

absl::Status Deliverer::Mark(SQLite::Database& db, const OutboxMessage& m, const Decision& d,
                             absl::Time now) {
  switch (d.outcome) {
    case Outcome::kSent:
      return MarkSent(db, m.id, now);
    case Outcome::kRetry:
      return MarkRetry(db, m.id, d.attempts, d.next_attempt, d.error);
    case Outcome::kDead:
      break;
  }
  return MarkDead(db, m.id, d.attempts, now, d.error);
}

void Deliverer::Count(const OutboxMessage& m, const Decision& d, const absl::Status& sent,
                      PassResult& result) {
  switch (d.outcome) {
    case Outcome::kSent:
      ++result.sent;
      break;
    case Outcome::kRetry:
      ++result.retried;
      break;
    case Outcome::kDead:
      ++result.dead;
      std::fprintf(stderr,
                   "{\"service\":\"%s\",\"event\":\"outbox_dead\",\"id\":\"%s\","
                   "\"kind\":\"%s\",\"attempts\":%d,\"code\":%d}\n",
                   JsonEscape(options_.service).c_str(), JsonEscape(m.id).c_str(),
                   JsonEscape(m.kind).c_str(), d.attempts, static_cast<int>(sent.code()));
      break;
  }
}

absl::Status NoRelayTransport::Deliver(const OutboxMessage&) {
  return absl::UnavailableError("no relay configured");
}

absl::Status Deliverer::Housekeep() {
  const absl::Time now = clock_->Now();
  return db_->RunInTransaction([&](SQLite::Database& db) -> absl::Status {
    absl::StatusOr<int> pruned = PruneSent(db, now - options_.keep_sent);
    if (!pruned.ok()) return pruned.status();
    return ClearDead(db, now - options_.keep_dead).status();
  });
}

void Deliverer::Loop() {
  absl::Time last_prune = absl::InfinitePast();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
      poked_ = false;
    }
    const absl::Time now = clock_->Now();
    if (now - last_prune >= kPruneEvery) {
      last_prune = now;
      const absl::Status pruned = Housekeep();
      if (!pruned.ok()) {
        std::fprintf(stderr, "{\"service\":\"%s\",\"event\":\"outbox_prune_failed\",\"code\":%d}\n",
                     JsonEscape(options_.service).c_str(), static_cast<int>(pruned.code()));
      }
    }
    const absl::StatusOr<PassResult> pass = RunOnce();
    // Without a relay the attempts only age the rows towards DEAD: one
    // pass per poll interval, Pokes ignored, so a backlog (a burst of
    // applications) is worked off slowly instead of competing with the
    // requests that made it.
    const bool hurry = !transport_->InProcess();
    absl::Duration wait = options_.poll_interval;
    if (!pass.ok()) {
      std::fprintf(stderr, "{\"service\":\"%s\",\"event\":\"outbox_pass_failed\",\"code\":%d}\n",
                   JsonEscape(options_.service).c_str(), static_cast<int>(pass.status().code()));
    } else if (!hurry) {
      // poll_interval
    } else if (pass->sent + pass->retried + pass->dead >= options_.batch) {
      wait = absl::ZeroDuration();  // a full batch: more may be due
    } else {
      absl::StatusOr<std::optional<absl::Time>> next;
      const absl::Status read = db_->RunReadOnly([&](SQLite::Database& db) {
        next = NextDue(db);
        return next.status();
      });
      if (read.ok() && next->has_value()) {
        wait = std::max(absl::ZeroDuration(), std::min(wait, **next - clock_->Now()));
      }
    }
    absl::MutexLock lock(&mu_);
    auto woken = [this, hurry]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stop_ || (poked_ && hurry);
    };
    mu_.AwaitWithTimeout(absl::Condition(&woken), wait);
  }
}

}  // namespace kaizen::notify

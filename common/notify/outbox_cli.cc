#include "common/notify/outbox_cli.h"

#include <sys/stat.h>

#include <optional>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "SQLiteCpp/Transaction.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/notify/outbox.h"
#include "common/util/clock.h"

namespace kaizen::notify {
namespace {

constexpr char kUsage[] =
    "usage: kaizen_outbox --db=PATH list [--state=PENDING|SENT|DEAD] [--limit=N]\n"
    "       kaizen_outbox --db=PATH count\n"
    "       kaizen_outbox --db=PATH retry (--id=ID | --all_dead)\n"
    "       [--busy_timeout_ms=N] with any command (default 5000)\n";

struct Args {
  std::string db;
  std::string command;
  std::optional<OutboxState> state;
  int limit = 50;
  std::string id;
  bool all_dead = false;
  int busy_timeout_ms = 5000;
};

// "" when fine, else what is wrong.
std::string Parse(const std::vector<std::string>& args, Args* a) {
  for (const std::string& arg : args) {
    auto value = [&](absl::string_view flag) -> std::optional<std::string> {
      const std::string prefix = absl::StrCat("--", flag, "=");
      if (!absl::StartsWith(arg, prefix)) return std::nullopt;
      return arg.substr(prefix.size());
    };
    if (auto v = value("db")) {
      a->db = *v;
    } else if (auto v = value("state")) {
      if (*v == "PENDING") a->state = OutboxState::kPending;
      else if (*v == "SENT") a->state = OutboxState::kSent;
      else if (*v == "DEAD") a->state = OutboxState::kDead;
      else return "--state must be PENDING, SENT or DEAD";
    } else if (auto v = value("limit")) {
      if (!absl::SimpleAtoi(*v, &a->limit) || a->limit < 1 || a->limit > 100000) {
        return "--limit must be 1..100000";
      }
    } else if (auto v = value("id")) {
      if (v->empty()) return "--id must not be empty";
      a->id = *v;
    } else if (auto v = value("busy_timeout_ms")) {
      if (!absl::SimpleAtoi(*v, &a->busy_timeout_ms) || a->busy_timeout_ms < 0 ||
          a->busy_timeout_ms > 600000) {
        return "--busy_timeout_ms must be 0..600000";
      }
    } else if (arg == "--all_dead") {
      a->all_dead = true;
    } else if (absl::StartsWith(arg, "-")) {
      return absl::StrCat("unknown flag ", arg);
    } else if (a->command.empty()) {
      a->command = arg;
    } else {
      return absl::StrCat("unexpected argument ", arg);
    }
  }
  if (a->db.empty()) return "--db is required";
  if (a->command != "list" && a->command != "count" && a->command != "retry") {
    return "the command must be list, count or retry";
  }
  if (a->command == "retry" && a->id.empty() == !a->all_dead) {
    return "retry needs exactly one of --id=ID or --all_dead";
  }
  if (a->command != "retry" && (!a->id.empty() || a->all_dead)) {
    return "--id and --all_dead belong to retry";
  }
  if (a->command != "list" && a->state.has_value()) return "--state belongs to list";
  return "";
}

std::string Time(std::optional<absl::Time> t) {
  if (!t.has_value() || *t == absl::InfinitePast()) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", *t, TokyoTimeZone());
}

int Fail(std::ostream& err, const std::string& message) {
  err << "kaizen_outbox: " << message << "\n";
  return 1;
}

int Run(const Args& a, absl::Time now, std::ostream& out, std::ostream& err) {
  // SQLite would create a missing file; an operator's typo must not.
  struct stat st;
  if (stat(a.db.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Fail(err, absl::StrCat(a.db, " does not exist or is not a file (nothing created)"));
  }
  SQLite::Database db(a.db, SQLite::OPEN_READWRITE);
  db.setBusyTimeout(a.busy_timeout_ms);
  db.exec("PRAGMA synchronous = FULL");
  {
    SQLite::Statement table(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                "name = 'outbox'");
    if (!table.executeStep()) return Fail(err, absl::StrCat(a.db, " has no outbox table"));
  }
  if (a.command == "list") {
    SQLite::Transaction tx(db);  // one consistent snapshot
    absl::StatusOr<std::vector<OutboxMessage>> rows = List(db, a.state, a.limit);
    if (!rows.ok()) return Fail(err, std::string(rows.status().message()));
    out << "id\tkind\tstate\tattempts\trecipient\tcreated\tnext_attempt\tdone\tlast_error\n";
    for (const OutboxMessage& m : *rows) {
      out << m.id << "\t" << m.kind << "\t" << OutboxStateName(m.state) << "\t" << m.attempts
          << "\t" << (m.recipient.empty() ? "-" : m.recipient) << "\t" << Time(m.create_time)
          << "\t" << (m.state == OutboxState::kPending ? Time(m.next_attempt) : "-") << "\t"
          << Time(m.done_time) << "\t" << (m.last_error.empty() ? "-" : m.last_error) << "\n";
    }
    tx.commit();
    return 0;
  }
  if (a.command == "count") {
    SQLite::Transaction tx(db);
    absl::StatusOr<OutboxCounts> counts = Count(db);
    if (!counts.ok()) return Fail(err, std::string(counts.status().message()));
    out << "pending\t" << counts->pending << "\nsent\t" << counts->sent << "\ndead\t"
        << counts->dead << "\noldest_pending\t" << Time(counts->oldest_pending) << "\n";
    tx.commit();
    return 0;
  }
  // retry: a write, serialised with the service's writer by BEGIN IMMEDIATE.
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  absl::StatusOr<int> retried = RetryDead(db, a.id, now);
  if (!retried.ok()) return Fail(err, std::string(retried.status().message()));
  if (!a.id.empty() && *retried == 0) {
    return Fail(err, absl::StrCat("no DEAD message with id ", a.id));
  }
  tx.commit();
  out << "retried\t" << *retried << "\n";
  return 0;
}

}  // namespace

int RunOutboxCli(const std::vector<std::string>& args, absl::Time now, std::ostream& out,
                 std::ostream& err) {
  Args a;
  const std::string problem = Parse(args, &a);
  if (!problem.empty()) {
    err << "kaizen_outbox: " << problem << "\n" << kUsage;
    return 2;
  }
  try {
    return Run(a, now, out, err);
  } catch (const SQLite::Exception& e) {
    // SQLite's own words (e.g. "database is locked"): no data in them.
    return Fail(err, absl::StrCat("database error: ", e.what()));
  }
}

}  // namespace kaizen::notify

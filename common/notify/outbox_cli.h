// kaizen_outbox: the operator's view of a service's outbox (outbox.h), run
// against the service's live database file:
//
//   kaizen_outbox --db=PATH list [--state=PENDING|SENT|DEAD] [--limit=N]
//   kaizen_outbox --db=PATH count
//   kaizen_outbox --db=PATH retry (--id=ID | --all_dead)
//
// It opens the file with SQLiteCpp directly, never through
// storage::Database::Open (which would migrate the schema under a running
// service), never creates it (a missing file is an error), waits for the
// service's writer up to --busy_timeout_ms (default 5000), and writes only
// in `retry` (one BEGIN IMMEDIATE transaction). Recipients are printed
// masked ("t***@example.jp"); payloads never.
//
// Exit codes: 0 done, 1 failed (message on `err`), 2 usage error.
#ifndef KAIZEN_COMMON_NOTIFY_OUTBOX_CLI_H_
#define KAIZEN_COMMON_NOTIFY_OUTBOX_CLI_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace kaizen::notify {

// `args` without the program name; `now` is when a retried row becomes due.
int RunOutboxCli(const std::vector<std::string>& args, absl::Time now, std::ostream& out,
                 std::ostream& err);

}  // namespace kaizen::notify

#endif  // KAIZEN_COMMON_NOTIFY_OUTBOX_CLI_H_

// Typed options every Kaizen gRPC server takes. Built once per binary from
// flags and environment variables (ServerOptionsFromFlags); libraries take the
// struct and never read flags themselves.
#ifndef KAIZEN_COMMON_SERVER_OPTIONS_H_
#define KAIZEN_COMMON_SERVER_OPTIONS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kaizen::server {

struct ServerOptions {
  // Short service name for logs and metrics, e.g. "enrollment".
  std::string service_name;
  // host:port to listen on; port 0 picks a free port (tests).
  std::string listen_address = "127.0.0.1:0";
  // SQLite database file, or ":memory:".
  std::string database_path = ":memory:";
  // Upper bound on threads gRPC may use for this server (sync handlers block
  // on SQLite, so this bounds concurrent handlers too). gRPC's own polling
  // threads count against it: at 16, 16 concurrent callers already got
  // RESOURCE_EXHAUSTED ("Server Threadpool Exhausted") in the gateway
  // benchmark, so the default leaves room for a gateway's fan-in.
  int max_threads = 64;
  // Largest request or response message.
  int max_message_bytes = 4 * 1024 * 1024;
  // On SIGTERM/SIGINT: how long in-flight calls may run before they are
  // cancelled.
  absl::Duration drain_deadline = absl::Seconds(10);
  // Shared with the gateway; verifies forwarded principals. >= 16 bytes.
  std::string internal_secret;
  // Key for page tokens; >= 16 bytes, same on every replica.
  std::string page_token_key;
  // Write one JSON access-log line per call to stderr.
  bool access_log = true;
  // If set, the bound port is written here once the server listens (for
  // supervisors and tests that start it on port 0).
  std::string port_file;
};

// Reads the flags below, each overridable by an environment variable (flag
// wins when given on the command line):
//   --listen  KAIZEN_LISTEN  (default 127.0.0.1:<default_port>)
//   --db      KAIZEN_DB      (default ./var/<service>.db)
//   --threads KAIZEN_THREADS
//   --max_message_bytes KAIZEN_MAX_MESSAGE_BYTES
//   --drain_seconds KAIZEN_DRAIN_SECONDS
//   --internal_secret_file KAIZEN_INTERNAL_SECRET (value) / _FILE (path)
//   --page_token_key KAIZEN_PAGE_TOKEN_KEY
//   --access_log KAIZEN_ACCESS_LOG
//   --port_file KAIZEN_PORT_FILE
// INVALID_ARGUMENT naming the flag when a value is bad or a secret missing.
absl::StatusOr<ServerOptions> ServerOptionsFromFlags(
    const std::string& service_name, int default_port);

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_OPTIONS_H_

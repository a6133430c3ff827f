// Typed options every Kaizen gRPC server takes. Built once per binary from
// flags and environment variables (ServerOptionsFromFlags); libraries take the
// struct and never read flags themselves.
#ifndef KAIZEN_COMMON_SERVER_OPTIONS_H_
#define KAIZEN_COMMON_SERVER_OPTIONS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/keys.h"
#include "common/auth/tls.h"
#include "common/server/connection_options.h"

namespace kaizen::server {

struct ServerOptions {
  // Short service name for logs and metrics, e.g. "enrollment".
  std::string service_name;
  // host:port to listen on; port 0 picks a free port (tests).
  std::string listen_address = "127.0.0.1:0";
  // SQLite database file, or ":memory:".
  std::string database_path = ":memory:";
  // Handler threads: the workers of the server's CallExecutor
  // (call_executor.h) that run every call of the service. Handlers block on
  // SQLite and on the group commit, and a write waits for its batch on its
  // worker, so the workers bound the batch: a group commit is at most as
  // large as the writers waiting at once (writes defined with
  // KAIZEN_DEFINE_WRITE_RPC hold no worker, unary_call.h). 64 (the spec's 64 simultaneous
  // applicants) lets a burst share commits: with 16, 64 writers made batches
  // of ~11 and ~30 % fewer creates per second (docs/benchmarks.md, seventh
  // look). An idle worker costs its stack's touched pages (~10 KB).
  int handler_threads = 64;
  // Calls that may wait for a handler thread; past this bound a call is
  // answered RESOURCE_EXHAUSTED SERVER_OVERLOADED with retry advice.
  int max_queued_calls = 1024;
  // Largest request or response message.
  int max_message_bytes = 4 * 1024 * 1024;
  // On SIGTERM/SIGINT: how long in-flight calls may run before they are
  // cancelled.
  absl::Duration drain_deadline = absl::Seconds(10);
  // Shared with the gateway: the current internal secret (>= 16 bytes). No
  // purpose uses it directly; `keys` holds what is derived from it.
  std::string internal_secret;
  // Keys per purpose (common/auth/keys.h): derived from the internal secret
  // file's secrets (current first, then previous ones still accepted), or
  // from a purpose's own file (--principal_key_file,
  // --applicant_link_key_file). Empty in a ServerOptions built by hand.
  auth::ServiceKeys keys;
  // Key for page tokens, same on every replica: keys.page_tokens.current(),
  // or the --page_token_key value itself when that is given.
  std::string page_token_key;
  // Lifetime of the principal credentials this process signs (the gateway's
  // forwarded callers, a service's calls to another service).
  absl::Duration principal_lifetime = absl::Seconds(60);
  // TLS on this server's gRPC port; plaintext when not enabled.
  auth::TlsServerConfig tls;
  // TLS for this process's calls to other Kaizen services (the gateway's
  // backends, a service's enrollment or scheduling client).
  auth::TlsClientConfig backend_tls;
  // Write one JSON access-log line per call to stderr.
  bool access_log = true;
  // If set, the bound port is written here once the server listens (for
  // supervisors and tests that start it on port 0).
  std::string port_file;
  // host:port of the HTTP listener that serves GET /metrics (Prometheus text,
  // common/server/metrics_http.h); empty (the default) serves none. Port 0
  // picks a free port, reported in the "metrics_listening" log line.
  std::string metrics_listen;
  // Serve gRPC server reflection (unauthenticated: it lists every service and
  // method). For development only; off by default.
  bool reflection = false;
  // Create the database file (and its directory) when it is missing; without
  // it a service creates one only on a first run (DatabaseOptions::init,
  // common/storage/database.h). main() copies it into DatabaseOptions::init.
  bool init_database = false;
  // Coalesce the WAL's writes (DatabaseOptions::buffer_wal_writes,
  // common/storage/wal_buffer_vfs.h); main() copies it. false: SQLite's own
  // two write calls per frame, an escape hatch that costs ~10 % of write
  // throughput.
  bool wal_buffer = true;
  // Keepalive, idle and age limits of the gRPC port (documented defaults).
  ConnectionOptions connection;
};

// The value a flag was given on the command line, else environment variable
// `env`, else "": how every Kaizen binary (services and gateway) reads a
// setting.
std::string FlagOrEnv(const std::string& flag_value, const char* env);

// Reads the flags below, each overridable by an environment variable (flag
// wins when given on the command line):
//   --listen  KAIZEN_LISTEN  (default 127.0.0.1:<default_port>)
//   --db      KAIZEN_DB      (default ./var/<service>.db)
//   --threads KAIZEN_THREADS (handler threads)
//   --max_queued_calls KAIZEN_MAX_QUEUED_CALLS
//   --max_message_bytes KAIZEN_MAX_MESSAGE_BYTES
//   --drain_seconds KAIZEN_DRAIN_SECONDS
//   --internal_secret_file KAIZEN_INTERNAL_SECRET (value) / _FILE (path):
//       one secret per line, the current one first, then previous ones
//   --principal_key_file KAIZEN_PRINCIPAL_KEY_FILE (own secrets for
//       principal forwarding, same format)
//   --applicant_link_key_file KAIZEN_APPLICANT_LINK_KEY_FILE (own secret
//       for applicant links; only the first line is used)
//   --page_token_key KAIZEN_PAGE_TOKEN_KEY (the key itself; legacy)
//   --principal_lifetime_seconds KAIZEN_PRINCIPAL_LIFETIME_SECONDS (1..300)
//   --tls_cert_file --tls_key_file --tls_client_ca_file (KAIZEN_TLS_*_FILE)
//   --backend_tls_ca_file --backend_tls_cert_file --backend_tls_key_file
//       (KAIZEN_BACKEND_TLS_*_FILE)
//   --access_log KAIZEN_ACCESS_LOG
//   --port_file KAIZEN_PORT_FILE
//   --metrics_listen KAIZEN_METRICS_LISTEN (default empty: no metrics port)
//   --reflection KAIZEN_REFLECTION (default false; development only)
//   --init KAIZEN_INIT (default false: create a missing database only on a
//       first run)
//   --wal_buffer KAIZEN_WAL_BUFFER (true/false, default true)
// INVALID_ARGUMENT naming the flag when a value is bad or a secret missing.
absl::StatusOr<ServerOptions> ServerOptionsFromFlags(
    const std::string& service_name, int default_port);

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_OPTIONS_H_

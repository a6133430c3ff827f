#include "common/server/options.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <tuple>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/server/security_flags.h"
#include "common/status/errors.h"

ABSL_FLAG(std::string, listen, "", "host:port to listen on (env KAIZEN_LISTEN)");
ABSL_FLAG(std::string, db, "", "SQLite database path (env KAIZEN_DB)");
ABSL_FLAG(int, threads, 0, "handler threads, default 64 (env KAIZEN_THREADS)");
ABSL_FLAG(int, max_queued_calls, 0,
          "calls that may wait for a handler thread before the server answers "
          "RESOURCE_EXHAUSTED, default 1024 (env KAIZEN_MAX_QUEUED_CALLS)");
ABSL_FLAG(int, max_message_bytes, 0,
          "max message size (env KAIZEN_MAX_MESSAGE_BYTES)");
ABSL_FLAG(int, drain_seconds, -1,
          "graceful drain deadline (env KAIZEN_DRAIN_SECONDS)");
// The secret, key and TLS flags are in security_flags.cc.
ABSL_FLAG(std::string, access_log, "", "true/false (env KAIZEN_ACCESS_LOG)");
ABSL_FLAG(std::string, port_file, "",
          "write the bound port here once listening (env KAIZEN_PORT_FILE)");
ABSL_FLAG(bool, reflection, false,
          "serve gRPC server reflection, unauthenticated; development only "
          "(env KAIZEN_REFLECTION=true)");
ABSL_FLAG(bool, init, false,
          "create the database (and its directory) if it is missing, instead of "
          "refusing to start (env KAIZEN_INIT=true)");
ABSL_FLAG(std::string, wal_buffer, "",
          "true/false: coalesce the WAL's writes, default true (env KAIZEN_WAL_BUFFER)");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port serving GET /metrics over HTTP; empty: none "
          "(env KAIZEN_METRICS_LISTEN)");

namespace kaizen::server {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

absl::Status ParseInt(const std::string& text, const char* flag, int min,
                      int* out) {
  if (text.empty()) return absl::OkStatus();
  int v;
  if (!absl::SimpleAtoi(text, &v) || v < min) {
    return errors::InvalidField(
        flag, absl::StrCat("must be an integer >= ", min, ", got '", text, "'"),
        "INVALID_FLAG");
  }
  *out = v;
  return absl::OkStatus();
}

}  // namespace

std::string FlagOrEnv(const std::string& flag_value, const char* env) {
  return flag_value.empty() ? Env(env) : flag_value;
}

absl::StatusOr<ServerOptions> ServerOptionsFromFlags(
    const std::string& service_name, int default_port) {
  ServerOptions o;
  o.service_name = service_name;
  o.listen_address = FlagOrEnv(absl::GetFlag(FLAGS_listen), "KAIZEN_LISTEN");
  if (o.listen_address.empty()) {
    o.listen_address = absl::StrCat("127.0.0.1:", default_port);
  }
  o.database_path = FlagOrEnv(absl::GetFlag(FLAGS_db), "KAIZEN_DB");
  if (o.database_path.empty()) {
    o.database_path = absl::StrCat("./var/", service_name, ".db");
  }

  auto int_flag = [](int flag_value, int unset) {
    return flag_value == unset ? std::string() : absl::StrCat(flag_value);
  };
  absl::Status s = ParseInt(
      FlagOrEnv(int_flag(absl::GetFlag(FLAGS_threads), 0), "KAIZEN_THREADS"),
      "threads", 1, &o.handler_threads);
  if (!s.ok()) return s;
  s = ParseInt(FlagOrEnv(int_flag(absl::GetFlag(FLAGS_max_queued_calls), 0),
                         "KAIZEN_MAX_QUEUED_CALLS"),
               "max_queued_calls", 1, &o.max_queued_calls);
  if (!s.ok()) return s;
  s = ParseInt(FlagOrEnv(int_flag(absl::GetFlag(FLAGS_max_message_bytes), 0),
                    "KAIZEN_MAX_MESSAGE_BYTES"),
               "max_message_bytes", 1024, &o.max_message_bytes);
  if (!s.ok()) return s;
  int drain = -1;
  s = ParseInt(FlagOrEnv(int_flag(absl::GetFlag(FLAGS_drain_seconds), -1),
                    "KAIZEN_DRAIN_SECONDS"),
               "drain_seconds", 0, &drain);
  if (!s.ok()) return s;
  if (drain >= 0) o.drain_deadline = absl::Seconds(drain);

  // Secrets, keys per purpose, principal lifetime, TLS.
  s = internal::ReadSecurityFlags(&o);
  if (!s.ok()) return s;
  std::string access_log =
      FlagOrEnv(absl::GetFlag(FLAGS_access_log), "KAIZEN_ACCESS_LOG");
  if (!access_log.empty()) o.access_log = access_log != "false";
  const std::string wal_buffer = FlagOrEnv(absl::GetFlag(FLAGS_wal_buffer), "KAIZEN_WAL_BUFFER");
  if (wal_buffer == "false" || wal_buffer == "0") {
    o.wal_buffer = false;
  } else if (wal_buffer != "" && wal_buffer != "true" && wal_buffer != "1") {
    return errors::InvalidField("wal_buffer", "must be true or false", "INVALID_FLAG");
  }
  o.port_file = FlagOrEnv(absl::GetFlag(FLAGS_port_file), "KAIZEN_PORT_FILE");
  o.metrics_listen = FlagOrEnv(absl::GetFlag(FLAGS_metrics_listen), "KAIZEN_METRICS_LISTEN");
  // Boolean switches: the flag turns them on, or the variable set to
  // true/1; anything else in the variable but false/0/"" is an error.
  for (auto [flag_value, env, field, out] :
       {std::tuple{absl::GetFlag(FLAGS_reflection), "KAIZEN_REFLECTION", "reflection",
                   &o.reflection},
        std::tuple{absl::GetFlag(FLAGS_init), "KAIZEN_INIT", "init", &o.init_database}}) {
    const std::string value = Env(env);
    if (value != "" && value != "true" && value != "1" && value != "false" && value != "0") {
      return errors::InvalidField(field, absl::StrCat(env, " must be true or false"),
                                  "INVALID_FLAG");
    }
    *out = flag_value || value == "true" || value == "1";
  }
  if (!o.metrics_listen.empty()) {
    const size_t colon = o.metrics_listen.rfind(':');
    int port = -1;
    if (colon == std::string::npos || colon == 0 ||
        !absl::SimpleAtoi(o.metrics_listen.substr(colon + 1), &port) || port < 0 ||
        port > 65535) {
      return errors::InvalidField("metrics_listen",
                                  "expected host:port, e.g. 0.0.0.0:9100 (empty: off)",
                                  "INVALID_FLAG");
    }
  }
  return o;
}

}  // namespace kaizen::server

#include "common/server/options.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"

ABSL_FLAG(std::string, listen, "", "host:port to listen on (env KAIZEN_LISTEN)");
ABSL_FLAG(std::string, db, "", "SQLite database path (env KAIZEN_DB)");
ABSL_FLAG(int, threads, 0, "max gRPC threads (env KAIZEN_THREADS)");
ABSL_FLAG(int, max_message_bytes, 0,
          "max message size (env KAIZEN_MAX_MESSAGE_BYTES)");
ABSL_FLAG(int, drain_seconds, -1,
          "graceful drain deadline (env KAIZEN_DRAIN_SECONDS)");
ABSL_FLAG(std::string, internal_secret_file, "",
          "file holding the gateway-service secret (env KAIZEN_INTERNAL_SECRET "
          "or KAIZEN_INTERNAL_SECRET_FILE)");
ABSL_FLAG(std::string, page_token_key, "",
          "page token key (env KAIZEN_PAGE_TOKEN_KEY)");
ABSL_FLAG(std::string, access_log, "", "true/false (env KAIZEN_ACCESS_LOG)");
ABSL_FLAG(std::string, port_file, "",
          "write the bound port here once listening (env KAIZEN_PORT_FILE)");

namespace kaizen::server {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// Flag if set, else environment, else "".
std::string Pick(const std::string& flag_value, const char* env) {
  return flag_value.empty() ? Env(env) : flag_value;
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

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return errors::InvalidField("internal_secret_file",
                                "cannot read the secret file", "INVALID_FLAG");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(ss.str()));
}

}  // namespace

absl::StatusOr<ServerOptions> ServerOptionsFromFlags(
    const std::string& service_name, int default_port) {
  ServerOptions o;
  o.service_name = service_name;
  o.listen_address = Pick(absl::GetFlag(FLAGS_listen), "KAIZEN_LISTEN");
  if (o.listen_address.empty()) {
    o.listen_address = absl::StrCat("127.0.0.1:", default_port);
  }
  o.database_path = Pick(absl::GetFlag(FLAGS_db), "KAIZEN_DB");
  if (o.database_path.empty()) {
    o.database_path = absl::StrCat("./var/", service_name, ".db");
  }

  auto int_flag = [](int flag_value, int unset) {
    return flag_value == unset ? std::string() : absl::StrCat(flag_value);
  };
  absl::Status s = ParseInt(
      Pick(int_flag(absl::GetFlag(FLAGS_threads), 0), "KAIZEN_THREADS"),
      "threads", 2, &o.max_threads);
  if (!s.ok()) return s;
  s = ParseInt(Pick(int_flag(absl::GetFlag(FLAGS_max_message_bytes), 0),
                    "KAIZEN_MAX_MESSAGE_BYTES"),
               "max_message_bytes", 1024, &o.max_message_bytes);
  if (!s.ok()) return s;
  int drain = -1;
  s = ParseInt(Pick(int_flag(absl::GetFlag(FLAGS_drain_seconds), -1),
                    "KAIZEN_DRAIN_SECONDS"),
               "drain_seconds", 0, &drain);
  if (!s.ok()) return s;
  if (drain >= 0) o.drain_deadline = absl::Seconds(drain);

  std::string secret_file = absl::GetFlag(FLAGS_internal_secret_file);
  if (secret_file.empty()) secret_file = Env("KAIZEN_INTERNAL_SECRET_FILE");
  if (!secret_file.empty()) {
    auto secret = ReadSecretFile(secret_file);
    if (!secret.ok()) return secret.status();
    o.internal_secret = *secret;
  } else {
    o.internal_secret = Env("KAIZEN_INTERNAL_SECRET");
  }
  if (o.internal_secret.size() < 16) {
    return errors::InvalidField(
        "internal_secret_file",
        "an internal secret of at least 16 bytes is required "
        "(KAIZEN_INTERNAL_SECRET or --internal_secret_file)",
        "INVALID_FLAG");
  }
  o.page_token_key =
      Pick(absl::GetFlag(FLAGS_page_token_key), "KAIZEN_PAGE_TOKEN_KEY");
  if (o.page_token_key.empty()) o.page_token_key = o.internal_secret;
  std::string access_log =
      Pick(absl::GetFlag(FLAGS_access_log), "KAIZEN_ACCESS_LOG");
  if (!access_log.empty()) o.access_log = access_log != "false";
  o.port_file = Pick(absl::GetFlag(FLAGS_port_file), "KAIZEN_PORT_FILE");
  return o;
}

}  // namespace kaizen::server

#include "services/gateway/gateway_options.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/server/options.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

ABSL_FLAG(std::string, http_listen, "", "HTTP host:port (env KAIZEN_HTTP_LISTEN)");
ABSL_FLAG(std::string, grpc_listen, "", "gRPC host:port or 'off' (env KAIZEN_GRPC_LISTEN)");
ABSL_FLAG(std::string, http_port_file, "", "write the HTTP port here (env KAIZEN_HTTP_PORT_FILE)");
ABSL_FLAG(std::string, grpc_port_file, "", "write the gRPC port here (env KAIZEN_GRPC_PORT_FILE)");
ABSL_FLAG(std::string, backends, "",
          "comma-separated <proto service full name>=<host:port> (env KAIZEN_BACKENDS)");
ABSL_FLAG(std::string, io_threads, "", "HTTP I/O threads (env KAIZEN_IO_THREADS)");
ABSL_FLAG(std::string, max_body_bytes, "", "largest HTTP body (env KAIZEN_MAX_BODY_BYTES)");
ABSL_FLAG(std::string, backend_deadline_ms, "",
          "deadline of every backend call (env KAIZEN_BACKEND_DEADLINE_MS)");
ABSL_FLAG(std::string, max_page_size, "", "page_size cap (env KAIZEN_MAX_PAGE_SIZE)");
ABSL_FLAG(std::string, rate_limit_per_second, "",
          "requests per second per principal, 0 = off (env KAIZEN_RATE_LIMIT_PER_SECOND)");
ABSL_FLAG(std::string, rate_limit_burst, "", "burst per principal (env KAIZEN_RATE_LIMIT_BURST)");
ABSL_FLAG(std::string, jwt_hs256_secret_file, "",
          "HS256 secret file (env KAIZEN_JWT_HS256_SECRET_FILE)");
ABSL_FLAG(std::string, jwt_rs256_public_key_file, "",
          "RS256 PEM public key file (env KAIZEN_JWT_RS256_PUBLIC_KEY_FILE)");
ABSL_FLAG(std::string, jwt_issuer, "", "required JWT iss (env KAIZEN_JWT_ISSUER)");
ABSL_FLAG(std::string, jwt_audience, "", "required JWT aud (env KAIZEN_JWT_AUDIENCE)");
ABSL_FLAG(std::string, jwt_max_lifetime_seconds, "",
          "longest JWT lifetime accepted, default 86400 (env KAIZEN_JWT_MAX_LIFETIME_SECONDS)");
ABSL_FLAG(std::string, max_connections_per_ip, "",
          "HTTP connections per client address, default 64, 0 = no cap "
          "(env KAIZEN_MAX_CONNECTIONS_PER_IP)");
ABSL_FLAG(std::string, http_header_timeout_ms, "",
          "time to receive a request head, default 10000 (env KAIZEN_HTTP_HEADER_TIMEOUT_MS)");
ABSL_FLAG(std::string, http_idle_timeout_ms, "",
          "keep-alive idle timeout, default 60000 (env KAIZEN_HTTP_IDLE_TIMEOUT_MS)");
ABSL_FLAG(std::string, api_keys_file, "", "partner API key file (env KAIZEN_API_KEYS_FILE)");
ABSL_FLAG(std::string, cors_origins, "", "allowed browser origins (env KAIZEN_CORS_ORIGINS)");
ABSL_FLAG(std::string, openapi_servers, "",
          "OpenAPI server URLs, comma-separated (env KAIZEN_OPENAPI_SERVERS)");

// Defined by common/server/options.cc.
ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, port_file);

namespace kaizen::gateway {
namespace {

using ::kaizen::server::FlagOrEnv;

absl::Status Bad(const char* flag, absl::string_view why) {
  return errors::InvalidField(flag, why, "INVALID_FLAG");
}

template <typename T>
absl::Status ParseNumber(const std::string& text, const char* flag, T min, T* out) {
  if (text.empty()) return absl::OkStatus();
  T v;
  if (!absl::SimpleAtoi(text, &v) || v < min) {
    return Bad(flag, absl::StrCat("must be an integer >= ", min));
  }
  *out = v;
  return absl::OkStatus();
}

absl::Status ParseDouble(const std::string& text, const char* flag, double* out) {
  if (text.empty()) return absl::OkStatus();
  double v;
  if (!absl::SimpleAtod(text, &v) || v < 0) return Bad(flag, "must be a number >= 0");
  *out = v;
  return absl::OkStatus();
}

// The contents of `path` ("" when path is empty). Never echoes contents.
absl::StatusOr<std::string> ReadFile(const std::string& path, const char* flag) {
  if (path.empty()) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad(flag, "cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

absl::StatusOr<GatewayOptions> GatewayOptionsFromFlags() {
  if (!absl::GetFlag(FLAGS_listen).empty()) {
    return Bad("listen", "the gateway listens on --http_listen and --grpc_listen");
  }
  if (!absl::GetFlag(FLAGS_port_file).empty()) {
    return Bad("port_file", "use --http_port_file and --grpc_port_file");
  }
  // The internal secret, drain deadline, access log and message size, read
  // the same way as by every Kaizen server.
  ASSIGN_OR_RETURN(server::ServerOptions common,
                   server::ServerOptionsFromFlags("gateway", 9090));
  GatewayOptions o;
  o.internal_secret = common.internal_secret;
  o.principal_keys = common.keys.principal_forwarding;
  o.principal_lifetime = common.principal_lifetime;
  o.backend_tls = common.backend_tls;
  if (common.tls.enabled()) {
    return Bad("tls_cert_file",
               "the gateway's own ports do not terminate TLS; use --backend_tls_ca_file for "
               "TLS to the services and a TLS-terminating proxy in front of the gateway");
  }
  o.drain_deadline = common.drain_deadline;
  o.access_log = common.access_log;
  o.max_message_bytes = common.max_message_bytes;

  o.http_listen = FlagOrEnv(absl::GetFlag(FLAGS_http_listen), "KAIZEN_HTTP_LISTEN");
  if (o.http_listen.empty()) o.http_listen = "127.0.0.1:8080";
  o.grpc_listen = FlagOrEnv(absl::GetFlag(FLAGS_grpc_listen), "KAIZEN_GRPC_LISTEN");
  if (o.grpc_listen.empty()) o.grpc_listen = "127.0.0.1:9090";
  if (o.grpc_listen == "off") o.grpc_listen.clear();
  o.http_port_file = FlagOrEnv(absl::GetFlag(FLAGS_http_port_file), "KAIZEN_HTTP_PORT_FILE");
  o.grpc_port_file = FlagOrEnv(absl::GetFlag(FLAGS_grpc_port_file), "KAIZEN_GRPC_PORT_FILE");
  ASSIGN_OR_RETURN(o.backends,
                   ParseBackends(FlagOrEnv(absl::GetFlag(FLAGS_backends), "KAIZEN_BACKENDS")));

  RETURN_IF_ERROR(ParseNumber(FlagOrEnv(absl::GetFlag(FLAGS_io_threads), "KAIZEN_IO_THREADS"),
                              "io_threads", 1, &o.io_threads));
  if (o.io_threads > 64) return Bad("io_threads", "must be at most 64");
  RETURN_IF_ERROR(ParseNumber<size_t>(
      FlagOrEnv(absl::GetFlag(FLAGS_max_body_bytes), "KAIZEN_MAX_BODY_BYTES"), "max_body_bytes", 1,
      &o.max_body_bytes));
  int64_t deadline_ms = -1;
  RETURN_IF_ERROR(ParseNumber<int64_t>(
      FlagOrEnv(absl::GetFlag(FLAGS_backend_deadline_ms), "KAIZEN_BACKEND_DEADLINE_MS"),
      "backend_deadline_ms", 1, &deadline_ms));
  if (deadline_ms > 0) o.backend_deadline = absl::Milliseconds(deadline_ms);
  RETURN_IF_ERROR(ParseNumber(FlagOrEnv(absl::GetFlag(FLAGS_max_page_size), "KAIZEN_MAX_PAGE_SIZE"),
                              "max_page_size", 1, &o.max_page_size));
  RETURN_IF_ERROR(ParseDouble(
      FlagOrEnv(absl::GetFlag(FLAGS_rate_limit_per_second), "KAIZEN_RATE_LIMIT_PER_SECOND"),
      "rate_limit_per_second", &o.rate_limit.per_second));
  RETURN_IF_ERROR(
      ParseDouble(FlagOrEnv(absl::GetFlag(FLAGS_rate_limit_burst), "KAIZEN_RATE_LIMIT_BURST"),
                  "rate_limit_burst", &o.rate_limit.burst));

  ASSIGN_OR_RETURN(std::string hs256,
                   ReadFile(FlagOrEnv(absl::GetFlag(FLAGS_jwt_hs256_secret_file),
                                 "KAIZEN_JWT_HS256_SECRET_FILE"),
                            "jwt_hs256_secret_file"));
  o.jwt.hs256_secret = std::string(absl::StripAsciiWhitespace(hs256));
  ASSIGN_OR_RETURN(o.jwt.rs256_public_key_pem,
                   ReadFile(FlagOrEnv(absl::GetFlag(FLAGS_jwt_rs256_public_key_file),
                                 "KAIZEN_JWT_RS256_PUBLIC_KEY_FILE"),
                            "jwt_rs256_public_key_file"));
  o.jwt.issuer = FlagOrEnv(absl::GetFlag(FLAGS_jwt_issuer), "KAIZEN_JWT_ISSUER");
  o.jwt.audience = FlagOrEnv(absl::GetFlag(FLAGS_jwt_audience), "KAIZEN_JWT_AUDIENCE");
  int64_t lifetime_s = -1;
  RETURN_IF_ERROR(ParseNumber<int64_t>(
      FlagOrEnv(absl::GetFlag(FLAGS_jwt_max_lifetime_seconds), "KAIZEN_JWT_MAX_LIFETIME_SECONDS"),
      "jwt_max_lifetime_seconds", 1, &lifetime_s));
  if (lifetime_s > 0) o.jwt.max_lifetime = absl::Seconds(lifetime_s);
  RETURN_IF_ERROR(ParseNumber(
      FlagOrEnv(absl::GetFlag(FLAGS_max_connections_per_ip), "KAIZEN_MAX_CONNECTIONS_PER_IP"),
      "max_connections_per_ip", 0, &o.max_connections_per_ip));
  int64_t header_ms = -1;
  RETURN_IF_ERROR(ParseNumber<int64_t>(
      FlagOrEnv(absl::GetFlag(FLAGS_http_header_timeout_ms), "KAIZEN_HTTP_HEADER_TIMEOUT_MS"),
      "http_header_timeout_ms", 1, &header_ms));
  if (header_ms > 0) o.http_header_timeout = absl::Milliseconds(header_ms);
  int64_t idle_ms = -1;
  RETURN_IF_ERROR(ParseNumber<int64_t>(
      FlagOrEnv(absl::GetFlag(FLAGS_http_idle_timeout_ms), "KAIZEN_HTTP_IDLE_TIMEOUT_MS"),
      "http_idle_timeout_ms", 1, &idle_ms));
  if (idle_ms > 0) o.http_idle_timeout = absl::Milliseconds(idle_ms);
  ASSIGN_OR_RETURN(o.api_keys,
                   ReadFile(FlagOrEnv(absl::GetFlag(FLAGS_api_keys_file), "KAIZEN_API_KEYS_FILE"),
                            "api_keys_file"));
  for (absl::string_view origin : absl::StrSplit(
           FlagOrEnv(absl::GetFlag(FLAGS_cors_origins), "KAIZEN_CORS_ORIGINS"), ',',
           absl::SkipWhitespace())) {
    origin = absl::StripAsciiWhitespace(origin);
    if (origin == "*") return Bad("cors_origins", "list origins exactly; '*' is not allowed");
    o.cors_origins.emplace_back(origin);
  }
  for (absl::string_view url : absl::StrSplit(
           FlagOrEnv(absl::GetFlag(FLAGS_openapi_servers), "KAIZEN_OPENAPI_SERVERS"), ',',
           absl::SkipWhitespace())) {
    url = absl::StripAsciiWhitespace(url);
    const bool scheme = absl::StartsWith(url, "https://") || absl::StartsWith(url, "http://");
    if (!scheme || url.size() > 200 || absl::StrContains(url, " ") || absl::StrContains(url, "\"")) {
      return Bad("openapi_servers", "list absolute http:// or https:// URLs without spaces");
    }
    o.openapi_servers.emplace_back(url);
  }
  return o;
}

}  // namespace kaizen::gateway

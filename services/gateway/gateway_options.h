// Typed options of the gateway, built once in main from flags and
// environment variables (a flag given on the command line wins over its
// variable). Tests build the struct by hand.
//
//   --http_listen        KAIZEN_HTTP_LISTEN       127.0.0.1:8080
//   --grpc_listen        KAIZEN_GRPC_LISTEN       127.0.0.1:9090 ("off": none)
//   --http_port_file     KAIZEN_HTTP_PORT_FILE    bound HTTP port written here
//   --grpc_port_file     KAIZEN_GRPC_PORT_FILE    bound gRPC port written here
//   --backends           KAIZEN_BACKENDS          svc=host:port,... (required)
//   --io_threads         KAIZEN_IO_THREADS        2
//   --max_body_bytes     KAIZEN_MAX_BODY_BYTES    1048576
//   --backend_deadline_ms KAIZEN_BACKEND_DEADLINE_MS 5000
//   --max_page_size      KAIZEN_MAX_PAGE_SIZE     500
//   --rate_limit_per_second KAIZEN_RATE_LIMIT_PER_SECOND 20 (0: off)
//   --rate_limit_burst   KAIZEN_RATE_LIMIT_BURST  40
//   --jwt_hs256_secret_file KAIZEN_JWT_HS256_SECRET_FILE
//   --jwt_rs256_public_key_file KAIZEN_JWT_RS256_PUBLIC_KEY_FILE
//   --jwt_issuer         KAIZEN_JWT_ISSUER
//   --jwt_audience       KAIZEN_JWT_AUDIENCE
//   --jwt_max_lifetime_seconds KAIZEN_JWT_MAX_LIFETIME_SECONDS 86400
//   --max_connections_per_ip KAIZEN_MAX_CONNECTIONS_PER_IP 64 (0: no cap)
//   --http_header_timeout_ms KAIZEN_HTTP_HEADER_TIMEOUT_MS 10000
//   --http_idle_timeout_ms KAIZEN_HTTP_IDLE_TIMEOUT_MS 60000
//   --api_keys_file      KAIZEN_API_KEYS_FILE
//   --cors_origins       KAIZEN_CORS_ORIGINS      comma-separated, exact
//   --openapi_servers    KAIZEN_OPENAPI_SERVERS   comma-separated http(s) URLs
// and, shared with every Kaizen server (common/server/options.h):
//   --internal_secret_file / KAIZEN_INTERNAL_SECRET(_FILE) (required),
//   --principal_key_file, --principal_lifetime_seconds,
//   --backend_tls_ca_file, --backend_tls_cert_file, --backend_tls_key_file,
//   --drain_seconds, --access_log, --max_message_bytes (gRPC messages).
// The server-side --tls_* flags are refused: the gateway's own ports do not
// terminate TLS (put a TLS-terminating proxy or ingress in front).
// The common flags --listen and --port_file do not apply to the gateway and
// are refused; use --http_listen/--grpc_listen and the two port files.
#ifndef KAIZEN_SERVICES_GATEWAY_GATEWAY_OPTIONS_H_
#define KAIZEN_SERVICES_GATEWAY_GATEWAY_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/keys.h"
#include "common/auth/tls.h"
#include "services/gateway/backend_pool.h"
#include "services/gateway/jwt.h"
#include "services/gateway/rate_limiter.h"

namespace kaizen::gateway {

struct GatewayOptions {
  std::string http_listen = "127.0.0.1:0";
  // Empty: no gRPC port.
  std::string grpc_listen = "127.0.0.1:0";
  std::string http_port_file;
  std::string grpc_port_file;
  std::vector<BackendConfig> backends;
  int io_threads = 2;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  int max_connections = 1024;
  absl::Duration http_idle_timeout = absl::Seconds(60);
  // HttpServerOptions::max_connections_per_ip / header_timeout.
  int max_connections_per_ip = 64;
  absl::Duration http_header_timeout = absl::Seconds(10);
  absl::Duration backend_deadline = absl::Seconds(5);
  absl::Duration readiness_timeout = absl::Seconds(1);
  absl::Duration max_reconnect_backoff = absl::Seconds(1);
  int max_page_size = 500;
  RateLimitConfig rate_limit;
  // Keys as values (the files' contents), not paths.
  JwtConfig jwt;
  std::string api_keys;  // the key file's contents (api_keys.h)
  std::vector<std::string> cors_origins;
  // OpenAPI `servers` (--openapi_servers): absolute http(s) base URLs;
  // empty: "/", the gateway that serves the document.
  std::vector<std::string> openapi_servers;
  // Serialized FileDescriptorSets with comments for OpenAPI's descriptions
  // (main.cc: LinkedApiDescriptorSets()); not owned; null: no comments.
  const std::vector<std::string>* api_descriptor_sets = nullptr;
  std::string internal_secret;  // >= 16 bytes
  // Keys that sign forwarded principals (current first). Empty: derived
  // from internal_secret (tests build the struct by hand).
  auth::KeyRing principal_keys;
  // Lifetime of each forwarded principal's credential (60 s; 1..300).
  absl::Duration principal_lifetime = absl::Seconds(60);
  // TLS to the backends (--backend_tls_*); plaintext when not enabled.
  auth::TlsClientConfig backend_tls;
  absl::Duration drain_deadline = absl::Seconds(10);
  bool access_log = true;
  int max_message_bytes = 4 * 1024 * 1024;
};

// Reads the flags and variables above. INVALID_ARGUMENT (reason
// INVALID_FLAG) names the flag; secrets and key contents never appear in
// messages.
absl::StatusOr<GatewayOptions> GatewayOptionsFromFlags();

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_GATEWAY_OPTIONS_H_

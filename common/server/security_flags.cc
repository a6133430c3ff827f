#include "common/server/security_flags.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "common/auth/keys.h"
#include "common/auth/tls.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

ABSL_FLAG(std::string, internal_secret_file, "",
          "file holding the gateway-service secret: one per line, the current one "
          "first, then previous ones still accepted (env KAIZEN_INTERNAL_SECRET_FILE, "
          "or KAIZEN_INTERNAL_SECRET with the value)");
ABSL_FLAG(std::string, principal_key_file, "",
          "own secrets for principal forwarding, same format; default: the internal "
          "secret's (env KAIZEN_PRINCIPAL_KEY_FILE)");
ABSL_FLAG(std::string, applicant_link_key_file, "",
          "own secret for applicant links (first line); default: the internal "
          "secret's (env KAIZEN_APPLICANT_LINK_KEY_FILE)");
ABSL_FLAG(std::string, page_token_key, "",
          "page token key itself (legacy; default derived from the internal secret; "
          "env KAIZEN_PAGE_TOKEN_KEY)");
ABSL_FLAG(std::string, principal_lifetime_seconds, "",
          "lifetime of the principal credentials this process signs, 1..300 "
          "(default 60; env KAIZEN_PRINCIPAL_LIFETIME_SECONDS)");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain: serve gRPC over TLS (env KAIZEN_TLS_CERT_FILE)");
ABSL_FLAG(std::string, tls_key_file, "",
          "PEM private key of --tls_cert_file (env KAIZEN_TLS_KEY_FILE)");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA: require client certificates it signed (mutual TLS; env "
          "KAIZEN_TLS_CLIENT_CA_FILE)");
ABSL_FLAG(std::string, backend_tls_ca_file, "",
          "PEM CA of the other services' certificates: call them over TLS (env "
          "KAIZEN_BACKEND_TLS_CA_FILE)");
ABSL_FLAG(std::string, backend_tls_cert_file, "",
          "PEM client certificate for mutual TLS (env KAIZEN_BACKEND_TLS_CERT_FILE)");
ABSL_FLAG(std::string, backend_tls_key_file, "",
          "PEM private key of --backend_tls_cert_file (env KAIZEN_BACKEND_TLS_KEY_FILE)");

namespace kaizen::server::internal {
namespace {

absl::Status Bad(const char* flag, absl::string_view why) {
  return errors::InvalidField(flag, why, "INVALID_FLAG");
}

// The secrets of a key file; an empty path gives an empty list.
absl::StatusOr<std::vector<std::string>> ReadSecrets(const std::string& path, const char* flag) {
  if (path.empty()) return std::vector<std::string>();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad(flag, "cannot read the secret file");
  std::stringstream ss;
  ss << in.rdbuf();
  return auth::ParseSecretList(ss.str(), flag);
}

}  // namespace

absl::Status ReadSecurityFlags(ServerOptions* o) {
  const char* kSecretFlag = "internal_secret_file";
  std::string secret_file = absl::GetFlag(FLAGS_internal_secret_file);
  if (secret_file.empty()) secret_file = FlagOrEnv("", "KAIZEN_INTERNAL_SECRET_FILE");
  std::vector<std::string> secrets;
  if (!secret_file.empty()) {
    ASSIGN_OR_RETURN(secrets, ReadSecrets(secret_file, kSecretFlag));
  } else {
    const std::string value = FlagOrEnv("", "KAIZEN_INTERNAL_SECRET");
    if (value.empty()) {
      return Bad(kSecretFlag,
                 "an internal secret of at least 16 bytes is required "
                 "(KAIZEN_INTERNAL_SECRET or --internal_secret_file)");
    }
    ASSIGN_OR_RETURN(secrets, auth::ParseSecretList(value, kSecretFlag));
  }
  o->internal_secret = secrets.front();
  o->keys = auth::DeriveServiceKeys(secrets);

  ASSIGN_OR_RETURN(std::vector<std::string> principal_secrets,
                   ReadSecrets(FlagOrEnv(absl::GetFlag(FLAGS_principal_key_file),
                                    "KAIZEN_PRINCIPAL_KEY_FILE"),
                               "principal_key_file"));
  if (!principal_secrets.empty()) {
    o->keys.principal_forwarding =
        auth::KeyRing::Derive(principal_secrets, auth::KeyPurpose::kPrincipalForwarding);
  }
  ASSIGN_OR_RETURN(std::vector<std::string> link_secrets,
                   ReadSecrets(FlagOrEnv(absl::GetFlag(FLAGS_applicant_link_key_file),
                                    "KAIZEN_APPLICANT_LINK_KEY_FILE"),
                               "applicant_link_key_file"));
  if (!link_secrets.empty()) {
    o->keys.applicant_links =
        auth::KeyRing::Derive(link_secrets, auth::KeyPurpose::kApplicantLinks);
  }
  const std::string page_token_key =
      FlagOrEnv(absl::GetFlag(FLAGS_page_token_key), "KAIZEN_PAGE_TOKEN_KEY");
  if (!page_token_key.empty()) {
    if (page_token_key.size() < auth::kMinSecretBytes) {
      return Bad("page_token_key", "must be at least 16 bytes");
    }
    o->keys.page_tokens = auth::KeyRing({page_token_key});
  }
  o->page_token_key = o->keys.page_tokens.current();

  const std::string lifetime = FlagOrEnv(absl::GetFlag(FLAGS_principal_lifetime_seconds),
                                    "KAIZEN_PRINCIPAL_LIFETIME_SECONDS");
  if (!lifetime.empty()) {
    int seconds = 0;
    if (!absl::SimpleAtoi(lifetime, &seconds) || seconds < 1 || seconds > 300) {
      return Bad("principal_lifetime_seconds", "must be an integer from 1 to 300");
    }
    o->principal_lifetime = absl::Seconds(seconds);
  }

  ASSIGN_OR_RETURN(
      o->tls, auth::LoadTlsServerConfig(
                  FlagOrEnv(absl::GetFlag(FLAGS_tls_cert_file), "KAIZEN_TLS_CERT_FILE"),
                  FlagOrEnv(absl::GetFlag(FLAGS_tls_key_file), "KAIZEN_TLS_KEY_FILE"),
                  FlagOrEnv(absl::GetFlag(FLAGS_tls_client_ca_file), "KAIZEN_TLS_CLIENT_CA_FILE")));
  ASSIGN_OR_RETURN(
      o->backend_tls,
      auth::LoadTlsClientConfig(
          FlagOrEnv(absl::GetFlag(FLAGS_backend_tls_ca_file), "KAIZEN_BACKEND_TLS_CA_FILE"),
          FlagOrEnv(absl::GetFlag(FLAGS_backend_tls_cert_file), "KAIZEN_BACKEND_TLS_CERT_FILE"),
          FlagOrEnv(absl::GetFlag(FLAGS_backend_tls_key_file), "KAIZEN_BACKEND_TLS_KEY_FILE")));
  return absl::OkStatus();
}

}  // namespace kaizen::server::internal

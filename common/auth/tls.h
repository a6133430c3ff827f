// TLS between the gateway and the services, and between services, with
// Debian's OpenSSL underneath gRPC and certificates read from PEM files.
//
// When to use it: whenever gRPC traffic between Kaizen processes leaves one
// host (containers on different nodes, a network you do not control). The
// forwarded principal's credential (common/auth/principal.h) is bound to a
// method and expires within a minute, but on plaintext anyone on the path
// still reads every request and response (personal data) and can replay a
// credential within its minute. On one host over loopback TLS adds little.
//
// Server side: a certificate chain and its key; optionally a client CA, and
// then every client must present a certificate it signed (mutual TLS).
// Client side: the CA that signed the servers' certificates (the server's
// name, as dialled, must be in its certificate's subjectAltName); optionally
// a client certificate and key for mutual TLS. Files are read once at start:
// restart the process to load renewed certificates.
#ifndef KAIZEN_COMMON_AUTH_TLS_H_
#define KAIZEN_COMMON_AUTH_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace kaizen::auth {

// PEM contents, not paths. All empty: plaintext.
struct TlsServerConfig {
  std::string cert_chain_pem;
  std::string private_key_pem;
  std::string client_ca_pem;  // non-empty: require and verify client certificates
  bool enabled() const { return !cert_chain_pem.empty(); }
};

struct TlsClientConfig {
  std::string ca_pem;          // trust anchors for the servers' certificates
  std::string cert_chain_pem;  // client certificate (mutual TLS), optional
  std::string private_key_pem;
  bool enabled() const { return !ca_pem.empty(); }
};

// Reads and checks the files (empty paths are "not given"). INVALID_ARGUMENT
// with reason INVALID_FLAG naming the flag (`<prefix>cert_file`,
// `<prefix>key_file`, `<prefix>client_ca_file` / `<prefix>ca_file`) when a
// file cannot be read or holds no PEM certificate / key, when only one of
// certificate and key is given, when the key does not belong to the
// certificate, or (server) a client CA is given without a certificate, or
// (client) a client certificate is given without a CA. Messages never
// contain file contents.
absl::StatusOr<TlsServerConfig> LoadTlsServerConfig(const std::string& cert_file,
                                                    const std::string& key_file,
                                                    const std::string& client_ca_file,
                                                    const std::string& flag_prefix = "tls_");
absl::StatusOr<TlsClientConfig> LoadTlsClientConfig(
    const std::string& ca_file, const std::string& cert_file, const std::string& key_file,
    const std::string& flag_prefix = "backend_tls_");

// gRPC credentials for a listening port / a channel: TLS when the config is
// enabled, plaintext otherwise.
std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const TlsServerConfig& config);
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const TlsClientConfig& config);

}  // namespace kaizen::auth

#endif  // KAIZEN_COMMON_AUTH_TLS_H_

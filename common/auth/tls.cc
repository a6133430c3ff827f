#include "common/auth/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace kaizen::auth {
namespace {

absl::Status Bad(const std::string& flag, absl::string_view why) {
  return errors::InvalidField(flag, why, "INVALID_FLAG");
}

absl::StatusOr<std::string> ReadPemFile(const std::string& path, const std::string& flag) {
  if (path.empty()) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad(flag, "cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().empty()) return Bad(flag, "the file is empty");
  return ss.str();
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate of a PEM bundle, or null.
X509Ptr FirstCertificate(const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(bio == nullptr ? nullptr : PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return cert;
}

KeyPtr PrivateKey(const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  // No passphrase callback: an encrypted key fails here, with a clear message.
  KeyPtr key(bio == nullptr ? nullptr
                            : PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return key;
}

// Certificate and key given together, parseable, and belonging together.
absl::Status CheckPair(const std::string& cert_pem, const std::string& key_pem,
                       const std::string& cert_flag, const std::string& key_flag) {
  if (cert_pem.empty() != key_pem.empty()) {
    return Bad(cert_pem.empty() ? cert_flag : key_flag,
               "give the certificate and its private key together");
  }
  if (cert_pem.empty()) return absl::OkStatus();
  X509Ptr cert = FirstCertificate(cert_pem);
  if (cert == nullptr) return Bad(cert_flag, "the file holds no PEM certificate");
  KeyPtr key = PrivateKey(key_pem);
  if (key == nullptr) {
    return Bad(key_flag, "the file holds no unencrypted PEM private key");
  }
  const bool matches = X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (!matches) return Bad(key_flag, "the private key does not belong to the certificate");
  return absl::OkStatus();
}

absl::Status CheckCa(const std::string& ca_pem, const std::string& flag) {
  if (!ca_pem.empty() && FirstCertificate(ca_pem) == nullptr) {
    return Bad(flag, "the file holds no PEM certificate");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TlsServerConfig> LoadTlsServerConfig(const std::string& cert_file,
                                                    const std::string& key_file,
                                                    const std::string& client_ca_file,
                                                    const std::string& flag_prefix) {
  const std::string cert_flag = flag_prefix + "cert_file";
  const std::string key_flag = flag_prefix + "key_file";
  const std::string ca_flag = flag_prefix + "client_ca_file";
  TlsServerConfig config;
  ASSIGN_OR_RETURN(config.cert_chain_pem, ReadPemFile(cert_file, cert_flag));
  ASSIGN_OR_RETURN(config.private_key_pem, ReadPemFile(key_file, key_flag));
  ASSIGN_OR_RETURN(config.client_ca_pem, ReadPemFile(client_ca_file, ca_flag));
  RETURN_IF_ERROR(CheckPair(config.cert_chain_pem, config.private_key_pem, cert_flag, key_flag));
  if (!config.client_ca_pem.empty() && config.cert_chain_pem.empty()) {
    return Bad(ca_flag, "client certificates can only be required on a TLS port; give " +
                            cert_flag + " and " + key_flag + " too");
  }
  RETURN_IF_ERROR(CheckCa(config.client_ca_pem, ca_flag));
  return config;
}

absl::StatusOr<TlsClientConfig> LoadTlsClientConfig(const std::string& ca_file,
                                                    const std::string& cert_file,
                                                    const std::string& key_file,
                                                    const std::string& flag_prefix) {
  const std::string ca_flag = flag_prefix + "ca_file";
  const std::string cert_flag = flag_prefix + "cert_file";
  const std::string key_flag = flag_prefix + "key_file";
  TlsClientConfig config;
  ASSIGN_OR_RETURN(config.ca_pem, ReadPemFile(ca_file, ca_flag));
  ASSIGN_OR_RETURN(config.cert_chain_pem, ReadPemFile(cert_file, cert_flag));
  ASSIGN_OR_RETURN(config.private_key_pem, ReadPemFile(key_file, key_flag));
  RETURN_IF_ERROR(CheckCa(config.ca_pem, ca_flag));
  RETURN_IF_ERROR(CheckPair(config.cert_chain_pem, config.private_key_pem, cert_flag, key_flag));
  if (!config.cert_chain_pem.empty() && config.ca_pem.empty()) {
    return Bad(ca_flag, "a client certificate is only sent over TLS; give " + ca_flag + " too");
  }
  return config;
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const TlsServerConfig& config) {
  if (!config.enabled()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(
      config.client_ca_pem.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                   : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = config.client_ca_pem;
  options.pem_key_cert_pairs.push_back({config.private_key_pem, config.cert_chain_pem});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const TlsClientConfig& config) {
  if (!config.enabled()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = config.ca_pem;
  options.pem_private_key = config.private_key_pem;
  options.pem_cert_chain = config.cert_chain_pem;
  return grpc::SslCredentials(options);
}

}  // namespace kaizen::auth

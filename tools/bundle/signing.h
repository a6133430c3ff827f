// Ed25519 keys and signatures over OpenSSL 3 (EVP). Keys are PEM files:
// the private key PKCS#8 ("BEGIN PRIVATE KEY"), the public key
// SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"), as `openssl genpkey -algorithm
// ed25519` and `openssl pkey -pubout` write them, so `openssl pkeyutl
// -verify -pubin -rawin` checks our signatures (README.md). Signatures are
// the 64 raw bytes, base64 (one line, no newline inside).
#ifndef KAIZEN_TOOLS_BUNDLE_SIGNING_H_
#define KAIZEN_TOOLS_BUNDLE_SIGNING_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kaizen::bundle {

// Writes a new key pair. Refuses (OUTPUT_EXISTS) when either file exists;
// the private key is created with mode 0600.
absl::Status GenerateKeyPair(const std::string& private_key_path,
                             const std::string& public_key_path);

// The public key PEM of a private key file (KEY_INVALID unless Ed25519).
absl::StatusOr<std::string> PublicKeyPem(const std::string& private_key_path);

// base64(Ed25519 signature of `data`) with the private key file.
absl::StatusOr<std::string> Sign(const std::string& private_key_path, absl::string_view data);

// SHA-256 (lowercase hex) of the public key file's DER SubjectPublicKeyInfo:
// the key's fingerprint, the same as
//   openssl pkey -pubin -in KEY.pem -outform DER | sha256sum
// (KEY_INVALID when the file is no Ed25519 public key).
absl::StatusOr<std::string> PublicKeyFingerprint(const std::string& public_key_path);

// True when group or others have any access to a key file (`make` warns).
bool IsReadableByOthers(const std::string& path);

// OK when `signature_base64` (surrounding whitespace ignored) is a valid
// signature of `data` under the public key file; SIGNATURE_INVALID when not,
// KEY_INVALID when the key file is no Ed25519 public key.
absl::Status VerifySignature(const std::string& public_key_path, absl::string_view data,
                             absl::string_view signature_base64);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_SIGNING_H_

// Small cryptographic helpers over OpenSSL, shared by ids, page tokens,
// etags, the per-purpose keys (common/auth/keys.h) and the principal
// forwarding credential.
#ifndef KAIZEN_COMMON_UTIL_CRYPTO_H_
#define KAIZEN_COMMON_UTIL_CRYPTO_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace kaizen::crypto {

// `n` bytes from the OS CSPRNG. Aborts if the CSPRNG fails (nothing sane can
// continue without randomness).
std::string RandomBytes(int n);

// HMAC-SHA256(key, data): 32 raw bytes.
std::string HmacSha256(absl::string_view key, absl::string_view data);

// SHA-256(data): 32 raw bytes.
std::string Sha256(absl::string_view data);

// HKDF-SHA256 (RFC 5869): Extract(salt, ikm) then Expand(info) to `length`
// bytes. An empty salt means HashLen zero bytes, as the RFC says. `length`
// must be 1..8160 (255 * 32) and `ikm` non-empty; anything else is a
// programming error and aborts, as does an OpenSSL failure.
std::string HkdfSha256(absl::string_view ikm, absl::string_view salt,
                       absl::string_view info, size_t length);

// Comparison whose time does not depend on where the inputs differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Lowercase hex.
std::string Hex(absl::string_view bytes);

}  // namespace kaizen::crypto

#endif  // KAIZEN_COMMON_UTIL_CRYPTO_H_

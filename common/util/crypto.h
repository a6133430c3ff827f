// Small cryptographic helpers over OpenSSL, shared by ids, page tokens,
// etags and the principal forwarding credential.
#ifndef KAIZEN_COMMON_UTIL_CRYPTO_H_
#define KAIZEN_COMMON_UTIL_CRYPTO_H_

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

// Comparison whose time does not depend on where the inputs differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Lowercase hex.
std::string Hex(absl::string_view bytes);

}  // namespace kaizen::crypto

#endif  // KAIZEN_COMMON_UTIL_CRYPTO_H_

// Bearer JWT verification (RFC 7519) for users, over OpenSSL.
//
// Accepted: compact JWS with alg HS256 (when a shared secret is configured)
// or RS256 (when an RSA public key is configured). Everything else is
// refused, notably alg "none", an HS256 token when only an RSA key is
// configured (no key confusion: the public key is never used as an HMAC
// secret), a "crit" header, padding in the base64url parts and tokens over
// max_token_bytes. The signature is checked before any claim is read.
//
// Claims:
//   sub    required, non-empty string -> Principal.subject ("partner:..." is
//          reserved for API keys and refused)
//   exp    required number (seconds since the epoch); past exp + clock_skew
//          -> TOKEN_EXPIRED
//   nbf    optional; before nbf - clock_skew -> TOKEN_INVALID
//   iss    must equal the configured issuer (when one is configured)
//   aud    string or array; must contain the configured audience (when one
//          is configured)
//   roles  optional array of strings: "secretariat", "navigator", "advisor",
//          "observer", "participant" map to kaizen.type.Role; anything else
//          (including "partner_hr" and "service", which only API keys and
//          services hold) is ignored.
// Errors are UNAUTHENTICATED TOKEN_INVALID or TOKEN_EXPIRED with a fixed
// phrase; no part of the token appears in a message.
//
// Verified tokens are cached (the whole token string is the key, so only the
// exact same signed bytes hit), up to cache_size entries; expiry and nbf are
// checked again on every hit. A JWT cannot be revoked before its expiry in
// any case, so the cache changes cost, not meaning: it turns ~25 µs of
// parsing and HMAC into a hash lookup for clients that reuse their token.
#ifndef KAIZEN_SERVICES_GATEWAY_JWT_H_
#define KAIZEN_SERVICES_GATEWAY_JWT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "kaizen/type/principal.pb.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace kaizen::gateway {

struct JwtConfig {
  // HS256 shared secret (>= 32 bytes); empty: HS256 tokens are refused.
  std::string hs256_secret;
  // RS256 public key, PEM ("-----BEGIN PUBLIC KEY-----", RSA >= 2048 bits);
  // empty: RS256 tokens are refused.
  std::string rs256_public_key_pem;
  // Required `iss` / `aud` when non-empty.
  std::string issuer;
  std::string audience;
  // Tolerance for clocks that differ between issuer and gateway.
  absl::Duration clock_skew = absl::Seconds(60);
  size_t max_token_bytes = 8192;
  // Verified tokens kept; 0 disables the cache. When full it is cleared.
  size_t cache_size = 10000;
};

class JwtVerifier {
 public:
  // INVALID_ARGUMENT (reason INVALID_FLAG, field "jwt_hs256_secret_file" or
  // "jwt_rs256_public_key_file") for a short secret or an unusable key.
  // `clock` is not owned and must outlive the verifier.
  static absl::StatusOr<std::unique_ptr<JwtVerifier>> Create(JwtConfig config,
                                                              const Clock* clock);
  ~JwtVerifier();

  // True when at least one key is configured.
  bool enabled() const;

  // The principal carried by `token` (the part after "Bearer ").
  // Thread-safe.
  absl::StatusOr<kaizen::type::Principal> Verify(absl::string_view token) const;

 private:
  JwtVerifier(JwtConfig config, const Clock* clock) : config_(std::move(config)), clock_(clock) {}

  struct Cached {
    kaizen::type::Principal principal;
    absl::Time expires;      // exp
    absl::Time not_before;   // nbf, or InfinitePast
  };
  absl::StatusOr<Cached> VerifyUncached(absl::string_view token) const;

  JwtConfig config_;
  const Clock* clock_;
  evp_pkey_st* rsa_key_ = nullptr;  // owned
  mutable absl::Mutex cache_mu_;
  mutable absl::flat_hash_map<std::string, Cached> cache_ ABSL_GUARDED_BY(cache_mu_);
};

// "secretariat" -> ROLE_SECRETARIAT, ...; nullopt for anything a JWT may
// not grant.
std::optional<kaizen::type::Role> RoleFromClaim(absl::string_view role);

// What MintHs256Jwt puts in a token (development tool and tests).
struct JwtClaims {
  std::string subject;
  std::vector<std::string> roles;
  std::string issuer;    // omitted when empty
  std::string audience;  // omitted when empty
  absl::Time issued_at;
  absl::Time expires_at;
};

// An HS256-signed token with `claims`.
std::string MintHs256Jwt(absl::string_view secret, const JwtClaims& claims);

// The claims as a JWT payload (JSON), e.g. for signing with another key.
std::string JwtClaimsJson(const JwtClaims& claims);

// base64url without padding, as JWTs use it.
std::string Base64UrlEncode(absl::string_view bytes);
std::optional<std::string> Base64UrlDecode(absl::string_view text);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_JWT_H_

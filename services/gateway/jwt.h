// Bearer JWT verification (RFC 7519) for users, over OpenSSL.
//
// Accepted: compact JWS with alg HS256 (when a shared secret is configured)
// or RS256 (when an RSA public key is configured). Everything else is
// refused, notably alg "none", an HS256 token when only an RSA key is
// configured (no key confusion: the public key is never used as an HMAC
// secret), a "crit" header, non-canonical base64url in any part (padding,
// '+' or '/', non-zero unused trailing bits, an impossible length: one
// signature has exactly one spelling), header or claims that are not strict
// JSON (json.h IsStrictJson: duplicate keys, invalid UTF-8, ...) and tokens
// over max_token_bytes. The signature is checked before any claim is read.
//
// Claims:
//   sub    required, non-empty string of at most 256 bytes without control
//          characters (C0, DEL, C1) -> Principal.subject ("partner:..." is
//          reserved for API keys and refused)
//   exp    required number (seconds since the epoch); past exp + clock_skew
//          -> TOKEN_EXPIRED
//   nbf    optional; before nbf - clock_skew -> TOKEN_INVALID
//   iat    optional number; after now + clock_skew -> TOKEN_INVALID
//   lifetime  exp - iat (when iat is present) and exp - now must not exceed
//          max_lifetime (+ clock_skew for the latter) -> TOKEN_INVALID, so a
//          stolen long-lived token is refused even if correctly signed
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
  // Required `iss` / `aud` when non-empty. Both are required with an RS256
  // key (a public key is typically shared by an identity provider with
  // other relying parties, whose tokens must not be accepted here).
  std::string issuer;
  std::string audience;
  // Tolerance for clocks that differ between issuer and gateway.
  absl::Duration clock_skew = absl::Seconds(60);
  // Longest lifetime accepted (exp - iat, and exp - now).
  absl::Duration max_lifetime = absl::Hours(24);
  size_t max_token_bytes = 8192;
  // Verified tokens kept; 0 disables the cache. When full it is cleared.
  size_t cache_size = 10000;
};

class JwtVerifier {
 public:
  // INVALID_ARGUMENT (reason INVALID_FLAG, naming the flag) for a short
  // secret ("jwt_hs256_secret_file"), an unusable key
  // ("jwt_rs256_public_key_file"), an RS256 key without issuer
  // ("jwt_issuer") or audience ("jwt_audience"), or a max_lifetime that is
  // not positive ("jwt_max_lifetime_seconds").
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
  absl::StatusOr<Cached> VerifyUncached(absl::string_view token, absl::Time now) const;

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

// base64url without padding, as JWTs use it. Decoding accepts only the
// canonical form (the one Base64UrlEncode writes): no padding, no '+' '/',
// zero unused trailing bits, length % 4 != 1.
std::string Base64UrlEncode(absl::string_view bytes);
std::optional<std::string> Base64UrlDecode(absl::string_view text);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_JWT_H_

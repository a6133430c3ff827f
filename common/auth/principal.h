// The caller as the services receive it from the gateway.
//
// The gateway authenticates users (JWT) and partner systems (API keys),
// builds a kaizen.type.Principal and forwards it to the service in two
// metadata entries: the serialized principal, and a credential that binds it
// to the one method being called and to a short expiry:
//
//   x-kaizen-principal-bin  serialized kaizen.type.Principal
//   x-kaizen-principal-sig  "v1:<expiry unix ms>:<full method>:<hex MAC>"
//
// MAC = HMAC-SHA256(principal-forwarding key (common/auth/keys.h),
//         0x01 || be32 len || principal bytes || be32 len || full method ||
//         be64 expiry unix ms)
// The length prefixes make the encoding unambiguous. A service verifies the
// credential before it trusts a single field, so a direct call that bypasses
// the gateway, a forged principal, or a captured credential replayed on
// another method or after its expiry is refused with UNAUTHENTICATED.
// Services authorise each object themselves from the verified principal.
//
// This header is transport-free; common/server/principal_context.h moves the
// values in and out of gRPC metadata and tells the verifier which method is
// being served.
#ifndef KAIZEN_COMMON_AUTH_PRINCIPAL_H_
#define KAIZEN_COMMON_AUTH_PRINCIPAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/keys.h"
#include "common/util/clock.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::auth {

// Metadata keys (lowercase, as gRPC requires).
inline constexpr char kPrincipalMetadataKey[] = "x-kaizen-principal-bin";
inline constexpr char kSignatureMetadataKey[] = "x-kaizen-principal-sig";

// Reasons of Verify (all UNAUTHENTICATED), stable forever.
// No credential: the call did not come through the gateway.
inline constexpr absl::string_view kCredentialMissingReason = "INTERNAL_CREDENTIAL_MISSING";
// Malformed, made with an unknown key, or the principal does not parse.
inline constexpr absl::string_view kCredentialInvalidReason = "INTERNAL_CREDENTIAL_INVALID";
// Genuine, but past its expiry (beyond the allowed clock skew).
inline constexpr absl::string_view kCredentialExpiredReason = "INTERNAL_CREDENTIAL_EXPIRED";
// Genuine, but made for another method than the one being served.
inline constexpr absl::string_view kCredentialWrongMethodReason =
    "INTERNAL_CREDENTIAL_WRONG_METHOD";
// Genuine, but its expiry lies further ahead than any signer may set.
inline constexpr absl::string_view kCredentialExpiryTooFarReason =
    "INTERNAL_CREDENTIAL_EXPIRY_TOO_FAR";

struct PrincipalSignerOptions {
  // How long a credential made by Sign is valid. The gateway's default;
  // configurable with --principal_lifetime_seconds (common/server/options.h).
  absl::Duration lifetime = absl::Seconds(60);
  // Verify refuses an expiry later than now + max_lifetime + clock_skew
  // (INTERNAL_CREDENTIAL_EXPIRY_TOO_FAR), so no signer can mint a long-lived
  // credential by mistake. `lifetime` must not exceed it.
  absl::Duration max_lifetime = absl::Minutes(5);
  // Tolerated difference between the signer's and the verifier's clocks:
  // a credential is expired once now > expiry + clock_skew. Keep the hosts'
  // clocks synchronised (NTP); 10 s is far above what NTP leaves.
  absl::Duration clock_skew = absl::Seconds(10);
  // Not owned; nullptr means Clock::Real(). Tests inject a FakeClock.
  const Clock* clock = nullptr;
};

// Signs and verifies forwarded principals. Immutable and thread-safe.
class PrincipalSigner {
 public:
  // Keys derived from one internal secret (at least kMinSecretBytes; share it
  // only between the gateway and the services, never log it), default
  // options. Tests and tools use this; servers build the ring from
  // ServerOptions::keys.
  explicit PrincipalSigner(std::string internal_secret);
  // Signs with keys.current(), accepts any of keys.all() (rotation overlap).
  // `keys` must not be empty.
  PrincipalSigner(KeyRing keys, PrincipalSignerOptions options);

  struct Signed {
    std::string principal_bytes;  // serialized kaizen.type.Principal
    std::string signature;        // "v1:<expiry ms>:<method>:<hex MAC>"
  };
  // A credential for calling `full_method` ("/kaizen.enrollment.v1.
  // EnrollmentService/GetCohort") that expires `lifetime` from now.
  Signed Sign(const kaizen::type::Principal& principal, absl::string_view full_method) const;

  // The principal, if `signature` is a genuine credential for
  // `full_method` (the method being served) that has not expired.
  // UNAUTHENTICATED with, checked in this order: INTERNAL_CREDENTIAL_MISSING
  // (empty signature), _INVALID (malformed, no key's MAC matches — compared
  // in constant time — or the bytes do not parse), _WRONG_METHOD, _EXPIRED,
  // _EXPIRY_TOO_FAR. The specific reasons are given only for genuine
  // credentials, so they tell a forger nothing. Empty principal bytes with a
  // genuine credential are an anonymous caller the gateway vouched for.
  absl::StatusOr<kaizen::type::Principal> Verify(absl::string_view principal_bytes,
                                                 absl::string_view signature,
                                                 absl::string_view full_method) const;

  const PrincipalSignerOptions& options() const { return options_; }

 private:
  absl::Time Now() const;

  KeyRing keys_;
  PrincipalSignerOptions options_;
};

bool HasRole(const kaizen::type::Principal& p, kaizen::type::Role role);

// Secretariat, navigator, advisor or observer.
bool IsStaff(const kaizen::type::Principal& p);

// A principal for one Kaizen service calling another.
kaizen::type::Principal ServicePrincipal(absl::string_view service_name);

}  // namespace kaizen::auth

#endif  // KAIZEN_COMMON_AUTH_PRINCIPAL_H_

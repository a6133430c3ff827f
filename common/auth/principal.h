// The caller as the services receive it from the gateway.
//
// The gateway authenticates users (JWT) and partner systems (API keys), builds
// a kaizen.type.Principal and forwards it to the service in two metadata
// entries: the serialized principal and an HMAC-SHA256 of it under the
// internal secret shared by the gateway and the services. A service verifies
// the HMAC before it trusts a single field, so a client that calls a service
// directly (bypassing the gateway) or forges a principal is refused with
// UNAUTHENTICATED. Services authorise each object themselves from the
// verified principal.
//
// This header is transport-free; common/server/principal_context.h moves the
// two values in and out of gRPC metadata.
#ifndef KAIZEN_COMMON_AUTH_PRINCIPAL_H_
#define KAIZEN_COMMON_AUTH_PRINCIPAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::auth {

// Metadata keys (lowercase, as gRPC requires).
inline constexpr char kPrincipalMetadataKey[] = "x-kaizen-principal-bin";
inline constexpr char kSignatureMetadataKey[] = "x-kaizen-principal-sig";

// Signs and verifies forwarded principals. Thread-safe (immutable).
class PrincipalSigner {
 public:
  // `secret` must be at least 16 bytes; share it only between the gateway and
  // the services (configuration, never logged).
  explicit PrincipalSigner(std::string secret) : secret_(std::move(secret)) {}

  struct Signed {
    std::string principal_bytes;  // serialized kaizen.type.Principal
    std::string signature;        // hex HMAC-SHA256
  };
  Signed Sign(const kaizen::type::Principal& principal) const;

  // UNAUTHENTICATED with reason INTERNAL_CREDENTIAL_MISSING when the
  // signature is empty, INTERNAL_CREDENTIAL_INVALID when the HMAC does not
  // verify or the bytes do not parse. Empty principal bytes with a valid
  // signature are an anonymous caller the gateway vouched for.
  absl::StatusOr<kaizen::type::Principal> Verify(
      absl::string_view principal_bytes, absl::string_view signature) const;

 private:
  std::string secret_;
};

bool HasRole(const kaizen::type::Principal& p, kaizen::type::Role role);

// Secretariat, navigator, advisor or observer.
bool IsStaff(const kaizen::type::Principal& p);

// A principal for one Kaizen service calling another.
kaizen::type::Principal ServicePrincipal(absl::string_view service_name);

}  // namespace kaizen::auth

#endif  // KAIZEN_COMMON_AUTH_PRINCIPAL_H_

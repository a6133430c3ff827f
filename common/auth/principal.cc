#include "common/auth/principal.h"

#include <algorithm>

#include "common/status/errors.h"
#include "common/util/crypto.h"

namespace kaizen::auth {

using kaizen::type::Principal;
using kaizen::type::Role;

PrincipalSigner::Signed PrincipalSigner::Sign(const Principal& principal) const {
  Signed out;
  principal.SerializeToString(&out.principal_bytes);
  out.signature = crypto::Hex(crypto::HmacSha256(secret_, out.principal_bytes));
  return out;
}

absl::StatusOr<Principal> PrincipalSigner::Verify(
    absl::string_view principal_bytes, absl::string_view signature) const {
  if (signature.empty()) {
    return errors::Unauthenticated(
        "INTERNAL_CREDENTIAL_MISSING",
        "this service only accepts calls through the Kaizen gateway");
  }
  const std::string expected =
      crypto::Hex(crypto::HmacSha256(secret_, principal_bytes));
  Principal principal;
  if (!crypto::ConstantTimeEquals(expected, signature) ||
      !principal.ParseFromArray(principal_bytes.data(),
                                static_cast<int>(principal_bytes.size()))) {
    return errors::Unauthenticated("INTERNAL_CREDENTIAL_INVALID",
                                   "the forwarded caller identity is not valid");
  }
  return principal;
}

bool HasRole(const Principal& p, Role role) {
  return std::find(p.roles().begin(), p.roles().end(), role) != p.roles().end();
}

bool IsStaff(const Principal& p) {
  return HasRole(p, kaizen::type::ROLE_SECRETARIAT) ||
         HasRole(p, kaizen::type::ROLE_NAVIGATOR) ||
         HasRole(p, kaizen::type::ROLE_ADVISOR) ||
         HasRole(p, kaizen::type::ROLE_OBSERVER);
}

Principal ServicePrincipal(absl::string_view service_name) {
  Principal p;
  p.set_subject(std::string(service_name));
  p.add_roles(kaizen::type::ROLE_SERVICE);
  return p;
}

}  // namespace kaizen::auth

#include "common/auth/principal.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"
#include "common/util/crypto.h"

namespace kaizen::auth {
namespace {

using kaizen::type::Principal;
using kaizen::type::Role;

constexpr absl::string_view kVersionPrefix = "v1:";
constexpr char kVersionByte = '\x01';

void AppendBigEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// The bytes the MAC covers (see the header): unambiguous, because every
// variable-length part is length-prefixed and the expiry has a fixed width.
std::string MacInput(absl::string_view principal_bytes, absl::string_view method,
                     int64_t expiry_ms) {
  std::string in;
  in.reserve(1 + 4 + principal_bytes.size() + 4 + method.size() + 8);
  in.push_back(kVersionByte);
  AppendBigEndian(&in, principal_bytes.size(), 4);
  in.append(principal_bytes.data(), principal_bytes.size());
  AppendBigEndian(&in, method.size(), 4);
  in.append(method.data(), method.size());
  AppendBigEndian(&in, static_cast<uint64_t>(expiry_ms), 8);
  return in;
}

struct ParsedSignature {
  int64_t expiry_ms = 0;
  absl::string_view method;
  absl::string_view mac_hex;
};

// "v1:<expiry ms>:<method>:<64 hex>". Method names never contain ':', but
// the MAC is taken from the last ':' so the parse does not depend on it.
bool ParseSignature(absl::string_view signature, ParsedSignature* out) {
  if (!absl::ConsumePrefix(&signature, kVersionPrefix)) return false;
  const size_t first = signature.find(':');
  const size_t last = signature.rfind(':');
  if (first == absl::string_view::npos || last == first) return false;
  if (!absl::SimpleAtoi(signature.substr(0, first), &out->expiry_ms) || out->expiry_ms <= 0) {
    return false;
  }
  out->method = signature.substr(first + 1, last - first - 1);
  out->mac_hex = signature.substr(last + 1);
  return !out->method.empty() && out->mac_hex.size() == 64;
}

absl::Status Invalid() {
  return errors::Unauthenticated(kCredentialInvalidReason,
                                 "the forwarded caller identity is not valid");
}

}  // namespace

PrincipalSigner::PrincipalSigner(std::string internal_secret)
    : PrincipalSigner(KeyRing::Derive({std::move(internal_secret)},
                                      KeyPurpose::kPrincipalForwarding),
                      PrincipalSignerOptions()) {}

PrincipalSigner::PrincipalSigner(KeyRing keys, PrincipalSignerOptions options)
    : keys_(std::move(keys)), options_(options) {
  // A signer without a key, or one that would mint credentials its own
  // verifier refuses, is a programming error caught at start-up.
  if (keys_.empty() || options_.lifetime <= absl::ZeroDuration() ||
      options_.lifetime > options_.max_lifetime) {
    std::abort();
  }
}

absl::Time PrincipalSigner::Now() const {
  return (options_.clock != nullptr ? options_.clock : Clock::Real())->Now();
}

PrincipalSigner::Signed PrincipalSigner::Sign(const Principal& principal,
                                              absl::string_view full_method) const {
  Signed out;
  principal.SerializeToString(&out.principal_bytes);
  const int64_t expiry_ms = absl::ToUnixMillis(Now() + options_.lifetime);
  const std::string mac =
      crypto::HmacSha256(keys_.current(), MacInput(out.principal_bytes, full_method, expiry_ms));
  out.signature = absl::StrCat(kVersionPrefix, expiry_ms, ":", full_method, ":", crypto::Hex(mac));
  return out;
}

absl::StatusOr<Principal> PrincipalSigner::Verify(absl::string_view principal_bytes,
                                                  absl::string_view signature,
                                                  absl::string_view full_method) const {
  if (signature.empty()) {
    return errors::Unauthenticated(kCredentialMissingReason,
                                   "this service only accepts calls through the Kaizen gateway");
  }
  ParsedSignature parsed;
  if (!ParseSignature(signature, &parsed)) return Invalid();
  const std::string input = MacInput(principal_bytes, parsed.method, parsed.expiry_ms);
  const std::string given = absl::AsciiStrToLower(parsed.mac_hex);
  bool genuine = false;
  for (const std::string& key : keys_.all()) {
    // Every key is tried (no early exit), so the time does not tell which
    // key matched.
    genuine |= crypto::ConstantTimeEquals(crypto::Hex(crypto::HmacSha256(key, input)), given);
  }
  Principal principal;
  if (!genuine ||
      !principal.ParseFromArray(principal_bytes.data(), static_cast<int>(principal_bytes.size()))) {
    return Invalid();
  }
  if (parsed.method != full_method || full_method.empty()) {
    return errors::Unauthenticated(
        kCredentialWrongMethodReason,
        "the forwarded caller identity was issued for another method");
  }
  const absl::Time now = Now();
  const absl::Time expiry = absl::FromUnixMillis(parsed.expiry_ms);
  if (now > expiry + options_.clock_skew) {
    return errors::Unauthenticated(
        kCredentialExpiredReason,
        "the forwarded caller identity has expired; if this repeats, check that the "
        "gateway's and this service's clocks agree");
  }
  if (expiry > now + options_.max_lifetime + options_.clock_skew) {
    return errors::Unauthenticated(
        kCredentialExpiryTooFarReason,
        "the forwarded caller identity is valid for longer than this service accepts");
  }
  return principal;
}

bool HasRole(const Principal& p, Role role) {
  return std::find(p.roles().begin(), p.roles().end(), role) != p.roles().end();
}

bool IsStaff(const Principal& p) {
  return HasRole(p, kaizen::type::ROLE_SECRETARIAT) || HasRole(p, kaizen::type::ROLE_NAVIGATOR) ||
         HasRole(p, kaizen::type::ROLE_ADVISOR) || HasRole(p, kaizen::type::ROLE_OBSERVER);
}

Principal ServicePrincipal(absl::string_view service_name) {
  Principal p;
  p.set_subject(std::string(service_name));
  p.add_roles(kaizen::type::ROLE_SERVICE);
  return p;
}

}  // namespace kaizen::auth

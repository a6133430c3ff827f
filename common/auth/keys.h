// Keys per purpose, derived from the internal secret, and their rotation.
//
// One internal secret is shared by the gateway and the services. No purpose
// uses it directly: each gets its own key,
//
//   key(purpose) = HKDF-SHA256(ikm = secret, salt = "",
//                              info = "kaizen/v1/<purpose>", 32 bytes)
//
// with the purposes principal-forwarding, page-tokens, applicant-links,
// claim-links (enrollment stores HMAC(key, token) of each claim link) and calendar-feeds
// (scheduling stores HMAC(key, secret) of each subscribable calendar URL).
// A key of one purpose says nothing about another, so a leaked page-token
// key forges no caller.
//
// One exception, for continuity: applicant links keep the derivation they had
// before purposes existed, HMAC-SHA256(secret, "enrollment-access-tokens").
// An applicant receives the link's token once (CreateApplication) and it is
// never stored, so changing the derivation would lock every applicant out.
// It is still a separate key per purpose (HMAC as a PRF).
//
// Rotation. Key files hold one secret per line: the first line is the
// current secret, every further line a previous one that is still accepted
// (an overlap window while the new secret reaches every process). A KeyRing
// signs or mints with current() and accepts any of all(). Principal
// forwarding verifies with every key; page tokens and applicant links use
// only current() (their consumers take one key), so give those purposes
// their own file (common/server/options.h) before rotating the internal
// secret if their outstanding tokens must survive.
#ifndef KAIZEN_COMMON_AUTH_KEYS_H_
#define KAIZEN_COMMON_AUTH_KEYS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kaizen::auth {

enum class KeyPurpose {
  kPrincipalForwarding,
  kPageTokens,
  kApplicantLinks,
  kClaimLinks,
  kCalendarFeeds,
};

// "principal-forwarding", "page-tokens", "applicant-links", "claim-links",
// "calendar-feeds".
absl::string_view PurposeName(KeyPurpose purpose);

// The HKDF info string: "kaizen/v1/<purpose name>".
std::string PurposeInfo(KeyPurpose purpose);

// The 32-byte key of `purpose` under `secret` (non-empty), as above.
std::string DeriveKey(absl::string_view secret, KeyPurpose purpose);

// The smallest secret accepted, in bytes.
inline constexpr size_t kMinSecretBytes = 16;
// The most secrets one key file may list (current plus previous ones).
inline constexpr size_t kMaxSecretsPerFile = 8;

// The keys of one purpose. Immutable; cheap to copy.
class KeyRing {
 public:
  KeyRing() = default;
  // `keys[0]` is current; the rest are accepted only.
  explicit KeyRing(std::vector<std::string> keys) : keys_(std::move(keys)) {}

  // One key per secret (secrets[0] current), derived for `purpose`.
  static KeyRing Derive(const std::vector<std::string>& secrets, KeyPurpose purpose);

  bool empty() const { return keys_.empty(); }
  // The key to sign or mint with. Must not be called on an empty ring.
  const std::string& current() const { return keys_.front(); }
  // Current first, then the previous keys.
  const std::vector<std::string>& all() const { return keys_; }

 private:
  std::vector<std::string> keys_;
};

// Every purpose's keys for one process.
struct ServiceKeys {
  KeyRing principal_forwarding;
  KeyRing page_tokens;
  KeyRing applicant_links;
  KeyRing claim_links;
  KeyRing calendar_feeds;
};

// All purposes derived from `internal_secrets` (current first).
ServiceKeys DeriveServiceKeys(const std::vector<std::string>& internal_secrets);

// Parses a key file: one secret per line, surrounding whitespace trimmed,
// blank lines and lines starting with '#' skipped. INVALID_ARGUMENT
// (reason INVALID_FLAG, naming `flag`) when there is no secret, a secret is
// shorter than kMinSecretBytes, a secret repeats, or there are more than
// kMaxSecretsPerFile. Messages never contain a secret.
absl::StatusOr<std::vector<std::string>> ParseSecretList(absl::string_view contents,
                                                         absl::string_view flag);

}  // namespace kaizen::auth

#endif  // KAIZEN_COMMON_AUTH_KEYS_H_

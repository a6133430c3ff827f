// Resource ids and secrets.
//
// Ids are 16 characters of lowercase base32 (80 random bits): valid AIP-122
// resource ids (start with a letter, [a-z0-9]), unguessable, so knowing one
// application's id says nothing about another's.
#ifndef KAIZEN_COMMON_UTIL_IDS_H_
#define KAIZEN_COMMON_UTIL_IDS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kaizen {

// A new random resource id, e.g. "k3v9q2m4x8c1z7ab".
std::string NewId();

// True for ids a client may choose: 1-63 chars of [a-z0-9-], starting with a
// letter, not ending with '-' (AIP-122).
bool IsValidResourceId(absl::string_view id);

// A new secret for bearer links (e.g. an applicant's access token): 32 random
// bytes, base64url without padding. Store only SecretDigest(token).
std::string NewSecretToken();

// Hex SHA-256 of a secret, for storing and looking it up.
std::string SecretDigest(absl::string_view token);

}  // namespace kaizen

#endif  // KAIZEN_COMMON_UTIL_IDS_H_

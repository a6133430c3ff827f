// Resource ids and secrets.
//
// Ids are 16 characters of lowercase base32 ([a-z2-7], ~79.6 random bits: a
// first character that would be a digit is mapped onto a-f): valid AIP-122
// resource ids (start with a letter), unguessable, so knowing one
// application's id says nothing about another's. A process's child, however
// it was forked (fork(), _Fork(), clone()), never repeats the ids its parent
// hands out next.
#ifndef KAIZEN_COMMON_UTIL_IDS_H_
#define KAIZEN_COMMON_UTIL_IDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kaizen {

// A new random resource id, e.g. "mbaojsso347pt667".
std::string NewId();

// A new resource id in NewId's format whose first six characters count
// 4.096 ms ticks of `now` (wrapping every 25.4 days) and whose last ten are
// random (50 bits), e.g. "mbaojsso347pt667". Ids made one after another sort
// together, so a table's id index takes each new row on the page the last one
// went to instead of a random page (docs/benchmarks.md, tenth look): for the
// rows a service writes in bulk (applications, participants). Nothing may
// rely on the order (clocks step, the count wraps). Still unguessable: an id
// says when it was made, to the 4 ms, and nothing about the ids made beside it.
std::string NewTimeOrderedId(absl::Time now);

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

// Opaque, tamper-evident page tokens (AIP-158).
//
// A token carries the position after the last item returned (an opaque
// string the store chooses, e.g. "<sort key>\x1f<id>") and a fingerprint of
// the query that produced it (parent, filter, order). It is
// base64url(payload) + HMAC-SHA256 tag under a per-service key, so a client can
// neither read nor forge one, and a token from one query is refused by
// another. Tokens do not expire: the position is a key, not an offset, so
// inserts and deletes never skip or repeat items.
#ifndef KAIZEN_COMMON_UTIL_PAGE_TOKEN_H_
#define KAIZEN_COMMON_UTIL_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kaizen {

class PageTokenCodec {
 public:
  // `key` should be at least 16 random bytes, the same on every replica.
  explicit PageTokenCodec(std::string key) : key_(std::move(key)) {}

  std::string Encode(absl::string_view query_fingerprint,
                     absl::string_view position) const;

  // The position, or INVALID_ARGUMENT (field "page_token", reason
  // INVALID_PAGE_TOKEN) when the token was altered, made by another key or
  // belongs to another query.
  absl::StatusOr<std::string> Decode(absl::string_view query_fingerprint,
                                     absl::string_view token) const;

 private:
  std::string key_;
};

// Page size rules shared by every List method: 0 means `default_size`;
// negative is INVALID_ARGUMENT (field "page_size"); above `max_size` is
// clamped to it.
absl::StatusOr<int> EffectivePageSize(int requested, int default_size = 50,
                                      int max_size = 500);

}  // namespace kaizen

#endif  // KAIZEN_COMMON_UTIL_PAGE_TOKEN_H_

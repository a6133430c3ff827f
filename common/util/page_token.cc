#include "common/util/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/util/crypto.h"

namespace kaizen {
namespace {

constexpr int kTagBytes = 16;  // truncated HMAC-SHA256, 128 bits

std::string Tag(absl::string_view key, absl::string_view fingerprint,
                absl::string_view position) {
  // The fingerprint is bound into the MAC but not carried in the token.
  return crypto::HmacSha256(
             key, absl::StrCat(fingerprint.size(), ":", fingerprint, position))
      .substr(0, kTagBytes);
}

absl::Status BadToken() {
  return errors::InvalidField(
      "page_token",
      "the page token is not valid for this request; start again without it",
      "INVALID_PAGE_TOKEN");
}

}  // namespace

std::string PageTokenCodec::Encode(absl::string_view query_fingerprint,
                                   absl::string_view position) const {
  return absl::WebSafeBase64Escape(
      absl::StrCat(Tag(key_, query_fingerprint, position), position));
}

absl::StatusOr<std::string> PageTokenCodec::Decode(
    absl::string_view query_fingerprint, absl::string_view token) const {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() < kTagBytes) {
    return BadToken();
  }
  std::string position = raw.substr(kTagBytes);
  if (!crypto::ConstantTimeEquals(raw.substr(0, kTagBytes),
                                  Tag(key_, query_fingerprint, position))) {
    return BadToken();
  }
  return position;
}

absl::StatusOr<int> EffectivePageSize(int requested, int default_size,
                                      int max_size) {
  if (requested < 0) {
    return errors::InvalidField("page_size", "must not be negative",
                                "INVALID_PAGE_SIZE");
  }
  if (requested == 0) return default_size;
  return requested > max_size ? max_size : requested;
}

}  // namespace kaizen

#include "services/scheduling/calendar_feed_token.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/util/crypto.h"
#include "common/util/ids.h"

namespace kaizen::scheduling {
namespace {

// base64url of 32 bytes, without padding.
constexpr size_t kSecretChars = 43;

bool IsBase64Url(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string FeedToken::FeedName() const {
  return absl::StrCat("cohorts/", cohort_id, "/calendarFeeds/", feed_id);
}

std::string NewFeedToken(absl::string_view cohort_id, absl::string_view feed_id) {
  // NewSecretToken is base64url of 32 random bytes, without padding.
  return absl::StrCat(cohort_id, ".", feed_id, ".", NewSecretToken());
}

std::optional<FeedToken> ParseFeedToken(absl::string_view token) {
  if (token.size() > kMaxFeedTokenBytes) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return std::nullopt;
  if (!IsValidResourceId(parts[0]) || !IsValidResourceId(parts[1])) return std::nullopt;
  if (parts[2].size() != kSecretChars || !IsBase64Url(parts[2])) return std::nullopt;
  return FeedToken{std::string(parts[0]), std::string(parts[1])};
}

std::string FeedTokenHmac(absl::string_view key, absl::string_view token) {
  return crypto::HmacSha256(key, token);
}

int MatchFeedToken(const auth::KeyRing& keys, absl::string_view token,
                   absl::string_view stored_hmac) {
  int match = -1;
  const std::vector<std::string>& all = keys.all();
  for (size_t i = 0; i < all.size(); ++i) {
    // No early exit: every key costs the same whether or not one matched.
    if (crypto::ConstantTimeEquals(FeedTokenHmac(all[i], token), stored_hmac) && match < 0) {
      match = static_cast<int>(i);
    }
  }
  return match;
}

std::string FeedUrlPath(absl::string_view token) {
  return absl::StrCat("/v1/calendarFeeds/", token, "/calendar.ics");
}

}  // namespace kaizen::scheduling

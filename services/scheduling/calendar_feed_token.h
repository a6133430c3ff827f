// The secret of a subscribable calendar feed (CalendarFeed.token), and how it
// is checked. Pure: no storage, no protos.
//
// A token is "<cohort id>.<feed id>.<secret>", e.g.
// "fy2022.k3v9q2m4x8c1z7ab.<43 characters of base64url>": the two ids (not
// secret; cohort ids are public) say where the feed is stored, the secret is
// 32 random bytes. Only HMAC-SHA256(key, token) is stored, under the
// calendar-feeds key of common/auth/keys.h, so a copy of the database opens
// no feed. All characters are URL-safe ([A-Za-z0-9._-]), so the token goes
// into a path segment as it is.
#ifndef KAIZEN_SERVICES_SCHEDULING_CALENDAR_FEED_TOKEN_H_
#define KAIZEN_SERVICES_SCHEDULING_CALENDAR_FEED_TOKEN_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "common/auth/keys.h"

namespace kaizen::scheduling {

struct FeedToken {
  std::string cohort_id;  // "fy2022"
  std::string feed_id;    // a common/util/ids.h id
  // "cohorts/{cohort_id}/calendarFeeds/{feed_id}".
  std::string FeedName() const;
};

// Longest token accepted (a valid one is at most 63 + 1 + 63 + 1 + 43).
inline constexpr size_t kMaxFeedTokenBytes = 200;

// A new token for the feed `feed_id` of cohort `cohort_id` (both valid ids),
// with a fresh secret from the OS CSPRNG.
std::string NewFeedToken(absl::string_view cohort_id, absl::string_view feed_id);

// The ids of a well-formed token, or nullopt for anything else (too long,
// not three parts, an invalid id, a secret that is not 43 base64url
// characters). Says nothing about whether the secret is right.
std::optional<FeedToken> ParseFeedToken(absl::string_view token);

// HMAC-SHA256(key, token): what is stored (32 raw bytes).
std::string FeedTokenHmac(absl::string_view key, absl::string_view token);

// The index in `keys.all()` of the key under which `stored_hmac` is the
// token's HMAC (0: the current key), or -1. Every key is tried and compared
// in constant time, so the time taken does not depend on where a guess
// differs.
int MatchFeedToken(const auth::KeyRing& keys, absl::string_view token,
                   absl::string_view stored_hmac);

// "/v1/calendarFeeds/{token}/calendar.ics": the gateway route of
// ReadCalendarFeed.
std::string FeedUrlPath(absl::string_view token);

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_CALENDAR_FEED_TOKEN_H_

// The partner change feed's cursor (ListChanges): four positions, one in
// enrollment's own change log and one in each service's result-change log
// (scheduling, plans, survey: kFeedSources, in page order), signed with the
// page-token codec (common/util/page_token.h) under the caller's feed
// fingerprint, so a partner can neither forge a cursor nor reuse another
// municipality's. Signed, not encrypted: a partner can read the positions
// in it (they are log sequence numbers, no personal data); that is fine,
// and clients must still treat the cursor as opaque.
//
// Position text inside the signature: "2:<own>:<scheduling>:<plans>:<survey>"
// (decimal, each >= 0). A cursor issued before the services' logs were
// merged carries "<own>" alone: it is still accepted as enrollment's
// position with the three services from 0, so a partner that upgrades
// receives every service change once, from the beginning.
#ifndef KAIZEN_SERVICES_ENROLLMENT_FEED_CURSOR_H_
#define KAIZEN_SERVICES_ENROLLMENT_FEED_CURSOR_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/util/page_token.h"
#include "kaizen/type/partner.pb.h"

namespace kaizen::enrollment {

// A service whose result-change log the feed merges, and the consent
// category its changes belong to.
struct FeedSource {
  absl::string_view service;
  kaizen::type::ShareCategory category;
};

// In page order (after enrollment's own changes). Never reorder: the cursor
// stores positions in this order.
inline constexpr std::array<FeedSource, 3> kFeedSources = {{
    {"scheduling", kaizen::type::SHARE_ATTENDANCE},
    {"plans", kaizen::type::SHARE_ACTION_PLAN},
    {"survey", kaizen::type::SHARE_SURVEY_PROFILE},
}};

struct FeedPosition {
  int64_t own = 0;                                // enrollment's change log
  std::array<int64_t, kFeedSources.size()> sources{};  // by kFeedSources index

  bool operator==(const FeedPosition& o) const {
    return own == o.own && sources == o.sources;
  }
  bool operator!=(const FeedPosition& o) const { return !(*this == o); }
};

// The signed cursor for `position` under `fingerprint`.
std::string EncodeFeedCursor(const PageTokenCodec& codec, absl::string_view fingerprint,
                             const FeedPosition& position);

// The position in `cursor` ("" = the beginning). INVALID_ARGUMENT
// INVALID_CURSOR (field "cursor") when it was altered, made with another key
// or for another caller's feed, or holds no valid position.
absl::StatusOr<FeedPosition> DecodeFeedCursor(const PageTokenCodec& codec,
                                              absl::string_view fingerprint,
                                              absl::string_view cursor);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_FEED_CURSOR_H_

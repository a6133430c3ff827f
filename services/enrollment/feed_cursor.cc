#include "services/enrollment/feed_cursor.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/enrollment/enrollment_errors.h"

namespace kaizen::enrollment {
namespace {

bool ParsePosition(absl::string_view text, int64_t* out) {
  return absl::SimpleAtoi(text, out) && *out >= 0;
}

}  // namespace

std::string EncodeFeedCursor(const PageTokenCodec& codec, absl::string_view fingerprint,
                             const FeedPosition& position) {
  std::string text = absl::StrCat("2:", position.own);
  for (int64_t p : position.sources) absl::StrAppend(&text, ":", p);
  return codec.Encode(fingerprint, text);
}

absl::StatusOr<FeedPosition> DecodeFeedCursor(const PageTokenCodec& codec,
                                              absl::string_view fingerprint,
                                              absl::string_view cursor) {
  FeedPosition position;
  if (cursor.empty()) return position;
  absl::StatusOr<std::string> text = codec.Decode(fingerprint, cursor);
  if (!text.ok()) return InvalidCursor();
  // Before the merge: enrollment's position alone.
  if (ParsePosition(*text, &position.own)) return position;
  std::vector<absl::string_view> parts = absl::StrSplit(*text, ':');
  if (parts.size() != 2 + kFeedSources.size() || parts[0] != "2") return InvalidCursor();
  if (!ParsePosition(parts[1], &position.own)) return InvalidCursor();
  for (size_t i = 0; i < kFeedSources.size(); ++i) {
    if (!ParsePosition(parts[2 + i], &position.sources[i])) return InvalidCursor();
  }
  return position;
}

}  // namespace kaizen::enrollment

// iCalendar line folding (RFC 5545 3.1), shared by scheduling's calendar
// feeds and enrollment's personalised invitations.
#ifndef KAIZEN_COMMON_UTIL_ICS_FOLD_H_
#define KAIZEN_COMMON_UTIL_ICS_FOLD_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kaizen {

// The longest physical line, in octets, without its line break.
inline constexpr size_t kIcsMaxLineOctets = 75;

// One content line folded so that no physical line is longer than 75
// octets: the pieces are joined by `eol` + one space (the space counts
// toward the next line's 75), never splitting a UTF-8 multi-byte sequence.
// No `eol` after the last piece. Malformed UTF-8 (continuation bytes all
// the way back to the start of a piece) is cut at the limit.
std::string FoldIcsLine(absl::string_view line, absl::string_view eol);

}  // namespace kaizen

#endif  // KAIZEN_COMMON_UTIL_ICS_FOLD_H_

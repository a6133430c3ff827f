#include "services/scheduling/paging.h"

#include "absl/strings/str_format.h"
#include "common/status/status_macros.h"

namespace kaizen::scheduling {

absl::StatusOr<PageRequest> ReadPageRequest(const PageTokenCodec& codec,
                                            absl::string_view fingerprint, int32_t page_size,
                                            const std::string& page_token) {
  PageRequest request;
  ASSIGN_OR_RETURN(request.page_size,
                   EffectivePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(request.after, codec.Decode(fingerprint, page_token));
  }
  return request;
}

std::string OrderedKey(std::initializer_list<int64_t> parts) {
  std::string key;
  for (int64_t part : parts) {
    // Flipping the sign bit maps int64 order onto uint64 order; fixed-width
    // hex keeps that order byte by byte.
    absl::StrAppendFormat(&key, "%016x", static_cast<uint64_t>(part) ^ (uint64_t{1} << 63));
  }
  return key;
}

}  // namespace kaizen::scheduling

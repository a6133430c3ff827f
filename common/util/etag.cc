#include "common/util/etag.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/util/crypto.h"

namespace kaizen {

std::string MakeEtag(absl::string_view name, int64_t revision) {
  return absl::StrCat(
      "\"",
      crypto::Hex(crypto::Sha256(absl::StrCat(name, "#", revision)).substr(0, 8)),
      "\"");
}

absl::Status CheckEtag(absl::string_view name, int64_t revision,
                       absl::string_view client_etag) {
  if (client_etag.empty() || client_etag == MakeEtag(name, revision)) {
    return absl::OkStatus();
  }
  return errors::EtagMismatch(name);
}

}  // namespace kaizen

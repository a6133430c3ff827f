#include "services/gateway/http_framing.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/gateway/gateway_errors.h"

namespace kaizen::gateway {
namespace {

// RFC 9110 OWS: spaces and horizontal tabs only.
absl::string_view TrimOws(absl::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

absl::Status CheckRequestFraming(
    unsigned version, const std::vector<std::pair<absl::string_view, absl::string_view>>& fields) {
  int transfer_encodings = 0;
  int content_lengths = 0;
  for (const auto& [name, raw_value] : fields) {
    const absl::string_view value = TrimOws(raw_value);
    if (absl::EqualsIgnoreCase(name, "transfer-encoding")) {
      if (++transfer_encodings > 1) {
        return InvalidMessageFraming("Transfer-Encoding is sent more than once");
      }
      if (!absl::EqualsIgnoreCase(value, "chunked")) {
        return InvalidMessageFraming("the only Transfer-Encoding accepted is 'chunked'");
      }
    } else if (absl::EqualsIgnoreCase(name, "content-length")) {
      if (++content_lengths > 1) {
        return InvalidMessageFraming("Content-Length is sent more than once");
      }
      if (value.empty() || value.size() > 19) {
        return InvalidMessageFraming("Content-Length must be a decimal number of bytes");
      }
      for (char c : value) {
        if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
          return InvalidMessageFraming("Content-Length must be a decimal number of bytes");
        }
      }
    }
  }
  if (transfer_encodings > 0 && content_lengths > 0) {
    return InvalidMessageFraming("send either Content-Length or Transfer-Encoding, not both");
  }
  if (transfer_encodings > 0 && version < 11) {
    return InvalidMessageFraming("Transfer-Encoding requires HTTP/1.1");
  }
  return absl::OkStatus();
}

}  // namespace kaizen::gateway

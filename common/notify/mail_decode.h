// Test-only decoding of what mail.cc produces, written independently of it:
// header lookup with unfolding, RFC 2047 B-words, base64 bodies, and the
// parts of a multipart/mixed message.
#ifndef KAIZEN_COMMON_NOTIFY_MAIL_DECODE_H_
#define KAIZEN_COMMON_NOTIFY_MAIL_DECODE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kaizen::notify::testing {

struct MimeEntity {
  std::string headers;  // header block, CRLF line ends, folded as sent
  std::string body;     // raw (still encoded) body
};

// Splits at the first empty line.
MimeEntity SplitEntity(absl::string_view message);

// The unfolded value of the first header `name` (case-insensitive), or
// nullopt.
std::optional<std::string> HeaderValue(absl::string_view headers, absl::string_view name);

// Decodes "=?UTF-8?B?...?=" words (whitespace between adjacent encoded words
// is dropped, RFC 2047 6.2); nullopt for a malformed word or another charset
// or encoding.
std::optional<std::string> DecodeWords(absl::string_view value);

// Base64 over CRLF-separated lines; nullopt if malformed.
std::optional<std::string> DecodeBase64Lines(absl::string_view body);

// The parts of a multipart body with this boundary (without the preamble).
std::vector<MimeEntity> SplitMultipart(absl::string_view body, absl::string_view boundary);

}  // namespace kaizen::notify::testing

#endif  // KAIZEN_COMMON_NOTIFY_MAIL_DECODE_H_

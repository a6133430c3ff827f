#include "common/notify/mail_decode.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace kaizen::notify::testing {

MimeEntity SplitEntity(absl::string_view message) {
  const size_t blank = message.find("\r\n\r\n");
  if (blank == absl::string_view::npos) return {std::string(message), ""};
  return {std::string(message.substr(0, blank + 2)), std::string(message.substr(blank + 4))};
}

std::optional<std::string> HeaderValue(absl::string_view headers, absl::string_view name) {
  // Unfold: CRLF followed by whitespace joins lines (RFC 5322 2.2.3).
  const std::string unfolded =
      absl::StrReplaceAll(headers, {{"\r\n ", " "}, {"\r\n\t", "\t"}});
  for (absl::string_view line : absl::StrSplit(unfolded, "\r\n")) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    if (absl::EqualsIgnoreCase(line.substr(0, colon), name)) {
      return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    }
  }
  return std::nullopt;
}

std::optional<std::string> DecodeWords(absl::string_view value) {
  std::string out;
  bool previous_encoded = false;
  std::string pending_space;
  for (absl::string_view token : absl::StrSplit(value, ' ')) {
    if (absl::StartsWith(token, "=?") && absl::EndsWith(token, "?=")) {
      std::vector<absl::string_view> fields = absl::StrSplit(token.substr(2, token.size() - 4), '?');
      if (fields.size() != 3 || !absl::EqualsIgnoreCase(fields[0], "UTF-8") ||
          !absl::EqualsIgnoreCase(fields[1], "B")) {
        return std::nullopt;
      }
      std::string decoded;
      if (!absl::Base64Unescape(fields[2], &decoded)) return std::nullopt;
      if (!previous_encoded) out += pending_space;
      out += decoded;
      previous_encoded = true;
    } else {
      out += pending_space;
      out.append(token.data(), token.size());
      previous_encoded = false;
    }
    pending_space = " ";
  }
  return out;
}

std::optional<std::string> DecodeBase64Lines(absl::string_view body) {
  std::string joined;
  for (absl::string_view line : absl::StrSplit(body, "\r\n")) {
    if (line.size() > 76) return std::nullopt;
    joined.append(line.data(), line.size());
  }
  std::string out;
  if (!absl::Base64Unescape(joined, &out)) return std::nullopt;
  return out;
}

std::vector<MimeEntity> SplitMultipart(absl::string_view body, absl::string_view boundary) {
  std::vector<MimeEntity> parts;
  const std::string delimiter = "\r\n--" + std::string(boundary);
  const std::string text = "\r\n" + std::string(body);
  size_t pos = text.find(delimiter);
  while (pos != std::string::npos) {
    size_t start = pos + delimiter.size();
    if (text.compare(start, 2, "--") == 0) break;  // close delimiter
    start += 2;                                     // CRLF after the boundary
    const size_t next = text.find(delimiter, start);
    if (next == std::string::npos) break;
    parts.push_back(SplitEntity(absl::string_view(text).substr(start, next - start)));
    pos = next;
  }
  return parts;
}

}  // namespace kaizen::notify::testing

// Internet messages for Japanese recipients: RFC 5322 with MIME (RFC 2045-
// 2049), UTF-8 throughout.
//
//  * Non-ASCII header text (Subject, display names) as RFC 2047 encoded
//    words, "=?UTF-8?B?...?=", each at most 75 octets and never splitting a
//    UTF-8 character, folded onto continuation lines (no header line over
//    78 octets).
//  * A plain-text body, Content-Type text/plain; charset=UTF-8,
//    Content-Transfer-Encoding base64 (76-char lines); with attachments,
//    multipart/mixed with the body first.
//  * CRLF line endings; Date in +0900 (Asia/Tokyo); MIME-Version 1.0; a
//    Message-ID given by the caller (MessageIdFor), stable across retries.
//  * Header injection is impossible: CR, LF or NUL in any header value or
//    address is INVALID_ARGUMENT; addresses must be a plain addr-spec
//    (validated like common/validation's e-mail rule).
#ifndef KAIZEN_COMMON_NOTIFY_MAIL_H_
#define KAIZEN_COMMON_NOTIFY_MAIL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kaizen::notify {

struct MailAddress {
  std::string display_name;  // UTF-8, may be empty
  std::string address;       // addr-spec, ASCII
};

struct MailAttachment {
  // ASCII file name, e.g. "meeting.ics".
  std::string filename;
  // Full content type, e.g. "text/calendar; charset=UTF-8; method=REQUEST".
  std::string content_type;
  std::string data;  // sent base64-encoded
};

struct MailMessage {
  MailAddress from;
  MailAddress to;
  std::string subject;  // UTF-8, one line
  std::string body;     // UTF-8 plain text, "\n" line ends (sent as CRLF)
  std::vector<MailAttachment> attachments;
  std::string message_id;  // "<...@...>"
  absl::Time date;
  // Further ASCII-only headers, e.g. {"List-Unsubscribe", "<https://...>"},
  // {"Auto-Submitted", "auto-generated"}.
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

// The message as sent (DATA content without dot-stuffing).
absl::StatusOr<std::string> RenderMail(const MailMessage& message);

// "<" + 32 hex chars of SHA-256(outbox_id) + "@" + domain + ">".
std::string MessageIdFor(absl::string_view outbox_id, absl::string_view domain);

// RFC 2047 encoding of one header value (exposed for tests): ASCII text
// without specials is returned unchanged.
std::string EncodeHeaderText(absl::string_view utf8);

}  // namespace kaizen::notify

#endif  // KAIZEN_COMMON_NOTIFY_MAIL_H_

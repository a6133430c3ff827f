#include "common/notify/mail.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/clock.h"
#include "common/util/crypto.h"
#include "common/validation/validation.h"

namespace kaizen::notify {
namespace {

constexpr char kReason[] = "INVALID_MAIL";
// Longest line we fold to (RFC 5322 2.1.1 "SHOULD be no more than 78").
constexpr size_t kFoldAt = 78;
// An unfoldable ASCII token may make a line longer, never over the MUST limit.
constexpr size_t kHardLimit = 998;
// UTF-8 bytes per encoded word: 42 bytes -> 56 base64 chars -> a 68-octet
// word, so "Subject: " + one word is 77 octets and every word is <= 75.
constexpr size_t kWordBytes = 42;

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return errors::InvalidField(field, what, kReason);
}

// Length of the UTF-8 sequence starting with `lead`, 0 if not a lead byte.
int Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

bool ValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const int n = Utf8Length(static_cast<unsigned char>(s[i]));
    if (n == 0 || i + n > s.size()) return false;
    for (int k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// Header text: valid UTF-8, no CR, LF, NUL or other control character.
absl::Status CheckHeaderText(absl::string_view field, absl::string_view text) {
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Invalid(field, "must be one line without control characters");
    }
  }
  if (!ValidUtf8(text)) return Invalid(field, "must be valid UTF-8");
  return absl::OkStatus();
}

// Printable ASCII, spaces allowed (header values we pass through).
bool PrintableAsciiLine(absl::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool HeaderNameChars(absl::string_view s) {
  if (s.empty() || s.size() > 76) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

// Text that may stand as is in a phrase or unstructured header: printable
// ASCII without RFC 5322 specials, single spaces between words, no "=?".
bool PlainAscii(absl::string_view s) {
  static constexpr absl::string_view kSpecials = "()<>[]:;@\\,\"";
  if (s.empty()) return true;
  if (s.front() == ' ' || s.back() == ' ' || absl::StrContains(s, "  ")) return false;
  if (absl::StrContains(s, "=?")) return false;
  for (char c : s) {
    if (c < 0x20 || c > 0x7e || kSpecials.find(c) != absl::string_view::npos) return false;
  }
  for (absl::string_view word : absl::StrSplit(s, ' ')) {
    if (word.size() > kFoldAt - 10) return false;  // could not be folded
  }
  return true;
}

// Encoded words of at most kWordBytes UTF-8 bytes each, whole characters.
std::vector<std::string> EncodedWords(absl::string_view utf8) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < utf8.size()) {
    size_t end = start;
    while (end < utf8.size()) {
      int n = Utf8Length(static_cast<unsigned char>(utf8[end]));
      if (n == 0) n = 1;  // not UTF-8 (callers check): never loop forever
      if (end + n - start > kWordBytes) break;
      end += n;
    }
    words.push_back(
        absl::StrCat("=?UTF-8?B?", absl::Base64Escape(utf8.substr(start, end - start)), "?="));
    start = end;
  }
  return words;
}

// "Name: token token ..." folded before a token that would pass kFoldAt.
absl::StatusOr<std::string> FoldHeader(absl::string_view name,
                                       const std::vector<std::string>& tokens) {
  std::string out = absl::StrCat(name, ":");
  size_t line_start = 0;
  bool line_has_token = false;
  for (const std::string& token : tokens) {
    if (line_has_token && out.size() - line_start + 1 + token.size() > kFoldAt) {
      out += "\r\n";
      line_start = out.size();
    }
    line_has_token = true;
    out += " ";
    out += token;
    if (out.size() - line_start > kHardLimit) {
      return Invalid(name, "has a word too long for a header line");
    }
  }
  out += "\r\n";
  return out;
}

std::vector<std::string> TextTokens(absl::string_view utf8) {
  if (PlainAscii(utf8)) return absl::StrSplit(utf8, ' ', absl::SkipEmpty());
  return EncodedWords(utf8);
}

absl::StatusOr<std::string> AddressHeader(absl::string_view name, absl::string_view field,
                                          const MailAddress& address) {
  RETURN_IF_ERROR(CheckHeaderText(absl::StrCat(field, ".display_name"), address.display_name));
  RETURN_IF_ERROR(ValidateEmail(absl::StrCat(field, ".address"), address.address));
  std::vector<std::string> tokens;
  if (!address.display_name.empty()) tokens = TextTokens(address.display_name);
  tokens.push_back(absl::StrCat("<", address.address, ">"));
  return FoldHeader(name, tokens);
}

// RFC 5322 date-time in Asia/Tokyo with English names, independent of the
// process locale: "Mon, 30 Nov 2026 15:03:50 +0900".
std::string RfcDate(absl::Time t) {
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const absl::TimeZone tz = TokyoTimeZone();
  const absl::TimeZone::CivilInfo info = tz.At(t);
  const absl::CivilSecond s = info.cs;
  const int weekday = static_cast<int>(absl::GetWeekday(s));  // Monday = 0
  const int offset = info.offset / 60;                         // minutes
  const char sign = offset < 0 ? '-' : '+';
  const int abs_offset = offset < 0 ? -offset : offset;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d", kDays[weekday],
                s.day(), kMonths[s.month() - 1], static_cast<int>(s.year()), s.hour(),
                s.minute(), s.second(), sign, abs_offset / 60, abs_offset % 60);
  return buf;
}

// Base64 in lines of 76 characters, each ended by CRLF.
std::string Base64Lines(absl::string_view data) {
  const std::string encoded = absl::Base64Escape(data);
  std::string out;
  out.reserve(encoded.size() + encoded.size() / 76 * 2 + 2);
  for (size_t i = 0; i < encoded.size(); i += 76) {
    out.append(encoded, i, 76);
    out += "\r\n";
  }
  return out;
}

// "\n", "\r\n" and lone "\r" all become CRLF.
// Copies the text between line ends in one piece (a mail body renders
// under the enrollment writer's lock: docs/benchmarks.md, fourteenth look).
std::string ToCrlf(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 20);
  size_t i = 0;
  while (i < text.size()) {
    const size_t end = text.find_first_of("\r\n", i);
    if (end == absl::string_view::npos) {
      out.append(text.data() + i, text.size() - i);
      break;
    }
    out.append(text.data() + i, end - i);
    out += "\r\n";
    i = end + 1;
    if (text[end] == '\r' && i < text.size() && text[i] == '\n') ++i;
  }
  return out;
}

bool ValidMessageId(absl::string_view id) {
  if (id.size() < 5 || id.size() > 250 || id.front() != '<' || id.back() != '>') return false;
  const absl::string_view inner = id.substr(1, id.size() - 2);
  const size_t at = inner.find('@');
  if (at == 0 || at == absl::string_view::npos || at + 1 == inner.size()) return false;
  for (char c : inner) {
    if (c < 0x21 || c > 0x7e || c == '<' || c == '>') return false;
  }
  return true;
}

bool ValidFilename(absl::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '.') return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

std::string BodyPart() { return "Content-Type: text/plain; charset=UTF-8\r\n"
                                "Content-Transfer-Encoding: base64\r\n"; }

}  // namespace

std::string EncodeHeaderText(absl::string_view utf8) {
  if (PlainAscii(utf8)) return std::string(utf8);
  return absl::StrJoin(EncodedWords(utf8), " ");
}

std::string MessageIdFor(absl::string_view outbox_id, absl::string_view domain) {
  return absl::StrCat("<", crypto::Hex(crypto::Sha256(outbox_id)).substr(0, 32), "@", domain,
                      ">");
}

absl::StatusOr<std::string> RenderMail(const MailMessage& m) {
  static const std::set<std::string> kOwnHeaders = {
      "date", "from", "to", "subject", "message-id", "mime-version", "content-type",
      "content-transfer-encoding", "cc", "bcc", "sender", "reply-to"};
  RETURN_IF_ERROR(CheckHeaderText("subject", m.subject));
  if (!ValidUtf8(m.body) || m.body.find('\0') != std::string::npos) {
    return Invalid("body", "must be valid UTF-8 without NUL");
  }
  if (!ValidMessageId(m.message_id)) {
    return Invalid("message_id", "must be \"<local@domain>\" in printable ASCII");
  }
  if (m.date == absl::InfinitePast() || m.date == absl::InfiniteFuture()) {
    return Invalid("date", "must be set");
  }
  std::string out;
  out += absl::StrCat("Date: ", RfcDate(m.date), "\r\n");
  ASSIGN_OR_RETURN(std::string from, AddressHeader("From", "from", m.from));
  ASSIGN_OR_RETURN(std::string to, AddressHeader("To", "to", m.to));
  out += from;
  out += to;
  ASSIGN_OR_RETURN(std::string subject, FoldHeader("Subject", TextTokens(m.subject)));
  out += subject;
  out += absl::StrCat("Message-ID: ", m.message_id, "\r\n");
  out += "MIME-Version: 1.0\r\n";
  for (const auto& [name, value] : m.extra_headers) {
    if (!HeaderNameChars(name) || kOwnHeaders.count(absl::AsciiStrToLower(name)) > 0) {
      return Invalid("extra_headers", "has a header name that is invalid or set by RenderMail");
    }
    if (!PrintableAsciiLine(value)) {
      return Invalid("extra_headers", "values must be one line of printable ASCII");
    }
    ASSIGN_OR_RETURN(std::string line,
                     FoldHeader(name, absl::StrSplit(value, ' ', absl::SkipEmpty())));
    out += line;
  }
  const std::string body = Base64Lines(ToCrlf(m.body));
  if (m.attachments.empty()) {
    out += BodyPart();
    out += "\r\n";
    out += body;
    return out;
  }

  std::vector<std::string> parts = {absl::StrCat(BodyPart(), "\r\n", body)};
  for (const MailAttachment& a : m.attachments) {
    if (!ValidFilename(a.filename)) {
      return Invalid("attachments.filename",
                     "must be 1 to 100 characters of letters, digits, '.', '_' or '-'");
    }
    if (a.content_type.empty() || a.content_type.size() > 200 ||
        !PrintableAsciiLine(a.content_type) || a.content_type.find('"') != std::string::npos) {
      return Invalid("attachments.content_type", "must be one line of printable ASCII");
    }
    std::vector<std::string> type_tokens = absl::StrSplit(a.content_type, ' ', absl::SkipEmpty());
    type_tokens.back() += ";";
    type_tokens.push_back(absl::StrCat("name=\"", a.filename, "\""));
    ASSIGN_OR_RETURN(std::string type_line, FoldHeader("Content-Type", type_tokens));
    ASSIGN_OR_RETURN(std::string disposition,
                     FoldHeader("Content-Disposition",
                                {"attachment;", absl::StrCat("filename=\"", a.filename, "\"")}));
    parts.push_back(absl::StrCat(type_line, "Content-Transfer-Encoding: base64\r\n", disposition,
                                 "\r\n", Base64Lines(a.data)));
  }
  // Parts are base64 under our own headers, and '_' is not in the base64
  // alphabet, so the boundary cannot occur; the loop proves it anyway. It
  // is derived from the Message-ID so that a retry sends the same bytes.
  std::string boundary;
  for (int salt = 0;; ++salt) {
    boundary = absl::StrCat("=_kaizen_",
                            crypto::Hex(crypto::Sha256(absl::StrCat(m.message_id, "/", salt)))
                                .substr(0, 24));
    bool clash = false;
    for (const std::string& part : parts) clash = clash || absl::StrContains(part, boundary);
    if (!clash) break;
  }
  out += absl::StrCat("Content-Type: multipart/mixed;\r\n boundary=\"", boundary, "\"\r\n");
  out += "\r\n";
  out += "This is a MIME message.\r\n";
  for (const std::string& part : parts) {
    out += absl::StrCat("\r\n--", boundary, "\r\n", part);
  }
  out += absl::StrCat("\r\n--", boundary, "--\r\n");
  return out;
}

}  // namespace kaizen::notify

#include "common/validation/validation.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"

namespace kaizen {
namespace {

constexpr char32_t kIdeographicSpace = 0x3000;
// UTF-8 encoding of U+3000.
constexpr absl::string_view kIdeographicSpaceUtf8 = "\xE3\x80\x80";

// Decodes `text` as strict UTF-8 (RFC 3629) into code points. Returns false on
// any malformed sequence: stray continuation bytes, truncated sequences,
// overlong encodings, UTF-16 surrogates and values above U+10FFFF. `out` may
// be null (validation only, no allocation).
bool DecodeUtf8(absl::string_view text, std::vector<char32_t>* out) {
  if (out != nullptr) {
    out->clear();
    out->reserve(text.size());
  }
  size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 < 0x80) {
      if (out != nullptr) out->push_back(b0);
      ++i;
      continue;
    }
    int extra;
    char32_t cp;
    char32_t min;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      extra = 1;
      cp = b0 & 0x1F;
      min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      extra = 2;
      cp = b0 & 0x0F;
      min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      extra = 3;
      cp = b0 & 0x07;
      min = 0x10000;
    } else {
      return false;  // 0x80..0xC1 (continuation / overlong lead), 0xF5..0xFF.
    }
    if (text.size() - i <= static_cast<size_t>(extra)) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    if (out != nullptr) out->push_back(cp);
    i += extra + 1;
  }
  return true;
}

bool IsControl(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

bool IsKana(char32_t cp) {
  return (cp >= 0x3041 && cp <= 0x3096) ||  // hiragana
         (cp >= 0x30A1 && cp <= 0x30FA) ||  // katakana
         cp == 0x30FB ||                    // ・ middle dot
         cp == 0x30FC ||                    // ー prolonged sound mark
         cp == U' ' || cp == kIdeographicSpace;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsLeapYear(int32_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int32_t year, int32_t month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

bool IsAtext(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '/': case '=': case '?': case '^': case '_':
    case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

bool IsValidLocalPart(absl::string_view local) {
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  char prev = '\0';
  for (char c : local) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!IsAtext(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

bool IsValidDomainLabel(absl::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
  }
  return true;
}

bool IsValidDomain(absl::string_view domain) {
  std::vector<absl::string_view> labels = absl::StrSplit(domain, '.');
  if (labels.size() < 2) return false;
  for (absl::string_view label : labels) {
    if (!IsValidDomainLabel(label)) return false;
  }
  return true;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) { return DecodeUtf8(text, nullptr); }

bool IsValidMunicipalityCheckDigit(absl::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (!IsDigit(c)) return false;
  }
  int sum = 0;
  for (int i = 0; i < 5; ++i) sum += (code[i] - '0') * (6 - i);
  const int check = (11 - sum % 11) % 10;
  return check == code[5] - '0';
}

absl::Status ValidateMunicipalityCode(absl::string_view field,
                                      absl::string_view code) {
  bool six_digits = code.size() == 6;
  for (char c : code) six_digits = six_digits && IsDigit(c);
  if (!six_digits) {
    return errors::InvalidField(field,
                                "municipality code must be exactly 6 digits",
                                kMunicipalityCodeFormatReason);
  }
  const int prefecture = (code[0] - '0') * 10 + (code[1] - '0');
  if (prefecture < 1 || prefecture > 47) {
    return errors::InvalidField(
        field, "municipality code must start with a prefecture number 01-47",
        kMunicipalityCodeFormatReason);
  }
  if (!IsValidMunicipalityCheckDigit(code)) {
    return errors::InvalidField(field,
                                "municipality code has a wrong check digit",
                                kMunicipalityCodeCheckDigitReason);
  }
  if (code.substr(2, 3) == "000") {
    return errors::InvalidField(
        field, "code is a prefecture code, not a municipality code",
        kNotAMunicipalityReason);
  }
  return absl::OkStatus();
}

absl::Status ValidateDate(absl::string_view field,
                          const google::type::Date& d) {
  if (d.year() < 1 || d.year() > 9999) {
    return errors::InvalidField(field, "date must have a year from 1 to 9999",
                                kInvalidDateReason);
  }
  if (d.month() < 1 || d.month() > 12) {
    return errors::InvalidField(field, "date must have a month from 1 to 12",
                                kInvalidDateReason);
  }
  if (d.day() < 1 || d.day() > DaysInMonth(d.year(), d.month())) {
    return errors::InvalidField(field, "date must be a real calendar day",
                                kInvalidDateReason);
  }
  return absl::OkStatus();
}

int AgeOn(const google::type::Date& birth, const google::type::Date& on) {
  int age = on.year() - birth.year();
  // Compare (month, day) pairs: before the birthday means one year less. A
  // Feb 29 birthday compares greater than Feb 28, so in non-leap years it is
  // reached on Mar 1.
  if (on.month() < birth.month() ||
      (on.month() == birth.month() && on.day() < birth.day())) {
    --age;
  }
  return age;
}

std::string TrimSpaces(absl::string_view text) {
  while (true) {
    if (!text.empty() &&
        absl::ascii_isspace(static_cast<unsigned char>(text.front()))) {
      text.remove_prefix(1);
    } else if (absl::StartsWith(text, kIdeographicSpaceUtf8)) {
      text.remove_prefix(kIdeographicSpaceUtf8.size());
    } else {
      break;
    }
  }
  while (true) {
    if (!text.empty() &&
        absl::ascii_isspace(static_cast<unsigned char>(text.back()))) {
      text.remove_suffix(1);
    } else if (absl::EndsWith(text, kIdeographicSpaceUtf8)) {
      text.remove_suffix(kIdeographicSpaceUtf8.size());
    } else {
      break;
    }
  }
  return std::string(text);
}

absl::Status ValidateText(absl::string_view field, absl::string_view text,
                          int min_chars, int max_chars, bool multiline) {
  std::vector<char32_t> code_points;
  if (!DecodeUtf8(text, &code_points)) {
    return errors::InvalidField(field, "text is not valid UTF-8",
                                kInvalidUtf8Reason);
  }
  for (char32_t cp : code_points) {
    if (!IsControl(cp)) continue;
    if (multiline && (cp == U'\n' || cp == U'\t')) continue;
    return errors::InvalidField(
        field,
        multiline ? "text must not contain control characters other than "
                    "line feeds and tabs"
                  : "text must be a single line without control characters",
        kControlCharacterReason);
  }
  // Trimming only removes whole ASCII bytes and whole U+3000 sequences, so the
  // trimmed text is valid UTF-8 too.
  const std::string trimmed = TrimSpaces(text);
  DecodeUtf8(trimmed, &code_points);
  const int length = static_cast<int>(code_points.size());
  if (length == 0 && min_chars > 0) {
    return errors::InvalidField(field, "text is required",
                                kTextRequiredReason);
  }
  if (length < min_chars) {
    return errors::InvalidField(
        field, absl::StrCat("text must be at least ", min_chars, " characters"),
        kTextTooShortReason);
  }
  if (length > max_chars) {
    return errors::InvalidField(
        field, absl::StrCat("text must be at most ", max_chars, " characters"),
        kTextTooLongReason);
  }
  return absl::OkStatus();
}

absl::Status ValidateKana(absl::string_view field, absl::string_view text) {
  if (absl::Status s = ValidateText(field, text, 1, 100, false); !s.ok()) {
    return s;
  }
  std::vector<char32_t> code_points;
  DecodeUtf8(TrimSpaces(text), &code_points);
  for (char32_t cp : code_points) {
    if (!IsKana(cp)) {
      return errors::InvalidField(
          field, "text must be written in hiragana or katakana only",
          kKanaOnlyReason);
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateEmail(absl::string_view field, absl::string_view email) {
  auto invalid = [&] {
    return errors::InvalidField(field, "not a valid e-mail address",
                                kInvalidEmailReason);
  };
  if (email.size() > 254) return invalid();
  const size_t at = email.find('@');
  if (at == absl::string_view::npos ||
      email.find('@', at + 1) != absl::string_view::npos) {
    return invalid();
  }
  if (!IsValidLocalPart(email.substr(0, at))) return invalid();
  if (!IsValidDomain(email.substr(at + 1))) return invalid();
  return absl::OkStatus();
}

}  // namespace kaizen

// Field validators for enrollment requests.
//
// Every Validate* function checks one value and returns either
// absl::OkStatus() or errors::InvalidField(field, description, reason):
//   - code INVALID_ARGUMENT,
//   - google.rpc.ErrorInfo.reason = one of the k*Reason constants below
//     (stable wire values; clients switch on them),
//   - one google.rpc.BadRequest field violation whose `field` is exactly the
//     `field` argument the caller passed (e.g. "application.applicant.kana").
// Descriptions are human-readable English and never echo the offending value,
// so personal data (names, e-mail addresses) does not end up in error
// messages or logs.
//
// The validators are pure functions: no I/O, no clock, no locale. "Today" and
// similar context are parameters.
#ifndef KAIZEN_COMMON_VALIDATION_VALIDATION_H_
#define KAIZEN_COMMON_VALIDATION_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/type/date.pb.h"

namespace kaizen {

// ErrorInfo.reason values produced by this file.
inline constexpr absl::string_view kMunicipalityCodeFormatReason =
    "MUNICIPALITY_CODE_FORMAT";
inline constexpr absl::string_view kMunicipalityCodeCheckDigitReason =
    "MUNICIPALITY_CODE_CHECK_DIGIT";
inline constexpr absl::string_view kNotAMunicipalityReason =
    "NOT_A_MUNICIPALITY";
inline constexpr absl::string_view kInvalidDateReason = "INVALID_DATE";
inline constexpr absl::string_view kInvalidUtf8Reason = "INVALID_UTF8";
inline constexpr absl::string_view kTextRequiredReason = "TEXT_REQUIRED";
inline constexpr absl::string_view kTextTooShortReason = "TEXT_TOO_SHORT";
inline constexpr absl::string_view kTextTooLongReason = "TEXT_TOO_LONG";
inline constexpr absl::string_view kControlCharacterReason =
    "CONTROL_CHARACTER";
inline constexpr absl::string_view kKanaOnlyReason = "KANA_ONLY";
inline constexpr absl::string_view kInvalidEmailReason = "INVALID_EMAIL";

// ---------------------------------------------------------------------------
// Municipality codes (全国地方公共団体コード)
// ---------------------------------------------------------------------------
//
// A local public entity code has six ASCII digits d1..d6:
//   d1d2    prefecture, 01 (Hokkaido) .. 47 (Okinawa)
//   d3d4d5  entity within the prefecture; "000" is the prefecture itself
//   d6      check digit = (11 - (d1*6 + d2*5 + d3*4 + d4*3 + d5*2) % 11) % 10
// Examples: 131016 Chiyoda-ku, 011002 Sapporo-shi, 242047 Matsusaka-shi,
// 130001 Tokyo-to (a prefecture).

// True iff `code` is exactly six ASCII digits and its sixth digit is the
// check digit of the first five. Says nothing about the prefecture range or
// whether the entity exists; false for any other input (empty, 5 or 7 chars,
// full-width digits, ...).
bool IsValidMunicipalityCheckDigit(absl::string_view code);

// Strict UTF-8 (RFC 3629): no stray continuation bytes, truncated
// sequences, overlong forms, surrogates or values above U+10FFFF.
bool IsValidUtf8(absl::string_view text);

// Validates a municipality (市区町村) code. Checks, in this order:
//   1. exactly six ASCII digits                 -> MUNICIPALITY_CODE_FORMAT
//   2. prefecture part d1d2 in 01..47            -> MUNICIPALITY_CODE_FORMAT
//   3. check digit (IsValidMunicipalityCheckDigit) -> MUNICIPALITY_CODE_CHECK_DIGIT
//   4. d3d4d5 != "000", i.e. not a prefecture    -> NOT_A_MUNICIPALITY
// No surrounding whitespace is accepted. Checks the shape only: whether the
// code names a real municipality (not a ward of a designated city, not an
// unassigned code) needs the national master, common/municipality
// (municipality::Find, Entity::IsMunicipality); enrollment checks both
// (services/enrollment/municipalities.h).
absl::Status ValidateMunicipalityCode(absl::string_view field,
                                      absl::string_view code);

// ---------------------------------------------------------------------------
// Dates (google.type.Date, proleptic Gregorian calendar)
// ---------------------------------------------------------------------------

// Validates a full calendar date: year 1..9999, month 1..12 and day 1..the
// length of that month (February has 29 days in leap years: divisible by 4,
// except centuries not divisible by 400). Partial dates that google.type.Date
// otherwise allows (year 0, month 0 or day 0) are rejected. Reason:
// INVALID_DATE.
absl::Status ValidateDate(absl::string_view field,
                          const google::type::Date& d);

// Age in whole years on date `on` of someone born on `birth`: the number of
// birthdays reached on or before `on`. Someone born on February 29 reaches
// their birthday on March 1 in non-leap years (so is still the younger age on
// February 28).
// Precondition: both dates pass ValidateDate. The result is negative iff `on`
// is before `birth`, and 0 on the day of birth.
int AgeOn(const google::type::Date& birth, const google::type::Date& on);

// ---------------------------------------------------------------------------
// Free text
// ---------------------------------------------------------------------------

// Returns `text` without leading and trailing whitespace, where whitespace is
// ASCII whitespace (space, \t, \n, \v, \f, \r) and the ideographic space
// U+3000 (全角スペース). Inner whitespace is kept as is. Works on bytes, so it
// never splits a valid UTF-8 sequence and is safe on invalid UTF-8 too.
std::string TrimSpaces(absl::string_view text);

// Validates a free-text field. Checks, in this order:
//   1. `text` is well-formed UTF-8 (no overlong forms, surrogates or code
//      points above U+10FFFF)                                 -> INVALID_UTF8
//   2. no control character anywhere in `text` (U+0000..U+001F, U+007F,
//      U+0080..U+009F); when `multiline`, \n and \t are allowed. \r is always
//      rejected: clients send line breaks as "\n".            -> CONTROL_CHARACTER
//   3. length of TrimSpaces(text), counted in Unicode code points (so
//      "山田 太郎" is 5):
//        0 while min_chars > 0                                -> TEXT_REQUIRED
//        1..min_chars-1                                       -> TEXT_TOO_SHORT
//        more than max_chars                                  -> TEXT_TOO_LONG
// Step 2 looks at the untrimmed text, so a single-line value with a trailing
// "\n" is rejected rather than silently accepted. Callers should store
// TrimSpaces(text). With min_chars == 0 an empty or all-space text is OK.
// Precondition: 0 <= min_chars <= max_chars.
absl::Status ValidateText(absl::string_view field, absl::string_view text,
                          int min_chars, int max_chars, bool multiline);

// Validates a kana reading (フリガナ / ふりがな), e.g. "ヤマダ タロウ" or
// "やまだ　たろう". First ValidateText(field, text, 1, 100, false) (its
// reasons apply unchanged), then every code point of TrimSpaces(text) must be
// one of:
//   hiragana U+3041..U+3096, katakana U+30A1..U+30FA, middle dot ・ U+30FB,
//   prolonged sound mark ー U+30FC, ASCII space, ideographic space U+3000
// otherwise -> KANA_ONLY. Not accepted: Latin letters, kanji, half-width
// katakana (ｱ), iteration marks (ゝゞヽヾ), stand-alone (han)dakuten (゛゜).
absl::Status ValidateKana(absl::string_view field, absl::string_view text);

// ---------------------------------------------------------------------------
// E-mail addresses
// ---------------------------------------------------------------------------

// Pragmatic e-mail address check (no quoted local parts, comments, IP-literal
// domains or internationalised addresses). All failures -> INVALID_EMAIL:
//   - at most 254 bytes, exactly one '@';
//   - local part: 1..64 characters from the RFC 5322 atext set
//     (A-Z a-z 0-9 ! # $ % & ' * + - / = ? ^ _ ` { | } ~) and '.', with no
//     leading, trailing or consecutive dots;
//   - domain: at least two dot-separated labels, each 1..63 characters of
//     [A-Za-z0-9-] not starting or ending with '-' (so no trailing dot).
// No trimming: surrounding whitespace makes the address invalid. Case is
// preserved; normalising is the caller's business.
absl::Status ValidateEmail(absl::string_view field, absl::string_view email);

}  // namespace kaizen

#endif  // KAIZEN_COMMON_VALIDATION_VALIDATION_H_

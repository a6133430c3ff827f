#include "common/validation/validation.h"

#include <string>

#include "absl/status/status.h"
#include "common/status/errors.h"
#include "google/type/date.pb.h"
#include "gtest/gtest.h"

namespace kaizen {
namespace {

constexpr absl::string_view kField = "application.applicant.value";

google::type::Date MakeDate(int year, int month, int day) {
  google::type::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

// Asserts an INVALID_ARGUMENT with the given reason and a single BadRequest
// violation on `field`.
void ExpectInvalid(const absl::Status& status, absl::string_view reason,
                   absl::string_view field = kField) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(errors::Reason(status), reason) << status;
  auto bad = errors::GetBadRequest(status);
  ASSERT_TRUE(bad.has_value()) << status;
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), field);
  EXPECT_FALSE(bad->field_violations(0).description().empty());
}

// --- Municipality codes -----------------------------------------------------

TEST(MunicipalityCheckDigitTest, KnownCodesAreValid) {
  EXPECT_TRUE(IsValidMunicipalityCheckDigit("131016"));  // 千代田区
  EXPECT_TRUE(IsValidMunicipalityCheckDigit("011002"));  // 札幌市
  EXPECT_TRUE(IsValidMunicipalityCheckDigit("242047"));  // 松阪市
  EXPECT_TRUE(IsValidMunicipalityCheckDigit("130001"));  // 東京都
  EXPECT_TRUE(IsValidMunicipalityCheckDigit("271004"));  // 大阪市
  EXPECT_TRUE(IsValidMunicipalityCheckDigit("472018"));  // 那覇市
}

TEST(MunicipalityCheckDigitTest, WrongCheckDigitIsInvalid) {
  EXPECT_FALSE(IsValidMunicipalityCheckDigit("131017"));
  EXPECT_FALSE(IsValidMunicipalityCheckDigit("011003"));
  EXPECT_FALSE(IsValidMunicipalityCheckDigit("242040"));
}

TEST(MunicipalityCheckDigitTest, RemainderZeroAndOneWrapToDigits) {
  // Weighted sum 11 -> remainder 0 -> (11 - 0) % 10 = 1.
  // 0,0,0,1,4: 0*6+0*5+0*4+1*3+4*2 = 11.
  EXPECT_TRUE(IsValidMunicipalityCheckDigit("000141"));
  // Weighted sum 10 -> remainder 10 -> (11 - 10) % 10 = 1.
  // 0,0,1,2,0: 4+6 = 10.
  EXPECT_TRUE(IsValidMunicipalityCheckDigit("001201"));
  // Weighted sum 12 -> remainder 1 -> (11 - 1) % 10 = 0. 0,0,0,0,6: 6*2 = 12.
  EXPECT_TRUE(IsValidMunicipalityCheckDigit("000060"));
}

TEST(MunicipalityCheckDigitTest, MalformedInputIsInvalid) {
  EXPECT_FALSE(IsValidMunicipalityCheckDigit(""));
  EXPECT_FALSE(IsValidMunicipalityCheckDigit("13101"));
  EXPECT_FALSE(IsValidMunicipalityCheckDigit("1310160"));
  EXPECT_FALSE(IsValidMunicipalityCheckDigit("13101a"));
  EXPECT_FALSE(IsValidMunicipalityCheckDigit(" 31016"));
  // Full-width digits １３１０１６.
  EXPECT_FALSE(IsValidMunicipalityCheckDigit(
      "\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x96"));
}

TEST(ValidateMunicipalityCodeTest, AcceptsMunicipalities) {
  EXPECT_TRUE(ValidateMunicipalityCode(kField, "131016").ok());
  EXPECT_TRUE(ValidateMunicipalityCode(kField, "011002").ok());
  EXPECT_TRUE(ValidateMunicipalityCode(kField, "242047").ok());
  EXPECT_TRUE(ValidateMunicipalityCode(kField, "472018").ok());
}

TEST(ValidateMunicipalityCodeTest, RejectsBadFormat) {
  for (absl::string_view code :
       {"", "13101", "1310166", "13101x", "131-16", " 131016", "131016 ",
        "\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC"
        "\x96"}) {
    SCOPED_TRACE(code);
    ExpectInvalid(ValidateMunicipalityCode(kField, code),
                  "MUNICIPALITY_CODE_FORMAT");
  }
}

TEST(ValidateMunicipalityCodeTest, RejectsPrefectureOutOfRange) {
  // Check digits are correct, so only the prefecture range can fail.
  ASSERT_TRUE(IsValidMunicipalityCheckDigit("001201"));
  ExpectInvalid(ValidateMunicipalityCode(kField, "001201"),
                "MUNICIPALITY_CODE_FORMAT");
  // 48 is past Okinawa (47): 4*6+8*5+1*4+0+1*2 = 70, 70 % 11 = 4, 7.
  ASSERT_TRUE(IsValidMunicipalityCheckDigit("481017"));
  ExpectInvalid(ValidateMunicipalityCode(kField, "481017"),
                "MUNICIPALITY_CODE_FORMAT");
  ExpectInvalid(ValidateMunicipalityCode(kField, "991010"),
                "MUNICIPALITY_CODE_FORMAT");
}

TEST(ValidateMunicipalityCodeTest, RejectsWrongCheckDigit) {
  ExpectInvalid(ValidateMunicipalityCode(kField, "131017"),
                "MUNICIPALITY_CODE_CHECK_DIGIT");
  ExpectInvalid(ValidateMunicipalityCode(kField, "011000"),
                "MUNICIPALITY_CODE_CHECK_DIGIT");
}

TEST(ValidateMunicipalityCodeTest, RejectsPrefectureCodes) {
  ExpectInvalid(ValidateMunicipalityCode(kField, "130001"),
                "NOT_A_MUNICIPALITY");
  // 北海道 010006: 0+5*1+0+0+0 = 5, 11-5 = 6.
  ExpectInvalid(ValidateMunicipalityCode(kField, "010006"),
                "NOT_A_MUNICIPALITY");
}

TEST(ValidateMunicipalityCodeTest, PrefectureCodeWithWrongCheckDigitReportsCheckDigit) {
  ExpectInvalid(ValidateMunicipalityCode(kField, "130002"),
                "MUNICIPALITY_CODE_CHECK_DIGIT");
}

TEST(ValidateMunicipalityCodeTest, UsesCallerFieldPath) {
  ExpectInvalid(
      ValidateMunicipalityCode("application.members[2].municipality_code",
                               "131017"),
      "MUNICIPALITY_CODE_CHECK_DIGIT",
      "application.members[2].municipality_code");
}

// --- Dates ------------------------------------------------------------------

TEST(ValidateDateTest, AcceptsRealDates) {
  EXPECT_TRUE(ValidateDate(kField, MakeDate(1990, 1, 31)).ok());
  EXPECT_TRUE(ValidateDate(kField, MakeDate(2024, 2, 29)).ok());  // leap
  EXPECT_TRUE(ValidateDate(kField, MakeDate(2000, 2, 29)).ok());  // /400
  EXPECT_TRUE(ValidateDate(kField, MakeDate(2023, 2, 28)).ok());
  EXPECT_TRUE(ValidateDate(kField, MakeDate(2023, 4, 30)).ok());
  EXPECT_TRUE(ValidateDate(kField, MakeDate(2023, 12, 31)).ok());
  EXPECT_TRUE(ValidateDate(kField, MakeDate(1, 1, 1)).ok());
  EXPECT_TRUE(ValidateDate(kField, MakeDate(9999, 12, 31)).ok());
}

TEST(ValidateDateTest, RejectsImpossibleDays) {
  ExpectInvalid(ValidateDate(kField, MakeDate(2023, 2, 29)), "INVALID_DATE");
  ExpectInvalid(ValidateDate(kField, MakeDate(1900, 2, 29)), "INVALID_DATE");
  ExpectInvalid(ValidateDate(kField, MakeDate(2024, 2, 30)), "INVALID_DATE");
  ExpectInvalid(ValidateDate(kField, MakeDate(2023, 4, 31)), "INVALID_DATE");
  ExpectInvalid(ValidateDate(kField, MakeDate(2023, 1, 32)), "INVALID_DATE");
  ExpectInvalid(ValidateDate(kField, MakeDate(2023, 1, -1)), "INVALID_DATE");
}

TEST(ValidateDateTest, RejectsPartialAndOutOfRangeDates) {
  ExpectInvalid(ValidateDate(kField, google::type::Date()), "INVALID_DATE");
  ExpectInvalid(ValidateDate(kField, MakeDate(0, 5, 1)), "INVALID_DATE");
  ExpectInvalid(ValidateDate(kField, MakeDate(2023, 0, 1)), "INVALID_DATE");
  ExpectInvalid(ValidateDate(kField, MakeDate(2023, 5, 0)), "INVALID_DATE");
  ExpectInvalid(ValidateDate(kField, MakeDate(2023, 13, 1)), "INVALID_DATE");
  ExpectInvalid(ValidateDate(kField, MakeDate(10000, 1, 1)), "INVALID_DATE");
  ExpectInvalid(ValidateDate(kField, MakeDate(-1, 1, 1)), "INVALID_DATE");
}

TEST(ValidateDateTest, UsesCallerFieldPath) {
  ExpectInvalid(ValidateDate("application.members[0].birth_date",
                             MakeDate(2023, 2, 29)),
                "INVALID_DATE", "application.members[0].birth_date");
}

// --- AgeOn ------------------------------------------------------------------

TEST(AgeOnTest, BirthdayBoundary) {
  const auto birth = MakeDate(2000, 4, 2);
  EXPECT_EQ(AgeOn(birth, MakeDate(2018, 4, 1)), 17);  // day before
  EXPECT_EQ(AgeOn(birth, MakeDate(2018, 4, 2)), 18);  // birthday
  EXPECT_EQ(AgeOn(birth, MakeDate(2018, 4, 3)), 18);
  EXPECT_EQ(AgeOn(birth, MakeDate(2018, 3, 31)), 17);
  EXPECT_EQ(AgeOn(birth, MakeDate(2018, 5, 1)), 18);
  EXPECT_EQ(AgeOn(birth, MakeDate(2018, 12, 31)), 18);
  EXPECT_EQ(AgeOn(birth, MakeDate(2019, 1, 1)), 18);
}

TEST(AgeOnTest, DayOfBirthAndBefore) {
  const auto birth = MakeDate(2000, 6, 15);
  EXPECT_EQ(AgeOn(birth, birth), 0);
  EXPECT_EQ(AgeOn(birth, MakeDate(2001, 6, 14)), 0);
  EXPECT_EQ(AgeOn(birth, MakeDate(2001, 6, 15)), 1);
  EXPECT_LT(AgeOn(birth, MakeDate(2000, 6, 14)), 0);
  EXPECT_LT(AgeOn(birth, MakeDate(1999, 12, 31)), 0);
  EXPECT_LT(AgeOn(birth, MakeDate(1990, 7, 1)), 0);
}

TEST(AgeOnTest, NewYearsEveBirthday) {
  const auto birth = MakeDate(1999, 12, 31);
  EXPECT_EQ(AgeOn(birth, MakeDate(2000, 1, 1)), 0);
  EXPECT_EQ(AgeOn(birth, MakeDate(2000, 12, 30)), 0);
  EXPECT_EQ(AgeOn(birth, MakeDate(2000, 12, 31)), 1);
}

TEST(AgeOnTest, LeapDayBirthdayInNonLeapYearIsMarchFirst) {
  const auto birth = MakeDate(2004, 2, 29);
  EXPECT_EQ(AgeOn(birth, MakeDate(2005, 2, 28)), 0);
  EXPECT_EQ(AgeOn(birth, MakeDate(2005, 3, 1)), 1);
  EXPECT_EQ(AgeOn(birth, MakeDate(2022, 2, 28)), 17);
  EXPECT_EQ(AgeOn(birth, MakeDate(2022, 3, 1)), 18);
}

TEST(AgeOnTest, LeapDayBirthdayInLeapYearIsFebruary29) {
  const auto birth = MakeDate(2004, 2, 29);
  EXPECT_EQ(AgeOn(birth, MakeDate(2008, 2, 28)), 3);
  EXPECT_EQ(AgeOn(birth, MakeDate(2008, 2, 29)), 4);
  EXPECT_EQ(AgeOn(birth, MakeDate(2008, 3, 1)), 4);
}

// --- TrimSpaces -------------------------------------------------------------

TEST(TrimSpacesTest, TrimsAsciiAndIdeographicSpaces) {
  EXPECT_EQ(TrimSpaces(""), "");
  EXPECT_EQ(TrimSpaces("   "), "");
  EXPECT_EQ(TrimSpaces("\xE3\x80\x80\xE3\x80\x80"), "");
  EXPECT_EQ(TrimSpaces("  abc  "), "abc");
  EXPECT_EQ(TrimSpaces("\t\r\n abc \n\v\f"), "abc");
  EXPECT_EQ(TrimSpaces("\xE3\x80\x80山田\xE3\x80\x80"), "山田");
  EXPECT_EQ(TrimSpaces(" \xE3\x80\x80 山田 太郎\xE3\x80\x80 \xE3\x80\x80"),
            "山田 太郎");
}

TEST(TrimSpacesTest, KeepsInnerSpaces) {
  EXPECT_EQ(TrimSpaces("山田 太郎"), "山田 太郎");
  EXPECT_EQ(TrimSpaces("やまだ\xE3\x80\x80たろう"), "やまだ\xE3\x80\x80たろう");
  EXPECT_EQ(TrimSpaces(" a \n b "), "a \n b");
}

TEST(TrimSpacesTest, DoesNotSplitOtherCharacters) {
  // U+3001 、 shares the first two bytes with U+3000 but is not a space.
  EXPECT_EQ(TrimSpaces("\xE3\x80\x81"), "\xE3\x80\x81");
  // A lone lead byte stays.
  EXPECT_EQ(TrimSpaces("a\xE3\x80"), "a\xE3\x80");
  EXPECT_EQ(TrimSpaces(" \xff "), "\xff");
}

// --- ValidateText -----------------------------------------------------------

TEST(ValidateTextTest, AcceptsJapaneseText) {
  EXPECT_TRUE(ValidateText(kField, "山田 太郎", 1, 5, false).ok());
  EXPECT_TRUE(ValidateText(kField, "やまだ　たろう", 1, 7, false).ok());
  EXPECT_TRUE(ValidateText(kField, "髙橋 𠮷野家", 1, 10, false).ok());  // 4-byte
  EXPECT_TRUE(ValidateText(kField, "Ｙａｍａｄａ", 1, 6, false).ok());
}

TEST(ValidateTextTest, CountsCodePointsNotBytes) {
  // "山田 太郎" is 13 bytes but 5 code points.
  EXPECT_TRUE(ValidateText(kField, "山田 太郎", 5, 5, false).ok());
  ExpectInvalid(ValidateText(kField, "山田 太郎", 1, 4, false),
                "TEXT_TOO_LONG");
  // 𠮷 (U+20BB7) is one code point.
  EXPECT_TRUE(ValidateText(kField, "𠮷", 1, 1, false).ok());
}

TEST(ValidateTextTest, CountsAfterTrimming) {
  EXPECT_TRUE(
      ValidateText(kField, "\xE3\x80\x80 山田太郎 \xE3\x80\x80", 1, 4, false)
          .ok());
  // Inner ideographic space counts.
  EXPECT_TRUE(ValidateText(kField, "山田\xE3\x80\x80太郎", 1, 5, false).ok());
  ExpectInvalid(ValidateText(kField, "山田\xE3\x80\x80太郎", 1, 4, false),
                "TEXT_TOO_LONG");
}

TEST(ValidateTextTest, Required) {
  ExpectInvalid(ValidateText(kField, "", 1, 10, false), "TEXT_REQUIRED");
  ExpectInvalid(ValidateText(kField, "   ", 1, 10, false), "TEXT_REQUIRED");
  ExpectInvalid(ValidateText(kField, "\xE3\x80\x80", 1, 10, false),
                "TEXT_REQUIRED");
  ExpectInvalid(ValidateText(kField, " \n ", 1, 10, true), "TEXT_REQUIRED");
}

TEST(ValidateTextTest, OptionalEmptyIsOk) {
  EXPECT_TRUE(ValidateText(kField, "", 0, 10, false).ok());
  EXPECT_TRUE(ValidateText(kField, " \xE3\x80\x80 ", 0, 10, false).ok());
}

TEST(ValidateTextTest, TooShort) {
  ExpectInvalid(ValidateText(kField, "山田", 3, 10, false), "TEXT_TOO_SHORT");
  EXPECT_TRUE(ValidateText(kField, "山田太", 3, 10, false).ok());
}

TEST(ValidateTextTest, TooLong) {
  EXPECT_TRUE(ValidateText(kField, std::string(100, 'a'), 1, 100, false).ok());
  ExpectInvalid(ValidateText(kField, std::string(101, 'a'), 1, 100, false),
                "TEXT_TOO_LONG");
  std::string kanji;
  for (int i = 0; i < 101; ++i) kanji += "字";
  ExpectInvalid(ValidateText(kField, kanji, 1, 100, false), "TEXT_TOO_LONG");
}

TEST(ValidateTextTest, RejectsInvalidUtf8) {
  for (absl::string_view bad : {
           absl::string_view("\xff"),
           absl::string_view("山田\xff"),
           absl::string_view("\x80"),              // stray continuation
           absl::string_view("\xE5\xB1"),          // truncated 山
           absl::string_view("\xC0\xAF"),          // overlong '/'
           absl::string_view("\xE0\x80\xAF"),      // overlong '/'
           absl::string_view("\xED\xA0\x80"),      // surrogate U+D800
           absl::string_view("\xF4\x90\x80\x80"),  // U+110000
           absl::string_view("\xF8\x88\x80\x80\x80"),
       }) {
    SCOPED_TRACE(testing::PrintToString(std::string(bad)));
    ExpectInvalid(ValidateText(kField, bad, 0, 100, false), "INVALID_UTF8");
  }
}

TEST(ValidateTextTest, InvalidUtf8WinsOverLength) {
  ExpectInvalid(ValidateText(kField, "\xff", 0, 0, false), "INVALID_UTF8");
}

TEST(ValidateTextTest, RejectsControlCharacters) {
  for (absl::string_view bad : {
           absl::string_view("a\nb"),
           absl::string_view("a\tb"),
           absl::string_view("a\rb"),
           absl::string_view("a\x1b[31mb"),
           absl::string_view("a\x7f"),
           absl::string_view("a\xC2\x85"),  // U+0085 NEL (C1)
           absl::string_view("a\0b", 3),
           absl::string_view("山田太郎\n"),  // trailing newline, single line
       }) {
    SCOPED_TRACE(testing::PrintToString(std::string(bad)));
    ExpectInvalid(ValidateText(kField, bad, 0, 100, false),
                  "CONTROL_CHARACTER");
  }
}

TEST(ValidateTextTest, MultilineAllowsNewlineAndTab) {
  EXPECT_TRUE(ValidateText(kField, "一行目\n二行目\n\t字下げ", 1, 100, true).ok());
  ExpectInvalid(ValidateText(kField, "一行目\r\n二行目", 1, 100, true),
                "CONTROL_CHARACTER");
  ExpectInvalid(ValidateText(kField, "a\x01", 1, 100, true),
                "CONTROL_CHARACTER");
  ExpectInvalid(ValidateText(kField, "a\xC2\x9F", 1, 100, true),
                "CONTROL_CHARACTER");
}

TEST(ValidateTextTest, MultilineCountsNewlines) {
  EXPECT_TRUE(ValidateText(kField, "a\nb", 3, 3, true).ok());
  ExpectInvalid(ValidateText(kField, "a\n\nb", 1, 3, true), "TEXT_TOO_LONG");
}

TEST(ValidateTextTest, UsesCallerFieldPath) {
  ExpectInvalid(ValidateText("application.applicant.name", "", 1, 10, false),
                "TEXT_REQUIRED", "application.applicant.name");
}

// --- ValidateKana -----------------------------------------------------------

TEST(ValidateKanaTest, AcceptsKana) {
  EXPECT_TRUE(ValidateKana(kField, "ヤマダ タロウ").ok());
  EXPECT_TRUE(ValidateKana(kField, "やまだ　たろう").ok());
  EXPECT_TRUE(ValidateKana(kField, "ジョン・スミス").ok());
  EXPECT_TRUE(ValidateKana(kField, "コーヒー").ok());
  EXPECT_TRUE(ValidateKana(kField, "ぁゖァヺ").ok());   // range ends
  EXPECT_TRUE(ValidateKana(kField, "ヴァイオリン").ok());
  EXPECT_TRUE(ValidateKana(kField, "　ヤマダ　").ok());  // trimmed
}

TEST(ValidateKanaTest, RejectsNonKana) {
  for (absl::string_view bad : {
           "Yamada",
           "山田 太郎",
           "ヤマダ タロウ2",
           "ﾔﾏﾀﾞ",        // half-width katakana
           "ヤマダ、タロウ",  // 、 U+3001
           "ゝ",           // U+309D iteration mark
           "ヽ",           // U+30FD iteration mark
           "゛",           // U+309B voiced sound mark
           "ヤマダ－タロウ",  // U+FF0D full-width hyphen-minus
       }) {
    SCOPED_TRACE(bad);
    ExpectInvalid(ValidateKana(kField, bad), "KANA_ONLY");
  }
}

TEST(ValidateKanaTest, AppliesTextRules) {
  ExpectInvalid(ValidateKana(kField, ""), "TEXT_REQUIRED");
  ExpectInvalid(ValidateKana(kField, "\xE3\x80\x80 "), "TEXT_REQUIRED");
  ExpectInvalid(ValidateKana(kField, "ヤマダ\xff"), "INVALID_UTF8");
  ExpectInvalid(ValidateKana(kField, "ヤマダ\tタロウ"), "CONTROL_CHARACTER");
  std::string s100;
  for (int i = 0; i < 100; ++i) s100 += "ア";
  EXPECT_TRUE(ValidateKana(kField, s100).ok());
  ExpectInvalid(ValidateKana(kField, s100 + "ア"), "TEXT_TOO_LONG");
}

TEST(ValidateKanaTest, UsesCallerFieldPath) {
  ExpectInvalid(ValidateKana("application.applicant.name_kana", "Yamada"),
                "KANA_ONLY", "application.applicant.name_kana");
}

// --- ValidateEmail ----------------------------------------------------------

TEST(ValidateEmailTest, AcceptsCommonAddresses) {
  for (absl::string_view ok : {
           "taro@example.com",
           "taro.yamada@city.chiyoda.lg.jp",
           "Taro.Yamada+kaizen@Example.CO.JP",
           "a@b.co",
           "x_y-z@sub-domain.example.jp",
           "!#$%&'*+-/=?^_`{|}~@example.com",
           "user@123.example.com",
       }) {
    SCOPED_TRACE(ok);
    EXPECT_TRUE(ValidateEmail(kField, ok).ok());
  }
}

TEST(ValidateEmailTest, RejectsMalformedAddresses) {
  for (absl::string_view bad : {
           "",
           "taro",
           "@example.com",
           "taro@",
           "taro@@example.com",
           "taro@yamada@example.com",
           "taro@localhost",
           ".taro@example.com",
           "taro.@example.com",
           "taro..yamada@example.com",
           "taro yamada@example.com",
           " taro@example.com",
           "taro@example.com ",
           "\"taro\"@example.com",
           "taro(comment)@example.com",
           "taro@-example.com",
           "taro@example-.com",
           "taro@example..com",
           "taro@.example.com",
           "taro@example.com.",
           "taro@exa_mple.com",
           "taro@[192.168.0.1]",
           "山田@example.com",
           "taro@例え.jp",
           "taro＠example.com",  // full-width @
       }) {
    SCOPED_TRACE(bad);
    ExpectInvalid(ValidateEmail(kField, bad), "INVALID_EMAIL");
  }
}

TEST(ValidateEmailTest, LengthLimits) {
  // 64-byte local part is the maximum.
  EXPECT_TRUE(
      ValidateEmail(kField, std::string(64, 'a') + "@example.com").ok());
  ExpectInvalid(ValidateEmail(kField, std::string(65, 'a') + "@example.com"),
                "INVALID_EMAIL");
  // 63-byte label is the maximum.
  EXPECT_TRUE(
      ValidateEmail(kField, "a@" + std::string(63, 'b') + ".jp").ok());
  ExpectInvalid(ValidateEmail(kField, "a@" + std::string(64, 'b') + ".jp"),
                "INVALID_EMAIL");
  // 254 bytes total is the maximum: "a@" + 4 labels of 60 + dots + ".jp".
  std::string domain;
  for (int i = 0; i < 4; ++i) domain += std::string(60, 'c') + ".";
  std::string address = "a@" + domain;  // 2 + 244 = 246 bytes
  address += std::string(254 - address.size() - 3, 'd') + ".jp";
  ASSERT_EQ(address.size(), 254u);
  EXPECT_TRUE(ValidateEmail(kField, address).ok());
  address.insert(0, "a");
  ASSERT_EQ(address.size(), 255u);
  ExpectInvalid(ValidateEmail(kField, address), "INVALID_EMAIL");
}

TEST(ValidateEmailTest, UsesCallerFieldPath) {
  ExpectInvalid(ValidateEmail("application.applicant.email", "taro"),
                "INVALID_EMAIL", "application.applicant.email");
}

}  // namespace
}  // namespace kaizen

namespace kaizen {
namespace {

TEST(IsValidUtf8Test, StrictRfc3629) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("abc 第1回 ○△× 😀"));
  EXPECT_FALSE(IsValidUtf8("\xE7\xAC"));          // truncated 第
  EXPECT_FALSE(IsValidUtf8("\xAC\xAC"));          // lone continuation bytes
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
}

}  // namespace
}  // namespace kaizen

#include "common/util/excel_csv.h"

#include "gtest/gtest.h"

namespace kaizen {
namespace excel_csv_test {

TEST(ExcelCsvTest, BomQuotingAndFormulaGuard) {
  CsvTable t;
  t.header = {"名前", "メモ"};
  t.rows = {{"山田, 太郎", "=1+1"}, {"\"引用\"", "改行\nあり"}};
  EXPECT_EQ(RenderExcelCsv(t),
            "\xEF\xBB\xBF名前,メモ\r\n\"山田, 太郎\",\"'=1+1\"\r\n\"\"\"引用\"\"\",\"改行\nあり\"\r\n");
}

// OWASP: a leading tab or carriage return is skipped by some spreadsheet
// programs, which then see the formula behind it.
TEST(ExcelCsvTest, LeadingTabOrCarriageReturnIsGuardedToo) {
  CsvTable t;
  t.header = {"x"};
  t.rows = {{"\t=1+1"}, {"\r=1+1"}, {"a\tb"}};
  EXPECT_EQ(RenderExcelCsv(t),
            "\xEF\xBB\xBF" "x\r\n\"'\t=1+1\"\r\n\"'\r=1+1\"\r\na\tb\r\n");
}

TEST(ExcelCsvTest, DigitsStayTextWithoutOpeningFormulas) {
  CsvTable t;
  t.header = {"code"};
  t.rows = {{ExcelText("011002")}, {"=\"01\"&HYPERLINK(\"x\")"}};
  EXPECT_EQ(RenderExcelCsv(t),
            "\xEF\xBB\xBF" "code\r\n\"=\"\"011002\"\"\"\r\n\"'=\"\"01\"\"&HYPERLINK(\"\"x\"\")\"\r\n");
}

// Only digit strings become ="..."; anything else stays as it is (and, if it
// starts with =, is quote-guarded by RenderExcelCsv like any other field).
TEST(ExcelCsvTest, ExcelTextOnlyWrapsDigits) {
  EXPECT_EQ(ExcelText("011002"), "=\"011002\"");
  EXPECT_EQ(ExcelText(""), "");
  EXPECT_EQ(ExcelText("01-1002"), "01-1002");
  EXPECT_EQ(ExcelText("1\"&HYPERLINK(\"x\")&\"2"), "1\"&HYPERLINK(\"x\")&\"2");
  CsvTable t;
  t.header = {"code"};
  t.rows = {{ExcelText("=1+1")}};
  EXPECT_EQ(RenderExcelCsv(t), "\xEF\xBB\xBF" "code\r\n\"'=1+1\"\r\n");
}

}  // namespace
TEST(ExcelCsvTest, ExcelTextIdKeepsNumberAndDateLikeIdsAsText) {
  EXPECT_EQ(ExcelTextId("00123"), "=\"00123\"");
  EXPECT_EQ(ExcelTextId("1e5"), "=\"1e5\"");
  EXPECT_EQ(ExcelTextId("bundle-2022-09"), "=\"bundle-2022-09\"");
  EXPECT_EQ(ExcelTextId(""), "");
  EXPECT_EQ(ExcelTextId("a\"&HYPERLINK(\"x\")"), "a\"&HYPERLINK(\"x\")");
  EXPECT_EQ(ExcelTextId("key id"), "key id");
  CsvTable t;
  t.header = {"id"};
  t.rows = {{ExcelTextId("2022-09")}, {ExcelTextId("=1+1")}};
  // Not guarded (only quoted for its quotes), while a formula still is.
  EXPECT_EQ(RenderExcelCsv(t), "\xEF\xBB\xBF" "id\r\n\"=\"\"2022-09\"\"\"\r\n\"'=1+1\"\r\n");
}

}  // namespace kaizen

#include "common/util/excel_csv.h"

#include "gtest/gtest.h"

namespace kaizen {
namespace {

TEST(ExcelCsvTest, BomQuotingAndFormulaGuard) {
  CsvTable t;
  t.header = {"名前", "メモ"};
  t.rows = {{"山田, 太郎", "=1+1"}, {"\"引用\"", "改行\nあり"}};
  EXPECT_EQ(RenderExcelCsv(t),
            "\xEF\xBB\xBF名前,メモ\r\n\"山田, 太郎\",\"'=1+1\"\r\n\"\"\"引用\"\"\",\"改行\nあり\"\r\n");
}

TEST(ExcelCsvTest, DigitsStayTextWithoutOpeningFormulas) {
  CsvTable t;
  t.header = {"code"};
  t.rows = {{ExcelText("011002")}, {"=\"01\"&HYPERLINK(\"x\")"}};
  EXPECT_EQ(RenderExcelCsv(t),
            "\xEF\xBB\xBF" "code\r\n\"=\"\"011002\"\"\"\r\n\"'=\"\"01\"\"&HYPERLINK(\"\"x\"\")\"\r\n");
}

}  // namespace
}  // namespace kaizen

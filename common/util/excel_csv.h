// CSV that Excel (Japanese locale) opens correctly: for exports staff open in
// a spreadsheet (poll answers, survey responses).
#ifndef KAIZEN_COMMON_UTIL_EXCEL_CSV_H_
#define KAIZEN_COMMON_UTIL_EXCEL_CSV_H_

#include <string>
#include <vector>

namespace kaizen {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// UTF-8 BOM + rows joined with CRLF; a field is quoted when it contains a
// comma, quote, CR or LF (quotes doubled), or starts with = + - @ (then it is
// also prefixed with a single quote, so Excel does not run it as a formula).
std::string RenderExcelCsv(const CsvTable& table);

// A field Excel keeps as text even when it looks like a number (e.g. a
// municipality code "011002", which would otherwise lose its leading zero):
// ="011002". Use only for values that are digits.
std::string ExcelText(const std::string& digits);

}  // namespace kaizen

#endif  // KAIZEN_COMMON_UTIL_EXCEL_CSV_H_

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
// comma, quote, CR or LF (quotes doubled), or starts with = + - @, tab
// or CR (OWASP's CSV-injection list; then it is also prefixed with a single
// quote, so Excel does not run it as a formula). The one exception is
// ExcelText's and ExcelTextId's own ="<id>", which is written as it is.
std::string RenderExcelCsv(const CsvTable& table);

// A field Excel keeps as text even when it looks like a number, e.g. a
// municipality code "011002", which Excel would otherwise open as the number
// 11002: written as ="011002", a formula whose value is the text itself.
//
// Why this technique: a CSV carries no cell types, and Excel decides each
// field's type when it opens the file by double-click (no import wizard).
// The alternatives fail there: quoting ("011002") is removed before typing;
// a leading apostrophe ('011002) is shown as part of the value; a leading
// tab or space survives into the value and breaks lookups (VLOOKUP, pivot
// keys) on the code. ="..." is the long-standing Excel idiom for this:
// Excel shows and copies the text, with its zeros, and since only digits
// are ever wrapped it opens no formula injection (RenderExcelCsv guards
// every other field starting with =). The cost: a program reading the CSV
// as plain text (or a spreadsheet importing with formulas off) sees
// ="011002" and must strip the =" and ".
//
// `digits` that are not all 0-9 (or are empty) are returned unchanged: only
// digit strings need the protection, and only they may become a formula.
std::string ExcelText(const std::string& digits);

// The same for an identifier Excel would turn into a number or a date
// (e.g. "00123", "1e5", "2022-09", "3.10"): `id` made only of A-Z a-z 0-9
// . _ - is written as ="<id>" (a string literal: nothing in it is
// evaluated). Anything else (empty, spaces, quotes, other characters) is
// returned unchanged and RenderExcelCsv's formula guard applies to it.
std::string ExcelTextId(const std::string& id);

}  // namespace kaizen

#endif  // KAIZEN_COMMON_UTIL_EXCEL_CSV_H_

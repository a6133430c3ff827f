#include "common/util/excel_csv.h"

#include "absl/strings/string_view.h"

namespace kaizen {
namespace {

constexpr absl::string_view kCrlf = "\r\n";

bool IsIdChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         c == '.' || c == '_' || c == '-';
}

// ExcelText's and ExcelTextId's form, ="<id>": a string literal Excel
// evaluates to the text itself; without a quote nothing can leave it.
bool IsExcelTextOfDigits(absl::string_view field) {
  if (field.size() < 4 || field.substr(0, 2) != "=\"" || field.back() != '"') return false;
  for (char c : field.substr(2, field.size() - 3)) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

bool CsvNeedsFormulaGuard(absl::string_view field) {
  if (field.empty() || IsExcelTextOfDigits(field)) return false;
  // OWASP's list (CSV injection): a leading tab or carriage return is
  // dropped by some spreadsheet programs before they look for the formula
  // characters behind it.
  const char c = field.front();
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

void AppendCsvField(std::string* out, absl::string_view field) {
  const bool guard = CsvNeedsFormulaGuard(field);
  const bool quote = guard || field.find_first_of(",\"\r\n") != absl::string_view::npos;
  if (!quote) {
    out->append(field.data(), field.size());
    return;
  }
  out->push_back('"');
  if (guard) out->push_back('\'');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendCsvRow(std::string* out, const std::vector<std::string>& row) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendCsvField(out, row[i]);
  }
  out->append(kCrlf.data(), kCrlf.size());
}

}  // namespace

std::string RenderExcelCsv(const CsvTable& table) {
  std::string out = "\xEF\xBB\xBF";
  AppendCsvRow(&out, table.header);
  for (const std::vector<std::string>& row : table.rows) AppendCsvRow(&out, row);
  return out;
}

std::string ExcelTextId(const std::string& id) {
  if (id.empty()) return id;
  for (char c : id) {
    if (!IsIdChar(c)) return id;
  }
  return "=\"" + id + "\"";
}

std::string ExcelText(const std::string& digits) {
  if (digits.empty()) return digits;
  for (char c : digits) {
    if (c < '0' || c > '9') return digits;
  }
  return "=\"" + digits + "\"";
}

}  // namespace kaizen

// iCalendar and Excel CSV rendering of hostile strings
// (services/scheduling/feeds.h, common/util/excel_csv.h): what staff and
// calendar apps open must say exactly what was stored, and a value must never
// become a line, a property, a row or a formula of its own.
//
// Input: Piece(calendar name) Byte(events) {Piece(uid) Piece(summary)
//   Piece(description) Piece(location) Piece(url) U16(sequence) U16(start, h)
//   U16(length, min) Byte(cancelled)}... Byte(columns) {Piece(field)}...
// Properties (iCalendar): CRLF line ends only, physical lines <= 75 octets,
// valid UTF-8 in gives valid UTF-8 lines, one VEVENT per event, and each
// SUMMARY unfolds and unescapes to the summary (CR dropped).
// Properties (CSV): BOM + CRLF; parsed back per RFC 4180 it gives the same
// table, a field starting with = + - @ only behind a quote guard.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/util/excel_csv.h"
#include "services/scheduling/feeds.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using kaizen::fuzz::Input;
using kaizen::fuzz::InputWriter;
using kaizen::scheduling::CalendarEvent;

std::string Unescape(absl::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      ++i;
      out += v[i] == 'n' || v[i] == 'N' ? '\n' : v[i];
    } else {
      out += v[i];
    }
  }
  return out;
}

void CheckCalendar(const std::string& name, const std::vector<CalendarEvent>& events) {
  const std::string ics = kaizen::scheduling::RenderICalendar(name, events);
  KAIZEN_FUZZ_CHECK(absl::EndsWith(ics, "\r\n"), "the calendar ends with CRLF");
  bool utf8_in = kaizen::fuzz::IsUtf8(name);
  for (const auto& e : events) {
    for (const std::string* s : {&e.uid, &e.summary, &e.description, &e.location, &e.url}) {
      utf8_in = utf8_in && kaizen::fuzz::IsUtf8(*s);
    }
  }
  std::vector<std::string> physical = absl::StrSplit(ics.substr(0, ics.size() - 2), "\r\n");
  std::vector<std::string> logical;
  for (const std::string& line : physical) {
    KAIZEN_FUZZ_CHECK(line.find_first_of("\r\n") == std::string::npos, "no bare CR or LF");
    KAIZEN_FUZZ_CHECK(line.size() <= 75, "lines are folded at 75 octets");
    if (utf8_in) KAIZEN_FUZZ_CHECK(kaizen::fuzz::IsUtf8(line), "folding keeps characters whole");
    if (!line.empty() && line[0] == ' ' && !logical.empty()) {
      logical.back() += line.substr(1);
    } else {
      logical.push_back(line);
    }
  }
  size_t begins = 0;
  std::vector<std::string> summaries;
  for (const std::string& line : logical) {
    if (line == "BEGIN:VEVENT") ++begins;
    if (absl::StartsWith(line, "SUMMARY:")) summaries.push_back(Unescape(line.substr(8)));
  }
  KAIZEN_FUZZ_CHECK(begins == events.size(), "one VEVENT per event");
  KAIZEN_FUZZ_CHECK(summaries.size() == events.size(), "one SUMMARY per event");
  for (size_t i = 0; i < events.size(); ++i) {
    KAIZEN_FUZZ_CHECK(summaries[i] == absl::StrReplaceAll(events[i].summary, {{"\r", ""}}),
                      "SUMMARY says the summary");
  }
}

// RFC 4180 with the BOM and CRLF records RenderExcelCsv writes.
std::vector<std::vector<std::string>> ParseCsv(absl::string_view csv) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  size_t i = 0;
  bool quoted = false;
  while (i < csv.size()) {
    const char c = csv[i];
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
        rows.back().back() += '"';
        i += 2;
        continue;
      }
      if (c == '"') {
        quoted = false;
      } else {
        rows.back().back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') {
      rows.emplace_back(1);
      ++i;
    } else {
      KAIZEN_FUZZ_CHECK(c != '\r' && c != '\n', "CR and LF only inside quotes or as CRLF");
      rows.back().back() += c;
    }
    ++i;
  }
  KAIZEN_FUZZ_CHECK(!quoted, "every quote is closed");
  rows.pop_back();  // after the last CRLF
  return rows;
}

void CheckCsv(const kaizen::CsvTable& table) {
  const std::string csv = kaizen::RenderExcelCsv(table);
  KAIZEN_FUZZ_CHECK(absl::StartsWith(csv, "\xEF\xBB\xBF"), "a UTF-8 BOM for Excel");
  const auto rows = ParseCsv(absl::string_view(csv).substr(3));
  std::vector<std::vector<std::string>> want = {table.header};
  want.insert(want.end(), table.rows.begin(), table.rows.end());
  KAIZEN_FUZZ_CHECK(rows.size() == want.size(), "one record per row");
  for (size_t r = 0; r < want.size(); ++r) {
    KAIZEN_FUZZ_CHECK(rows[r].size() == want[r].size(), "one field per value");
    for (size_t f = 0; f < want[r].size(); ++f) {
      const std::string& in = want[r][f];
      const std::string& out = rows[r][f];
      if (out == in) {
        const bool formula = !in.empty() && (in[0] == '=' || in[0] == '+' || in[0] == '-' ||
                                             in[0] == '@');
        // Only ExcelText's ="<digits>" may stay a formula.
        KAIZEN_FUZZ_CHECK(!formula || (absl::StartsWith(in, "=\"") && in.size() >= 4),
                          "no field reaches Excel as a formula");
      } else {
        KAIZEN_FUZZ_CHECK(out == "'" + in, "a field comes back as it was, or quote-guarded");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const std::string name = in.Piece(256);
  std::vector<CalendarEvent> events(in.Byte() % 5);
  const absl::Time base = absl::FromUnixSeconds(1656633600);
  for (CalendarEvent& e : events) {
    e.uid = in.Piece(256);
    e.summary = in.Piece(1024);
    e.description = in.Piece(2048);
    e.location = in.Piece(256);
    e.url = in.Piece(256);
    e.sequence = static_cast<int>(in.U16());
    e.start = base + absl::Hours(static_cast<int>(in.U16()) - 32768);
    e.end = e.start + absl::Minutes(in.U16());
    e.stamp = base;
    e.cancelled = in.Byte() % 2 == 1;
  }
  CheckCalendar(name, events);

  kaizen::CsvTable table;
  const size_t columns = 1 + in.Byte() % 4;
  for (size_t c = 0; c < columns; ++c) table.header.push_back(in.Piece(128));
  while (!in.empty() && table.rows.size() < 8) {
    std::vector<std::string> row;
    for (size_t c = 0; c < columns; ++c) row.push_back(in.Piece(512));
    table.rows.push_back(std::move(row));
  }
  CheckCsv(table);
  return 0;
}

// From services/scheduling/feeds_test.cc and common/util/excel_csv_test.cc.
std::vector<std::string> KaizenFuzzSeeds() {
  auto event = [](InputWriter& w, const std::string& summary, const std::string& description) {
    w.Piece("cohorts/fy2022/meetings/m2@kaizen").Piece(summary).Piece(description)
        .Piece("津市役所 本庁舎 8階, 会議室A").Piece("https://meet.example.jp/abc?x=1;y=2")
        .Byte(0).Byte(2).Byte(0x80).Byte(0x05).Byte(0).Byte(120).Byte(0);
  };
  std::vector<std::string> seeds;
  {
    InputWriter w;
    w.Piece("次世代改善リーダー事例研究会 FY2022").Byte(2);
    event(w, "第2回 研究会: 現状把握, 課題設定; 宿題\\あり",
          "持ち物:\r\n- ノートPC\n- 名刺\n" + std::string(200, 'x'));
    event(w, std::string(40, '\xE3') + "あいうえおかきくけこさしすせそたちつてとなにぬねの", "");
    w.Byte(3).Piece("氏名").Piece("municipality").Piece("comment");
    w.Piece("山田 太郎").Piece("=\"011002\"").Piece("=SUM(A1:A2)");
    w.Piece("a,b").Piece("say \"hi\"").Piece("line1\r\nline2");
    w.Piece("+81").Piece("-1").Piece("@cmd");
    seeds.push_back(w.str());
  }
  {
    InputWriter w;
    w.Piece("BEGIN:VEVENT\r\nX:").Byte(1);
    event(w, "END:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected", "\\n\\,");
    w.Byte(0).Piece("");
    seeds.push_back(w.str());
  }
  return seeds;
}

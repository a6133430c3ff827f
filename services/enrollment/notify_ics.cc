#include "services/enrollment/notify_ics.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/util/ics_fold.h"

namespace kaizen::enrollment {
namespace {

absl::Status CheckAddress(absl::string_view field, absl::string_view address) {
  if (address.empty()) return errors::InvalidField(field, "must not be empty");
  for (char c : address) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"') {
      return errors::InvalidField(field, "must be an e-mail address without spaces or quotes");
    }
  }
  return absl::OkStatus();
}

// The name of a content line (before ';' or ':'), upper-cased.
std::string LineName(absl::string_view line) {
  const size_t end = line.find_first_of(";:");
  return absl::AsciiStrToUpper(line.substr(0, end));
}

}  // namespace

std::string IcsQuotedParam(absl::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '^') {
      out += "^^";
    } else if (c == '"') {
      out += "^'";
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      out += "^n";
      ++i;
    } else if (c == '\n' || c == '\r') {
      out += "^n";
    } else if (u < 0x20 || u == 0x7f) {
      // dropped: no other control character may appear in a quoted-string
    } else {
      out += c;
    }
  }
  out += "\"";
  return out;
}

absl::StatusOr<std::string> PersonaliseIcs(absl::string_view ics,
                                           const notify::MailAddress& organizer,
                                           const notify::MailAddress& attendee) {
  if (absl::Status s = CheckAddress("from", organizer.address); !s.ok()) return s;
  if (absl::Status s = CheckAddress("recipient", attendee.address); !s.ok()) return s;
  const absl::string_view eol = absl::StrContains(ics, "\r\n") ? "\r\n" : "\n";
  const std::string organizer_line =
      FoldIcsLine(absl::StrCat("ORGANIZER;CN=", IcsQuotedParam(organizer.display_name),
                               ":mailto:", organizer.address),
                  eol);
  const std::string attendee_line =
      FoldIcsLine(absl::StrCat("ATTENDEE;CN=", IcsQuotedParam(attendee.display_name),
                               ";RSVP=FALSE:mailto:", attendee.address),
                  eol);
  // Physical lines; a folded continuation starts with a space or a tab and
  // never names a property.
  std::vector<absl::string_view> lines = absl::StrSplit(ics, eol);
  std::string out;
  out.reserve(ics.size() + organizer_line.size() + attendee_line.size() + 8);
  bool in_event = false;
  bool has_organizer = false;
  int events = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const absl::string_view line = lines[i];
    const bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    if (!continuation) {
      const std::string name = LineName(line);
      if (name == "BEGIN" && absl::EqualsIgnoreCase(line, "BEGIN:VEVENT")) {
        in_event = true;
        has_organizer = false;
      } else if (in_event && name == "ORGANIZER") {
        has_organizer = true;
      } else if (in_event && absl::EqualsIgnoreCase(line, "END:VEVENT")) {
        if (!has_organizer) absl::StrAppend(&out, organizer_line, eol);
        absl::StrAppend(&out, attendee_line, eol);
        in_event = false;
        ++events;
      }
    }
    out.append(line.data(), line.size());
    if (i + 1 < lines.size()) out.append(eol.data(), eol.size());
  }
  if (events == 0) {
    return errors::InvalidField("attachment.data", "must be an iCalendar object with a VEVENT");
  }
  return out;
}

}  // namespace kaizen::enrollment

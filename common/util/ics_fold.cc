#include "common/util/ics_fold.h"

#include "absl/strings/str_cat.h"
#include "common/util/utf8.h"

namespace kaizen {

std::string FoldIcsLine(absl::string_view line, absl::string_view eol) {
  std::string out;
  size_t room = kIcsMaxLineOctets;  // the first line; then 74 after the space
  while (line.size() > room) {
    size_t cut = room;
    while (cut > 0 && IsUtf8Continuation(line[cut])) --cut;
    if (cut == 0) cut = room;
    absl::StrAppend(&out, line.substr(0, cut), eol, " ");
    line.remove_prefix(cut);
    room = kIcsMaxLineOctets - 1;
  }
  absl::StrAppend(&out, line);
  return out;
}

}  // namespace kaizen

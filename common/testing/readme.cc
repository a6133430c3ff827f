#include "common/testing/readme.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kaizen::testkit {

absl::StatusOr<std::string> ReadRunfile(absl::string_view path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr) return absl::NotFoundError("TEST_SRCDIR is not set (run under bazel test)");
  const std::string full =
      absl::StrCat(srcdir, "/", workspace != nullptr ? workspace : "kaizen", "/", path);
  std::ifstream in(full);
  if (!in.good()) return absl::NotFoundError(absl::StrCat("cannot read ", full));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<std::string> MarkdownSection(absl::string_view markdown,
                                            absl::string_view heading) {
  const size_t level = heading.find_first_not_of('#');
  std::vector<absl::string_view> lines = absl::StrSplit(markdown, '\n');
  std::string out;
  bool in_section = false;
  for (absl::string_view line : lines) {
    if (!in_section) {
      if (line == heading) in_section = true;
      if (in_section) absl::StrAppend(&out, line, "\n");
      continue;
    }
    const size_t hashes = line.find_first_not_of('#');
    if (hashes != 0 && hashes != absl::string_view::npos && hashes <= level &&
        line.size() > hashes && line[hashes] == ' ') {
      break;
    }
    absl::StrAppend(&out, line, "\n");
  }
  if (!in_section) return absl::NotFoundError(absl::StrCat("no heading '", heading, "'"));
  return out;
}

std::set<std::string> BacktickedReasons(absl::string_view text) {
  std::set<std::string> out;
  std::vector<absl::string_view> parts = absl::StrSplit(text, '`');
  for (size_t i = 1; i < parts.size(); i += 2) {
    bool reason = parts[i].size() > 2;
    for (char c : parts[i]) {
      reason = reason && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
    }
    if (reason) out.insert(std::string(parts[i]));
  }
  return out;
}

}  // namespace kaizen::testkit

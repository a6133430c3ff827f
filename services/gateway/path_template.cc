#include "services/gateway/path_template.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "services/gateway/url.h"

namespace kaizen::gateway {
namespace {

absl::Status Bad(absl::string_view text, absl::string_view why) {
  return errors::Error(absl::StatusCode::kInvalidArgument, "INVALID_HTTP_RULE",
                       absl::StrCat("path template \"", text, "\": ", why));
}

bool IsIdent(absl::string_view s) {
  if (s.empty() || !(absl::ascii_isalpha(s[0]) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(absl::ascii_isalnum(c) || c == '_')) return false;
  }
  return true;
}

bool IsLiteral(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c == '/' || c == '{' || c == '}' || c == '*' || c == ':' || c == '=' ||
        c == '?' || c == '#' || absl::ascii_isspace(c)) {
      return false;
    }
  }
  return true;
}

int Rank(PathTemplate::SegmentKind kind) {
  switch (kind) {
    case PathTemplate::SegmentKind::kLiteral:
      return 0;
    case PathTemplate::SegmentKind::kWildcard:
      return 1;
    case PathTemplate::SegmentKind::kDoubleWildcard:
      return 2;
  }
  return 3;
}

}  // namespace

std::optional<SplitPath> SplitRequestPath(absl::string_view path) {
  if (path.empty() || path[0] != '/') return std::nullopt;
  SplitPath out;
  for (absl::string_view raw : absl::StrSplit(path.substr(1), '/')) {
    if (raw.empty()) return std::nullopt;
    auto decoded = PercentDecode(raw, /*plus_is_space=*/false);
    if (!decoded.has_value() || decoded->find('/') != std::string::npos) {
      return std::nullopt;
    }
    out.segments.push_back(std::move(*decoded));
  }
  const std::string& last = out.segments.back();
  const size_t colon = last.rfind(':');
  if (colon != std::string::npos) {
    out.last_without_verb = last.substr(0, colon);
    out.verb = last.substr(colon + 1);
  }
  return out;
}

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  PathTemplate t;
  t.text_ = std::string(text);
  if (text.empty() || text[0] != '/') return Bad(text, "must start with '/'");
  absl::string_view rest = text.substr(1);
  // The verb is a ':' after the last '/' and outside braces.
  size_t depth = 0, verb_at = absl::string_view::npos;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '{') ++depth;
    if (rest[i] == '}') --depth;
    if (rest[i] == ':' && depth == 0) verb_at = i;
  }
  if (verb_at != absl::string_view::npos) {
    t.verb_ = std::string(rest.substr(verb_at + 1));
    if (!IsLiteral(t.verb_)) return Bad(text, "bad verb");
    rest = rest.substr(0, verb_at);
  }
  size_t i = 0;
  while (i <= rest.size()) {
    if (i < rest.size() && rest[i] == '{') {
      const size_t close = rest.find('}', i);
      if (close == absl::string_view::npos) return Bad(text, "unclosed '{'");
      absl::string_view inner = rest.substr(i + 1, close - i - 1);
      if (inner.find('{') != absl::string_view::npos) return Bad(text, "nested variable");
      const size_t eq = inner.find('=');
      absl::string_view field = inner.substr(0, eq);
      absl::string_view pattern = eq == absl::string_view::npos ? "*" : inner.substr(eq + 1);
      for (absl::string_view part : absl::StrSplit(field, '.')) {
        if (!IsIdent(part)) return Bad(text, "bad field path");
      }
      for (const Variable& v : t.variables_) {
        if (v.field_path == field) return Bad(text, "field bound twice");
      }
      Variable var{std::string(field), static_cast<int>(t.segments_.size()), 0};
      for (absl::string_view seg : absl::StrSplit(pattern, '/')) {
        if (seg == "*") {
          t.segments_.push_back({SegmentKind::kWildcard, ""});
        } else if (seg == "**") {
          t.segments_.push_back({SegmentKind::kDoubleWildcard, ""});
        } else if (IsLiteral(seg)) {
          t.segments_.push_back({SegmentKind::kLiteral, std::string(seg)});
        } else {
          return Bad(text, "bad variable pattern");
        }
      }
      var.end = static_cast<int>(t.segments_.size());
      t.variables_.push_back(std::move(var));
      i = close + 1;
    } else {
      size_t slash = rest.find('/', i);
      if (slash == absl::string_view::npos) slash = rest.size();
      absl::string_view seg = rest.substr(i, slash - i);
      if (seg == "*") {
        t.segments_.push_back({SegmentKind::kWildcard, ""});
      } else if (seg == "**") {
        t.segments_.push_back({SegmentKind::kDoubleWildcard, ""});
      } else if (IsLiteral(seg)) {
        t.segments_.push_back({SegmentKind::kLiteral, std::string(seg)});
      } else {
        return Bad(text, "bad segment");
      }
      i = slash;
    }
    if (i == rest.size()) break;
    if (rest[i] != '/') return Bad(text, "expected '/'");
    ++i;
    if (i == rest.size()) return Bad(text, "trailing '/'");
  }
  for (size_t k = 0; k + 1 < t.segments_.size(); ++k) {
    if (t.segments_[k].kind == SegmentKind::kDoubleWildcard) {
      return Bad(text, "'**' must be the last segment");
    }
  }
  if (t.segments_.empty()) return Bad(text, "no segments");
  return t;
}

bool PathTemplate::Match(const SplitPath& path, PathBindings* bindings) const {
  bindings->clear();
  // With a verb the last segment must carry it; without, it must have none.
  const std::string* last = &path.segments.back();
  if (!verb_.empty()) {
    if (!path.last_without_verb.has_value() || path.verb != verb_) return false;
    last = &*path.last_without_verb;
    if (last->empty()) return false;
  } else if (path.last_without_verb.has_value()) {
    return false;
  }
  const int n = static_cast<int>(path.segments.size());
  auto segment = [&](int k) -> const std::string& {
    return k == n - 1 ? *last : path.segments[k];
  };
  const int m = static_cast<int>(segments_.size());
  const bool open_end = segments_.back().kind == SegmentKind::kDoubleWildcard;
  if (open_end ? n < m - 1 : n != m) return false;
  for (int k = 0; k < m; ++k) {
    if (segments_[k].kind == SegmentKind::kLiteral &&
        (k >= n || segment(k) != segments_[k].literal)) {
      return false;
    }
  }
  for (const Variable& v : variables_) {
    const int end = (open_end && v.end == m) ? n : v.end;
    std::string value;
    for (int k = v.begin; k < end; ++k) {
      if (k > v.begin) value.push_back('/');
      value += segment(k);
    }
    bindings->emplace_back(v.field_path, std::move(value));
  }
  return true;
}

int PathTemplate::CompareSpecificity(const PathTemplate& other) const {
  const size_t n = std::min(segments_.size(), other.segments_.size());
  for (size_t k = 0; k < n; ++k) {
    const int a = Rank(segments_[k].kind), b = Rank(other.segments_[k].kind);
    if (a != b) return a - b;
  }
  return static_cast<int>(other.segments_.size()) - static_cast<int>(segments_.size());
}

bool PathTemplate::SameShape(const PathTemplate& other) const {
  if (verb_ != other.verb_ || segments_.size() != other.segments_.size()) return false;
  for (size_t k = 0; k < segments_.size(); ++k) {
    if (segments_[k].kind != other.segments_[k].kind ||
        segments_[k].literal != other.segments_[k].literal) {
      return false;
    }
  }
  return true;
}

}  // namespace kaizen::gateway

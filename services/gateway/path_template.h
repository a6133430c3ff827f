// google.api.http path templates (google/api/http.proto):
//
//   Template = "/" Segments [ Verb ] ;
//   Segments = Segment { "/" Segment } ;
//   Segment  = "*" | "**" | LITERAL | Variable ;
//   Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   FieldPath = IDENT { "." IDENT } ;
//   Verb     = ":" LITERAL ;
//
// e.g. "/v1/{name=cohorts/*/applications/*}:withdraw",
//      "/v1/{cohort.name=cohorts/*}", "/v1/{path=files/**}".
//
// `{x}` means `{x=*}`. `*` matches one segment, `**` zero or more and only
// as the last segment. Matching works on already split, percent-decoded
// path segments; a variable's value is its segments joined with '/'
// ("cohorts/fy2022").
#ifndef KAIZEN_SERVICES_GATEWAY_PATH_TEMPLATE_H_
#define KAIZEN_SERVICES_GATEWAY_PATH_TEMPLATE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kaizen::gateway {

// A request path split for matching: decoded segments, with the verb (the
// text after the last ':' of the last segment) split off as a candidate.
struct SplitPath {
  std::vector<std::string> segments;  // decoded; the last one as sent
  // The last segment without ":verb", and the verb; unset when the last
  // segment has no ':'.
  std::optional<std::string> last_without_verb;
  std::string verb;
};

// "/v1/cohorts/x:transition" -> {"v1","cohorts","x:transition"}, verb
// "transition". nullopt when the path does not start with '/', has an
// empty segment ("//", trailing '/'), a malformed %-escape, or a segment
// that decodes to contain '/'.
std::optional<SplitPath> SplitRequestPath(absl::string_view path);

// (field path, value) pairs captured by a match, in template order.
using PathBindings = std::vector<std::pair<std::string, std::string>>;

class PathTemplate {
 public:
  enum class SegmentKind { kLiteral, kWildcard, kDoubleWildcard };
  struct Segment {
    SegmentKind kind;
    std::string literal;  // kLiteral only
  };
  struct Variable {
    std::string field_path;  // "name", "cohort.name"
    int begin;               // segment range [begin, end)
    int end;
  };

  // INVALID_ARGUMENT (reason INVALID_HTTP_RULE) for a template outside the
  // grammar above, a nested variable, `**` not last, or a field bound twice.
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  // True when `path` matches; fills `bindings` (cleared first).
  bool Match(const SplitPath& path, PathBindings* bindings) const;

  // Orders matches of the same request: at the first differing segment a
  // literal beats `*`, which beats `**`; then more segments beat fewer.
  // Negative when *this is more specific than `other`.
  int CompareSpecificity(const PathTemplate& other) const;

  // True when both templates match exactly the same paths (a conflict).
  bool SameShape(const PathTemplate& other) const;

  const std::string& text() const { return text_; }
  const std::vector<Segment>& segments() const { return segments_; }
  const std::vector<Variable>& variables() const { return variables_; }
  const std::string& verb() const { return verb_; }

 private:
  std::string text_;
  std::vector<Segment> segments_;
  std::vector<Variable> variables_;
  std::string verb_;
};

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_PATH_TEMPLATE_H_

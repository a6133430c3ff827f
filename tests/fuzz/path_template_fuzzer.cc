// google.api.http path templates, request paths, routing and URL decoding
// (services/gateway/{path_template,route_table,url}.h) on hostile text.
//
// Input: Piece(template) Piece(request path) Byte(method) Rest(query).
// Properties: a parsed template is as specific as itself and has its own
// shape; a match binds every variable; RouteTable::Find returns a route
// whose template matches the path; PercentDecode inverts PercentEncode.
#include <cstdint>
#include <string>
#include <vector>

#include "services/gateway/path_template.h"
#include "services/gateway/route_table.h"
#include "services/gateway/url.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/gateway_fuzz_env.h"

namespace {

using kaizen::fuzz::Input;
using kaizen::fuzz::InputWriter;
using kaizen::gateway::PathBindings;
using kaizen::gateway::PathTemplate;

constexpr const char* kMethods[] = {"GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", ""};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)kaizen::fuzz::GatewayRoutes();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const std::string text = in.Piece(512);
  const std::string path = in.Piece(2048);
  const char* method = kMethods[in.Byte() % (sizeof kMethods / sizeof *kMethods)];
  const std::string query = in.Rest();

  const auto split = kaizen::gateway::SplitRequestPath(path);
  auto parsed = PathTemplate::Parse(text);
  if (parsed.ok()) {
    KAIZEN_FUZZ_CHECK(parsed->CompareSpecificity(*parsed) == 0, "a template ties with itself");
    KAIZEN_FUZZ_CHECK(parsed->SameShape(*parsed), "a template has its own shape");
    auto again = PathTemplate::Parse(parsed->text());
    KAIZEN_FUZZ_CHECK(again.ok() && again->SameShape(*parsed), "text() parses to the same shape");
    if (split.has_value()) {
      PathBindings bindings;
      if (parsed->Match(*split, &bindings)) {
        KAIZEN_FUZZ_CHECK(bindings.size() == parsed->variables().size(),
                          "a match binds every variable");
      }
    }
  }

  const auto& routes = kaizen::fuzz::GatewayRoutes();
  auto found = routes.Find(method, path);
  if (found.ok()) {
    KAIZEN_FUZZ_CHECK(found->route != nullptr && split.has_value(), "a found route has a path");
    PathBindings bindings;
    KAIZEN_FUZZ_CHECK(found->route->path.Match(*split, &bindings),
                      "the found route's template matches the path");
  }

  (void)kaizen::gateway::ParseQuery(query);
  const auto decoded =
      kaizen::gateway::PercentDecode(kaizen::gateway::PercentEncode(query), false);
  KAIZEN_FUZZ_CHECK(decoded.has_value() && *decoded == query, "decode(encode(x)) == x");
  (void)kaizen::gateway::PercentDecode(query, true);
  return 0;
}

// From services/gateway/path_template_test.cc and route_table_test.cc.
std::vector<std::string> KaizenFuzzSeeds() {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/v1/{name=cohorts/*/applications/*}:withdraw", "/v1/cohorts/c/applications/a:withdraw"},
      {"/v1/{cohort.name=cohorts/*}", "/v1/cohorts/fy2022"},
      {"/v1/{path=files/**}", "/v1/files/a/b/c"},
      {"/v1/{parent=cohorts/*}/calendar.ics", "/v1/cohorts/%E6%97%A5%E6%9C%AC/calendar.ics"},
      {"/v1/{parent=cohorts/*}/meetings:createSeries", "/v1/cohorts/c/meetings:createSeries"},
      {"/v1/{x=**}", "/v1/"},
      {"/v1/**/x", "/v1//x"},
      {"/v1/{a={b}}", "/v1/cohorts/a%2Fb"},
      {"/v1/{a}/{a}", "/v1/cohorts/%zz"},
      {"/v1/{na-me}", "/v1/x:"},
      {"/v1/{name", "/v1/cohorts/fy2022/applications/abc/"},
      {"/v1/things/{id}", "/v1/cohorts/fy2022/participants/abc"},
      {"/v1/{name=cohorts/*}:x", "/v1/cohorts/special"},
  };
  const std::vector<std::string> queries = {"", "pageSize=5&filter=state%3DOPEN", "a=1&b=x%20y&a=2",
                                            "q=%E6%97%A5+%zz", "&&=&x"};
  std::vector<std::string> seeds;
  int i = 0;
  for (const auto& [text, path] : cases) {
    seeds.push_back(InputWriter()
                        .Piece(text)
                        .Piece(path)
                        .Byte(static_cast<uint8_t>(i))
                        .Rest(queries[i % queries.size()])
                        .str());
    ++i;
  }
  return seeds;
}

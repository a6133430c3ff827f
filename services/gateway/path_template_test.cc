#include "services/gateway/path_template.h"

#include "gtest/gtest.h"

namespace kaizen::gateway {
namespace path_template_test {

PathTemplate T(const std::string& text) {
  auto t = PathTemplate::Parse(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status();
  return t.ok() ? *t : PathTemplate();
}

std::optional<PathBindings> Match(const PathTemplate& t, const std::string& path) {
  std::optional<SplitPath> split = SplitRequestPath(path);
  if (!split.has_value()) return std::nullopt;
  PathBindings bindings;
  if (!t.Match(*split, &bindings)) return std::nullopt;
  return bindings;
}

TEST(PathTemplateTest, ParsesTheGrammar) {
  PathTemplate t = T("/v1/{name=cohorts/*/applications/*}:withdraw");
  EXPECT_EQ(t.verb(), "withdraw");
  ASSERT_EQ(t.segments().size(), 5u);
  ASSERT_EQ(t.variables().size(), 1u);
  EXPECT_EQ(t.variables()[0].field_path, "name");
  EXPECT_EQ(t.variables()[0].begin, 1);
  EXPECT_EQ(t.variables()[0].end, 5);
  EXPECT_EQ(T("/v1/{cohort.name=cohorts/*}").variables()[0].field_path, "cohort.name");
  EXPECT_EQ(T("/v1/things/{id}").segments()[2].kind, PathTemplate::SegmentKind::kWildcard);
  EXPECT_EQ(T("/v1/{parent=cohorts/*}/calendar.ics").segments()[3].literal, "calendar.ics");
}

TEST(PathTemplateTest, RefusesWhatIsOutsideTheGrammar) {
  for (const char* bad : {"", "v1/x", "/v1/{name", "/v1/{a={b}}", "/v1/{na-me}",
                          "/v1/**/x", "/v1/{a}/{a}", "/v1/", "/v1//x", "/v1/x:"}) {
    auto t = PathTemplate::Parse(bad);
    EXPECT_FALSE(t.ok()) << bad;
  }
}

TEST(PathTemplateTest, MatchesAndBinds) {
  PathTemplate t = T("/v1/{name=cohorts/*/applications/*}");
  auto b = Match(t, "/v1/cohorts/fy2022/applications/abc");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ((*b)[0], std::make_pair(std::string("name"),
                                    std::string("cohorts/fy2022/applications/abc")));
  EXPECT_FALSE(Match(t, "/v1/cohorts/fy2022/applications").has_value());
  EXPECT_FALSE(Match(t, "/v1/cohorts/fy2022/participants/abc").has_value());
  EXPECT_FALSE(Match(t, "/v1/cohorts/fy2022/applications/abc/x").has_value());
  EXPECT_FALSE(Match(t, "/v1/cohorts/fy2022/applications/abc/").has_value());
}

TEST(PathTemplateTest, VerbsMustMatchExactly) {
  PathTemplate withdraw = T("/v1/{name=cohorts/*/applications/*}:withdraw");
  PathTemplate get = T("/v1/{name=cohorts/*/applications/*}");
  EXPECT_TRUE(Match(withdraw, "/v1/cohorts/c/applications/a:withdraw").has_value());
  EXPECT_EQ((*Match(withdraw, "/v1/cohorts/c/applications/a:withdraw"))[0].second,
            "cohorts/c/applications/a");
  EXPECT_FALSE(Match(withdraw, "/v1/cohorts/c/applications/a").has_value());
  EXPECT_FALSE(Match(withdraw, "/v1/cohorts/c/applications/a:accept").has_value());
  // A template without a verb never swallows one into a variable.
  EXPECT_FALSE(Match(get, "/v1/cohorts/c/applications/a:withdraw").has_value());
  PathTemplate series = T("/v1/{parent=cohorts/*}/meetings:createSeries");
  EXPECT_TRUE(Match(series, "/v1/cohorts/c/meetings:createSeries").has_value());
}

TEST(PathTemplateTest, PercentDecodingAndDoubleWildcard) {
  PathTemplate t = T("/v1/{name=cohorts/*}");
  EXPECT_EQ((*Match(t, "/v1/cohorts/%E6%97%A5%E6%9C%AC"))[0].second, "cohorts/日本");
  EXPECT_FALSE(Match(t, "/v1/cohorts/a%2Fb").has_value());  // no '/' smuggled in
  EXPECT_FALSE(Match(t, "/v1/cohorts/%zz").has_value());
  PathTemplate files = T("/v1/{path=files/**}");
  EXPECT_EQ((*Match(files, "/v1/files/a/b/c"))[0].second, "files/a/b/c");
  EXPECT_EQ((*Match(files, "/v1/files"))[0].second, "files");
  EXPECT_FALSE(Match(files, "/v1/other/a").has_value());
}

TEST(PathTemplateTest, SpecificityPrefersLiterals) {
  PathTemplate literal = T("/v1/cohorts/special");
  PathTemplate wildcard = T("/v1/cohorts/*");
  PathTemplate rest = T("/v1/{x=**}");
  EXPECT_LT(literal.CompareSpecificity(wildcard), 0);
  EXPECT_GT(wildcard.CompareSpecificity(literal), 0);
  EXPECT_LT(wildcard.CompareSpecificity(rest), 0);
  EXPECT_TRUE(T("/v1/{name=cohorts/*}").SameShape(T("/v1/{cohort.name=cohorts/*}")));
  EXPECT_FALSE(T("/v1/{name=cohorts/*}").SameShape(T("/v1/{name=cohorts/*}:x")));
}

}  // namespace
}  // namespace kaizen::gateway

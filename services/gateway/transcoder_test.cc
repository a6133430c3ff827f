#include "services/gateway/transcoder.h"

#include "common/validation/validation.h"

#include "absl/strings/match.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/gateway/json.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "probe.pb.h"

namespace kaizen::gateway {
namespace transcoder_test {

namespace probe = ::kaizen::gateway::testing::v1;
namespace v1 = ::kaizen::enrollment::v1;

class TranscoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    (void)v1::Cohort::descriptor();
    auto table = RouteTable::Build(
        {google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
             "kaizen.enrollment.v1.EnrollmentService"),
         probe::Thing::descriptor()->file()->FindServiceByName("ProbeService")});
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = std::move(*table);
  }

  absl::Status Build(const std::string& method, const std::string& target,
                     const std::string& body, google::protobuf::Message* out,
                     const std::string& content_type = "application/json") {
    const size_t q = target.find('?');
    auto match = table_->Find(method, target.substr(0, q));
    if (!match.ok()) return match.status();
    return BuildRequest(*match->route, match->bindings, content_type, body,
                        q == std::string::npos ? "" : target.substr(q + 1), out);
  }

  std::unique_ptr<RouteTable> table_;
};

TEST_F(TranscoderTest, BodyFieldAndPathVariable) {
  v1::CreateApplicationRequest r;
  ASSERT_TRUE(Build("POST", "/v1/cohorts/fy2022/applications",
                    R"({"members":[{"displayName":"山田 太郎","kana":"やまだ たろう",
                        "birthDate":{"year":1992,"month":4,"day":1}}]})",
                    &r)
                  .ok());
  EXPECT_EQ(r.parent(), "cohorts/fy2022");
  EXPECT_EQ(r.application().members(0).display_name(), "山田 太郎");
  EXPECT_EQ(r.application().members(0).birth_date().year(), 1992);
}

TEST_F(TranscoderTest, UnknownFieldsAreNamedWithTheirPath) {
  v1::CreateApplicationRequest r;
  absl::Status s = Build("POST", "/v1/cohorts/c/applications",
                         R"({"members":[{"displayName":"x"},{"nickName":"y"}]})", &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(s), "UNKNOWN_FIELD");
  EXPECT_EQ(errors::GetBadRequest(s)->field_violations(0).field(),
            "application.members[1].nickName");
  v1::TransitionCohortRequest t;
  s = Build("POST", "/v1/cohorts/c:transition", R"({"state":"OPEN","force":true})", &t);
  EXPECT_EQ(errors::GetBadRequest(s)->field_violations(0).field(), "force");
}

TEST_F(TranscoderTest, WrongValuesAreNamedButNotEchoed) {
  v1::TransitionCohortRequest t;
  absl::Status s = Build("POST", "/v1/cohorts/c:transition", R"({"state":"ASLEEP"})", &t);
  EXPECT_EQ(errors::Reason(s), "INVALID_FIELD_VALUE");
  EXPECT_EQ(errors::GetBadRequest(s)->field_violations(0).field(), "state");
  EXPECT_EQ(s.message().find("ASLEEP"), absl::string_view::npos);
  s = Build("POST", "/v1/cohorts/c:transition", R"({"state":)", &t);
  EXPECT_EQ(errors::Reason(s), "INVALID_JSON");
  s = Build("POST", "/v1/cohorts/c:transition", R"([1,2])", &t);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  s = Build("GET", "/v1/cohorts/c", R"({"name":"x"})", &t);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);  // GET takes no body
  s = Build("POST", "/v1/cohorts/c:transition", R"({})", &t, "text/csv");
  EXPECT_EQ(errors::Reason(s), "UNSUPPORTED_CONTENT_TYPE");
}

TEST_F(TranscoderTest, PathVariablesWinOverTheBody) {
  v1::TransitionCohortRequest t;
  ASSERT_TRUE(
      Build("POST", "/v1/cohorts/real:transition", R"({"name":"cohorts/other","state":2})", &t)
          .ok());
  EXPECT_EQ(t.name(), "cohorts/real");
  EXPECT_EQ(t.state(), v1::Cohort::OPEN);
}

TEST_F(TranscoderTest, QueryParameters) {
  v1::ListApplicationsRequest r;
  ASSERT_TRUE(Build("GET",
                    "/v1/cohorts/c/applications?pageSize=20&state=WAITLISTED"
                    "&municipality_code=242047&pageToken=a%2Bb",
                    "", &r)
                  .ok());
  EXPECT_EQ(r.page_size(), 20);
  EXPECT_EQ(r.state(), v1::Application::WAITLISTED);
  EXPECT_EQ(r.municipality_code(), "242047");
  EXPECT_EQ(r.page_token(), "a+b");
  absl::Status s = Build("GET", "/v1/cohorts/c/applications?pageSize=many", "", &r);
  EXPECT_EQ(errors::GetBadRequest(s)->field_violations(0).field(), "pageSize");
  s = Build("GET", "/v1/cohorts/c/applications?parent=cohorts/x", "", &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);  // bound by the path
  s = Build("GET", "/v1/cohorts/c/applications?nope=1", "", &r);
  EXPECT_EQ(errors::Reason(s), "UNKNOWN_FIELD");
  s = Build("GET", "/v1/cohorts/c/applications?pageSize=%ZZ", "", &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  probe::ListThingsRequest l;
  s = Build("GET", "/v1/shelves/s/things?filter=%FF%FE", "", &l);
  EXPECT_EQ(errors::Reason(s), "INVALID_FIELD_VALUE");  // not UTF-8
}

TEST_F(TranscoderTest, PageSizeIsCapped) {
  const MethodInfo* list = table_->FindMethod("/kaizen.enrollment.v1.EnrollmentService/ListCohorts");
  v1::ListCohortsRequest r;
  r.set_page_size(10000);
  EXPECT_TRUE(CapPageSize(*list, 500, &r));
  EXPECT_EQ(r.page_size(), 500);
  r.set_page_size(20);
  EXPECT_FALSE(CapPageSize(*list, 500, &r));
  EXPECT_EQ(r.page_size(), 20);
}

TEST_F(TranscoderTest, ResponsesAreLowerCamelCaseJsonWithUtf8Intact) {
  const MethodInfo* get = table_->FindMethod("/kaizen.enrollment.v1.EnrollmentService/GetCohort");
  v1::Cohort c;
  c.set_name("cohorts/fy2022");
  c.set_title("2022年度 次世代改善リーダー事例研究会");
  c.set_fiscal_year(2022);
  c.mutable_fee()->set_units(10000);
  c.set_state(v1::Cohort::OPEN);
  c.set_etag("\"c-7f3a\"");
  HttpResponse out;
  ASSERT_TRUE(WriteResponse(*get, c.SerializeAsString(), &out).ok());
  EXPECT_TRUE(absl::StartsWith(
      out.body, R"({"name":"cohorts/fy2022","title":"2022年度 次世代改善リーダー事例研究会",)"
                R"("fiscalYear":2022,)"))
      << out.body;
  // Default values are emitted (false, 0, "", [], the zero enum value);
  // unset messages are not.
  for (const char* member : {R"("capacity":0)", R"("includedItems":[])",
                             R"("allowPartialTeam":false)", R"("fee":{"currencyCode":"","units":"10000","nanos":0})",
                             R"("state":"OPEN")", R"("etag":"\"c-7f3a\"")"}) {
    EXPECT_TRUE(absl::StrContains(out.body, member)) << member << " in " << out.body;
  }
  EXPECT_FALSE(absl::StrContains(out.body, "createTime")) << out.body;
  EXPECT_EQ(out.Header("ETag"), "\"c-7f3a\"");
  EXPECT_FALSE(WriteResponse(*get, std::string("\x0a\x64", 2), &out).ok());  // truncated
}

TEST_F(TranscoderTest, HttpBodyIsWrittenRaw) {
  const MethodInfo* feed = table_->FindMethod("/kaizen.gateway.testing.v1.ProbeService/GetFeed");
  kaizen::type::HttpBody body;
  body.set_content_type("text/csv; charset=utf-8");
  body.set_data("名前,市町村\r\n山田,松阪市\r\n");
  body.set_filename("roster \"2022\".csv");
  HttpResponse out;
  ASSERT_TRUE(WriteResponse(*feed, body.SerializeAsString(), &out).ok());
  EXPECT_EQ(out.Header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(out.body, "名前,市町村\r\n山田,松阪市\r\n");
  EXPECT_EQ(out.Header("Content-Disposition"),
            "attachment; filename=\"roster__2022_.csv\"; "
            "filename*=UTF-8''roster%20%222022%22.csv");
}

// protobuf's own parser takes every one of these; the gateway must not.
TEST_F(TranscoderTest, LenientJsonIsRefused) {
  const std::string target = "/v1/shelves/s/things/t:poke";
  for (const std::string& body : {
           std::string(R"({'note':"x"})"),                // single-quoted key
           std::string(R"({"note":'x'})"),                // single-quoted value
           std::string(R"({note:"x"})"),                  // unquoted key
           std::string(R"({"note":"x",})"),               // trailing comma
           std::string(R"({"count":0x10})"),              // hex
           std::string(R"({"count":010})"),               // leading zero
           std::string(R"({"count":+1})"),                // plus sign
           std::string(R"({"count":.5})"),                // bare dot
           std::string(R"({"count":NaN})"),               // NaN
           std::string(R"({"count":Infinity})"),          // Infinity
           std::string(R"({"note":"x"} // comment)"),     // comment
           std::string(R"({"note":"x" /* c */})"),        // block comment
           std::string(R"({"note":"x","note":"y"})"),     // duplicate key
           std::string(R"({"note":"x","no\u0074e":"y"})"),  // duplicate after unescaping
           std::string("{\"note\":\"a\tb\"}"),          // raw control character
           std::string("{\"note\":\"\xC0\xAF\"}"),      // overlong UTF-8
           std::string("{\"note\":\"\xED\xA0\x80\"}"),  // UTF-8 surrogate
           std::string(R"({"note":"\ud800"})"),           // lone surrogate escape
           std::string(R"({"note":"\x41"})"),             // unknown escape
           std::string("\xEF\xBB\xBF{}"),                  // byte-order mark
           std::string(R"({"note":"x"} {})"),             // two values
           std::string(R"([1,])"),                        // trailing comma in an array
       }) {
    probe::PokeThingRequest r;
    absl::Status s = Build("POST", target, body, &r);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_EQ(errors::Reason(s), "INVALID_JSON") << body << " " << s;
    EXPECT_NE(s.message().find(" at byte "), absl::string_view::npos) << s;
  }
  // Strict JSON with every feature still parses.
  probe::PokeThingRequest r;
  absl::Status s = Build("POST", target,
                         " {\"note\" : \"\\u0041\\ud83d\\udcda\\n\\/ 日本\", \"count\": \"-12\"}\r\n", &r);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(r.note(), "A\xF0\x9F\x93\x9A\n/ 日本");
  EXPECT_EQ(r.count(), -12);
}

TEST(StrictJsonTest, GrammarEdges) {
  for (const char* ok : {"0", "-0", "1.5e-3", "1E+2", "true", "null", "\"\"", "[]", "{}",
                         "[[[]]]", R"({"a":{"a":1}})", " \t\r\n[1, 2] "}) {
    std::string error;
    EXPECT_TRUE(IsStrictJson(ok, &error)) << ok << ": " << error;
  }
  for (const char* bad : {"", " ", "01", "1.", "1e", "-", "tru", "nul", "[1 2]", "{\"a\"}",
                          "{\"a\":}", "[", "\"abc", "{1:2}"}) {
    EXPECT_FALSE(IsStrictJson(bad, nullptr)) << bad;
  }
  EXPECT_TRUE(IsStrictJson(std::string(64, '[') + std::string(64, ']'), nullptr));
  EXPECT_FALSE(IsStrictJson(std::string(65, '[') + std::string(65, ']'), nullptr));
}

TEST(Utf8Test, Validates) {
  EXPECT_TRUE(IsValidUtf8("abc 日本語 📚"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xe6\x97"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
}

}  // namespace
}  // namespace kaizen::gateway

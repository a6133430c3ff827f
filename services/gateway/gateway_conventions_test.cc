// The API-wide HTTP conventions, through a real gateway and the probe
// backend: WWW-Authenticate on 401, ETag from a resource's etag, If-Match
// into the request (412 on a stale one), JSON with default values, and one
// field-path style (JSON names) in errors from services.
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "common/status/errors.h"
#include "services/gateway/error_response.h"
#include "services/gateway/gateway.h"
#include "services/gateway/gateway_test_util.h"
#include "services/gateway/test_http_client.h"

namespace kaizen::gateway {
namespace gateway_conventions_test {

using namespace ::kaizen::gateway::testing;  // NOLINT

class ConventionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(probe_.server, nullptr);
    GatewayOptions o =
        TestGatewayOptions("kaizen.gateway.testing.v1.ProbeService", probe_.address());
    o.drain_deadline = absl::Seconds(2);
    auto gateway = Gateway::Start(o, &clock_, nullptr);
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(*gateway);
    client_ = std::make_unique<TestHttpClient>(gateway_->http_port());
  }

  std::pair<std::string, std::string> Auth() {
    return {"Authorization", "Bearer " + UserToken(clock_, "user-1", {"participant"})};
  }

  FakeClock clock_{absl::Now()};
  ProbeServer probe_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<TestHttpClient> client_;
};

TEST_F(ConventionsTest, Every401CarriesABearerChallenge) {
  TestResponse r = client_->Get("/v1/shelves/s1/things");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Header("www-authenticate"), "Bearer realm=\"kaizen\"");  // no credential: no error
  r = client_->Get("/v1/shelves/s1/things", {{"Authorization", "Bearer not.a.jwt"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(absl::StartsWith(r.Header("www-authenticate"),
                               "Bearer realm=\"kaizen\", error=\"invalid_token\", "
                               "error_description=\""))
      << r.Header("www-authenticate");
  const auto stale = Auth();
  clock_.Advance(absl::Hours(2));  // the token expires
  r = client_->Get("/v1/shelves/s1/things", {stale});
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(absl::StrContains(r.Header("www-authenticate"), "error=\"invalid_token\""));
  EXPECT_TRUE(client_->Get("/v1/shelves/s1/things", {Auth()}).Header("www-authenticate").empty());
  // A service's LOGIN_REQUIRED (an anonymous caller on a method that allows
  // them) also had no credential: no error code either.
  EXPECT_EQ(WwwAuthenticate(errors::Unauthenticated("LOGIN_REQUIRED", "sign in first")),
            "Bearer realm=\"kaizen\"");
}

TEST_F(ConventionsTest, EtagHeaderAndIfMatch) {
  // No If-Match: the etag travels in the body as before; the new one comes
  // back in the body and as ETag.
  TestResponse r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Auth()},
                                 R"({"title":"a","etag":"\"v1\""})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("etag"), "\"v2\"");
  // If-Match fills thing.etag.
  r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Auth(), {"If-Match", "\"v1\""}},
                    R"({"title":"a"})");
  ASSERT_EQ(r.status, 200) << r.body;
  // A stale If-Match is 412; the same etag in the body is 409.
  r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Auth(), {"If-Match", "\"stale\""}},
                    R"({"title":"a"})");
  EXPECT_EQ(r.status, 412) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, R"("code":412)")) << r.body;
  EXPECT_EQ(ErrorReason(r.body), "ETAG_MISMATCH");
  r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Auth()},
                    R"({"title":"a","etag":"\"stale\""})");
  EXPECT_EQ(r.status, 409) << r.body;
  // Malformed, weak, conflicting, or on a method without an etag: 400.
  for (const char* bad : {"v1", "W/\"v1\"", "\"a\", \"b\""}) {
    r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Auth(), {"If-Match", bad}}, "{}");
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(ErrorReason(r.body), "INVALID_IF_MATCH") << bad;
  }
  r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Auth(), {"If-Match", "\"v1\""}},
                    R"({"etag":"\"v0\""})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(absl::StrContains(r.body, R"("field":"thing.etag")")) << r.body;
  r = client_->Send("POST", "/v1/shelves/s1/things/t1:poke", {Auth(), {"If-Match", "\"v1\""}},
                    "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(absl::StrContains(r.body, R"("field":"If-Match")")) << r.body;
  // "*" matches any version: nothing to compare.
  r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Auth(), {"If-Match", "*"}}, "{}");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ConventionsTest, JsonResponsesCarryDefaultValues) {
  TestResponse r = client_->Get("/v1/shelves/s1/things/t1");
  ASSERT_EQ(r.status, 200) << r.body;
  // Unset scalars, enums and lists are present with their defaults.
  for (const char* member : {R"("tags":[])", R"("color":"COLOR_UNSPECIFIED")", R"("etag":"")",
                             R"("hasAccessToken":false)", R"("pageSize":0)"}) {
    EXPECT_TRUE(absl::StrContains(r.body, member)) << member << " in " << r.body;
  }
  EXPECT_FALSE(absl::StrContains(r.body, "createTime")) << r.body;  // unset message: absent
}

TEST_F(ConventionsTest, ServiceFieldPathsBecomeJsonNames) {
  TestResponse r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Auth()},
                                 R"({"title":"bad-field"})");
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, R"("field":"thing.createTime")")) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, R"("field":"thing.seen.pageSize")")) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, R"("field":"thing.no_such_field")")) << r.body;
  EXPECT_FALSE(absl::StrContains(r.body, R"("field":"thing.create_time")")) << r.body;
  // The gateway's own errors use the same names.
  r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Auth()}, R"({"create_time":7})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(absl::StrContains(r.body, R"("field":"thing.createTime")")) << r.body;
}

}  // namespace
}  // namespace kaizen::gateway

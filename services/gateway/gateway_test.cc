// The gateway in-process on port 0 in front of the probe service
// (testdata/probe.proto) on a real gRPC server: every route here exists only
// because of the probe's google.api.http annotations.
#include "services/gateway/gateway.h"

#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "services/gateway/backend_pool.h"
#include "services/gateway/gateway_test_util.h"
#include "services/gateway/test_http_client.h"

namespace kaizen::gateway {
namespace gateway_test {

using namespace ::kaizen::gateway::testing;  // NOLINT

constexpr char kOrigin[] = "https://app.kaizen.test";
constexpr char kPartnerKey[] = "partner-key-242047-0123456789abcdef";

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(probe_.server, nullptr);
    Start(Options());
  }

  GatewayOptions Options() {
    GatewayOptions o =
        TestGatewayOptions("kaizen.gateway.testing.v1.ProbeService", probe_.address());
    o.api_keys = ApiKeyLine("matsusaka-hr", kPartnerKey, "242047");
    o.rate_limit.per_second = 1000;
    o.rate_limit.burst = 1000;
    o.cors_origins = {kOrigin};
    o.max_body_bytes = 4096;
    o.max_header_bytes = 8192;
    o.max_page_size = 100;
    o.drain_deadline = absl::Seconds(2);
    return o;
  }

  void Start(const GatewayOptions& options) {
    client_.reset();
    gateway_.reset();
    auto gateway = Gateway::Start(options, &clock_, [this](const std::string& line) {
      absl::MutexLock lock(&log_mu_);
      log_.push_back(line);
    });
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(*gateway);
    client_ = std::make_unique<TestHttpClient>(gateway_->http_port());
  }

  std::string Token(const std::string& subject = "user-1",
                    std::vector<std::string> roles = {"participant"}) {
    return UserToken(clock_, subject, std::move(roles));
  }

  std::unique_ptr<probe::ProbeService::Stub> GrpcStub() {
    return probe::ProbeService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", gateway_->grpc_port()), grpc::InsecureChannelCredentials()));
  }

  probe::Thing ThingFrom(const TestResponse& r) {
    probe::Thing thing;
    google::protobuf::util::JsonParseOptions options;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &thing, options).ok())
        << r.body;
    return thing;
  }

  FakeClock clock_{absl::Now()};
  absl::Mutex log_mu_;
  std::vector<std::string> log_ ABSL_GUARDED_BY(log_mu_);
  ProbeServer probe_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<TestHttpClient> client_;
};

TEST_F(GatewayTest, RouteExistsOnlyBecauseOfTheAnnotation) {
  bool found = false;
  for (const Route& r : gateway_->routes().routes()) {
    found |= r.label == "GET /v1/{name=shelves/*/things/*}";
  }
  EXPECT_TRUE(found);
  TestResponse r = client_->Get("/v1/shelves/s1/things/t1");  // anonymous allowed
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8");
  // lowerCamelCase, int64 as a string, UTF-8 untouched.
  EXPECT_TRUE(absl::StrContains(r.body, R"("count":"1234567890123")")) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, R"("title":"本の棚 📚")")) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, R"("hasAccessToken")") ||
              !absl::StrContains(r.body, "has_access_token"));
  probe::Thing thing = ThingFrom(r);
  EXPECT_EQ(thing.name(), "shelves/s1/things/t1");
  EXPECT_EQ(thing.seen().method(), "GetThing");
  EXPECT_TRUE(thing.seen().subject().empty());  // forwarded as anonymous
}

TEST_F(GatewayTest, QueryParametersBindToFieldsAndPageSizeIsCapped) {
  TestResponse r = client_->Get(
      "/v1/shelves/s1/things?pageSize=5000&filter=%E5%90%8D%E5%89%8D+x&colors=RED&colors=GREEN"
      "&options.verbose=true&options.depth=3&after=2022-07-01T00:00:00Z&within=3600s",
      {Bearer(Token())});
  ASSERT_EQ(r.status, 200) << r.body;
  probe::ListThingsResponse list;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &list).ok());
  const probe::Seen& seen = list.things(0).seen();
  EXPECT_EQ(seen.page_size(), 100);  // capped at max_page_size
  EXPECT_EQ(seen.filter(), "名前 x");
  ASSERT_EQ(seen.colors_size(), 2);
  EXPECT_EQ(seen.colors(1), probe::GREEN);
  EXPECT_TRUE(seen.options().verbose());
  EXPECT_EQ(seen.options().depth(), 3);
  EXPECT_EQ(seen.after().seconds(), 1656633600);
  EXPECT_EQ(seen.within().seconds(), 3600);
  EXPECT_EQ(list.things(0).name(), "shelves/s1/things/a");
}

TEST_F(GatewayTest, UnknownQueryParameterIsNamed) {
  TestResponse r = client_->Get("/v1/shelves/s1/things?pageSize=1&bogusParam=1",
                                {Bearer(Token())});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorReason(r.body), "UNKNOWN_FIELD");
  EXPECT_EQ(ErrorField(r.body), "bogusParam");
  r = client_->Get("/v1/shelves/s1/things?colors=PURPLE", {Bearer(Token())});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorField(r.body), "colors");
}

TEST_F(GatewayTest, BodyFieldWithNestedPathVariable) {
  TestResponse r = client_->Send(
      "PATCH", "/v1/shelves/s1/things/t1", {Bearer(Token())},
      R"({"name":"shelves/evil/things/x","title":"改善の記録","tags":["a","b"],"color":"GREEN"})");
  ASSERT_EQ(r.status, 200) << r.body;
  probe::Thing thing = ThingFrom(r);
  EXPECT_EQ(thing.name(), "shelves/s1/things/t1");  // the path wins over the body
  EXPECT_EQ(thing.title(), "改善の記録");
  EXPECT_EQ(thing.tags_size(), 2);
  EXPECT_EQ(thing.color(), probe::GREEN);
}

TEST_F(GatewayTest, UnknownBodyFieldIsRefusedAndNamed) {
  TestResponse r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Bearer(Token())},
                                 R"({"title":"x","fooBar":1})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorStatus(r.body), "INVALID_ARGUMENT");
  EXPECT_EQ(ErrorReason(r.body), "UNKNOWN_FIELD");
  EXPECT_EQ(ErrorField(r.body), "thing.fooBar");
  r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Bearer(Token())},
                    R"({"seen":{"options":{"bogus":true}}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorField(r.body), "thing.seen.options.bogus");
}

TEST_F(GatewayTest, MalformedJsonAndWrongTypes) {
  TestResponse r =
      client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Bearer(Token())}, R"({"title":)");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorReason(r.body), "INVALID_JSON");
  r = client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Bearer(Token())},
                    R"({"count":"many"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorReason(r.body), "INVALID_FIELD_VALUE");
  EXPECT_EQ(ErrorField(r.body), "thing.count");
  EXPECT_FALSE(absl::StrContains(r.body, "many"));  // never echoes values
  r = client_->Send("PATCH", "/v1/shelves/s1/things/t1",
                    {Bearer(Token()), {"Content-Type", "text/plain"}}, R"({"title":"x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorReason(r.body), "UNSUPPORTED_CONTENT_TYPE");
}

TEST_F(GatewayTest, CustomVerbWithWholeBody) {
  TestResponse r = client_->Send("POST", "/v1/shelves/s1/things/t1:poke", {Bearer(Token())},
                                 R"({"note":"こんにちは","count":"5"})");
  ASSERT_EQ(r.status, 200) << r.body;
  probe::Thing thing = ThingFrom(r);
  EXPECT_EQ(thing.name(), "shelves/s1/things/t1");
  EXPECT_EQ(thing.title(), "こんにちは");
  EXPECT_EQ(thing.count(), 5);
  // An empty body is an empty request; query parameters do not apply to "*".
  EXPECT_EQ(client_->Send("POST", "/v1/shelves/s1/things/t1:poke", {Bearer(Token())}).status, 200);
  r = client_->Send("POST", "/v1/shelves/s1/things/t1:poke?note=x", {Bearer(Token())});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorField(r.body), "note");
}

TEST_F(GatewayTest, DeleteAdditionalBindingAndDoubleWildcard) {
  TestResponse r = client_->Send("DELETE", "/v1/shelves/s1/things/t1", {Bearer(Token())});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ThingFrom(r).seen().method(), "DeleteThing");
  r = client_->Send("POST", "/v1/shelves/s1/things/t1:delete", {Bearer(Token())}, "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ThingFrom(r).name(), "shelves/s1/things/t1");
  r = client_->Get("/v1/files/a/b/%E8%B3%87%E6%96%99.txt", {Bearer(Token())});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ThingFrom(r).seen().path(), "files/a/b/資料.txt");
}

TEST_F(GatewayTest, UnknownRouteIs404AndWrongMethodIs405) {
  TestResponse r = client_->Get("/v1/nothing/here");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorStatus(r.body), "NOT_FOUND");
  EXPECT_EQ(ErrorReason(r.body), "ROUTE_NOT_FOUND");
  r = client_->Send("PUT", "/v1/shelves/s1/things/t1", {Bearer(Token())}, "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "DELETE, GET, PATCH");
  EXPECT_EQ(ErrorReason(r.body), "METHOD_NOT_ALLOWED");
  // A verb the route does not have.
  EXPECT_EQ(client_->Send("POST", "/v1/shelves/s1/things/t1:explode", {}, "{}").status, 404);
}

TEST_F(GatewayTest, HttpBodyResponseIsWrittenRaw) {
  TestResponse r = client_->Get("/v1/shelves/s9/feed.ics");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "text/calendar; charset=utf-8");
  EXPECT_EQ(r.body, "BEGIN:VCALENDAR\r\nSUMMARY:改善研究会 shelves/s9\r\nEND:VCALENDAR\r\n");
  EXPECT_TRUE(absl::StrContains(r.Header("content-disposition"),
                                "filename*=UTF-8''%E7%A0%94%E7%A9%B6%E4%BC%9A.ics"))
      << r.Header("content-disposition");
}

TEST_F(GatewayTest, CredentialsDecideThePrincipal) {
  // No credential on a method that needs one.
  TestResponse r = client_->Get("/v1/shelves/s1/things");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorReason(r.body), "TOKEN_MISSING");
  // A broken credential is refused even where anonymous callers are welcome.
  r = client_->Get("/v1/shelves/s1/things/t1", {{"Authorization", "Bearer not.a.jwt"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorReason(r.body), "TOKEN_INVALID");
  r = client_->Get("/v1/shelves/s1/things/t1", {{"X-Api-Key", "wrong"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorReason(r.body), "API_KEY_INVALID");
  // A valid key where the method does not take keys (no accept_api_key).
  r = client_->Get("/v1/shelves/s1/things", {{"X-Api-Key", kPartnerKey}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ErrorReason(r.body), "API_KEY_NOT_ACCEPTED");
  // A user.
  r = client_->Get("/v1/shelves/s1/things/t1", {Bearer(Token("alice", {"navigator", "x"}))});
  ASSERT_EQ(r.status, 200) << r.body;
  probe::Seen seen = ThingFrom(r).seen();
  EXPECT_EQ(seen.subject(), "alice");
  ASSERT_EQ(seen.roles_size(), 1);
  EXPECT_EQ(seen.roles(0), "ROLE_NAVIGATOR");
  // A partner key, bound to its municipality.
  r = client_->Get("/v1/shelves/s1/things/t1", {{"X-Api-Key", kPartnerKey}});
  ASSERT_EQ(r.status, 200) << r.body;
  seen = ThingFrom(r).seen();
  EXPECT_EQ(seen.subject(), "partner:matsusaka-hr");
  EXPECT_EQ(seen.roles(0), "ROLE_PARTNER_HR");
  EXPECT_EQ(seen.municipality_code(), "242047");
  // An applicant's access token rides along.
  r = client_->Get("/v1/shelves/s1/things/t1", {{"X-Kaizen-Application-Token", "abc_DEF-123"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(ThingFrom(r).seen().has_access_token());
}

TEST_F(GatewayTest, ExpiredTokenIs401) {
  const std::string token = Token();
  clock_.Advance(absl::Hours(2));
  TestResponse r = client_->Get("/v1/shelves/s1/things", {Bearer(token)});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorReason(r.body), "TOKEN_EXPIRED");
}

TEST_F(GatewayTest, BackendErrorsKeepTheirCodeReasonAndDetails) {
  TestResponse r = client_->Send("POST", "/v1/shelves/s1/things/t1:poke", {Bearer(Token())},
                                 R"({"note":"fail"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorStatus(r.body), "FAILED_PRECONDITION");
  EXPECT_EQ(ErrorReason(r.body), "THING_BUSY");
  EXPECT_TRUE(absl::StrContains(r.body, R"("message":"the thing is busy")")) << r.body;
}

TEST_F(GatewayTest, RequestIdIsEchoedAndForwarded) {
  TestResponse r = client_->Get("/v1/shelves/s1/things/t1", {{"X-Request-Id", "req-42.a_b"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("x-request-id"), "req-42.a_b");
  EXPECT_EQ(ThingFrom(r).seen().request_id(), "req-42.a_b");
  r = client_->Get("/v1/shelves/s1/things/t1", {{"X-Request-Id", "bad id with spaces"}});
  EXPECT_EQ(r.Header("x-request-id").size(), 16u);  // replaced by a fresh one
  EXPECT_EQ(ThingFrom(r).seen().request_id(), r.Header("x-request-id"));
  EXPECT_FALSE(client_->Get("/v1/nothing").Header("x-request-id").empty());
}

TEST_F(GatewayTest, OversizedBodyIs413) {
  const std::string big = absl::StrCat(R"({"note":")", std::string(5000, 'x'), R"("})");
  TestResponse r =
      client_->Send("POST", "/v1/shelves/s1/things/t1:poke", {Bearer(Token())}, big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(ErrorReason(r.body), "BODY_TOO_LARGE");
  EXPECT_FALSE(r.keep_alive);
  // Refused on the declared length alone, before any body byte is sent.
  r = client_->SendRaw(
      "POST /v1/wait HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 104857600\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  // The gateway still serves the next connection.
  EXPECT_EQ(client_->Get("/healthz").status, 200);
}

TEST_F(GatewayTest, OversizedHeadersAre431AndGarbageIs400) {
  TestResponse r = client_->Get("/healthz", {{"X-Filler", std::string(9000, 'a')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(ErrorReason(r.body), "HEADERS_TOO_LARGE");
  r = client_->SendRaw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorReason(r.body), "MALFORMED_REQUEST");
}

TEST_F(GatewayTest, RateLimitGives429PerPrincipal) {
  GatewayOptions options = Options();
  options.rate_limit.per_second = 1;
  options.rate_limit.burst = 2;
  Start(options);
  const std::string alice = Token("alice");
  EXPECT_EQ(client_->Get("/v1/shelves/s1/things", {Bearer(alice)}).status, 200);
  EXPECT_EQ(client_->Get("/v1/shelves/s1/things", {Bearer(alice)}).status, 200);
  TestResponse r = client_->Get("/v1/shelves/s1/things", {Bearer(alice)});
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(ErrorStatus(r.body), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(ErrorReason(r.body), "RATE_LIMITED");
  EXPECT_EQ(r.Header("retry-after"), "1");
  // Another principal has its own bucket; time refills alice's.
  EXPECT_EQ(client_->Get("/v1/shelves/s1/things", {Bearer(Token("bob"))}).status, 200);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(client_->Get("/v1/shelves/s1/things", {Bearer(alice)}).status, 200);
  // Over gRPC the same limit is RESOURCE_EXHAUSTED.
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + alice);
  probe::ListThingsResponse list;
  grpc::Status s = GrpcStub()->ListThings(&context, probe::ListThingsRequest(), &list);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "RATE_LIMITED");
}

TEST_F(GatewayTest, SlowBackendGives504AtTheDeadline) {
  GatewayOptions options = Options();
  options.backend_deadline = absl::Milliseconds(200);
  Start(options);
  const absl::Time start = absl::Now();
  TestResponse r = client_->Send("POST", "/v1/wait", {Bearer(Token())}, "{}");
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_EQ(ErrorReason(r.body), "BACKEND_DEADLINE_EXCEEDED");
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST_F(GatewayTest, CorsForConfiguredOriginsOnly) {
  TestResponse r = client_->Send("OPTIONS", "/v1/shelves/s1/things",
                                 {{"Origin", kOrigin},
                                  {"Access-Control-Request-Method", "GET"},
                                  {"Access-Control-Request-Headers", "authorization"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.Header("access-control-allow-origin"), kOrigin);
  EXPECT_TRUE(absl::StrContains(r.Header("access-control-allow-headers"), "Authorization"));
  // A browser may send If-Match and read ETag / WWW-Authenticate.
  EXPECT_TRUE(absl::StrContains(r.Header("access-control-allow-headers"), "If-Match"));
  EXPECT_EQ(r.Header("access-control-max-age"), "600");
  EXPECT_TRUE(r.Header("access-control-allow-credentials").empty());
  r = client_->Send("OPTIONS", "/v1/shelves/s1/things",
                    {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(r.Header("access-control-allow-origin").empty());
  r = client_->Get("/v1/shelves/s1/things/t1", {{"Origin", kOrigin}});
  EXPECT_EQ(r.Header("access-control-allow-origin"), kOrigin);
  EXPECT_TRUE(absl::StrContains(r.Header("access-control-expose-headers"), "X-Request-Id"));
  EXPECT_TRUE(absl::StrContains(r.Header("access-control-expose-headers"), "ETag"));
  EXPECT_TRUE(absl::StrContains(r.Header("access-control-expose-headers"), "WWW-Authenticate"));
  r = client_->Get("/v1/shelves/s1/things/t1", {{"Origin", "https://evil.example"}});
  EXPECT_TRUE(r.Header("access-control-allow-origin").empty());
}

TEST_F(GatewayTest, OperatorEndpoints) {
  EXPECT_EQ(client_->Get("/healthz").status, 200);
  TestResponse r = client_->Get("/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(client_->Get("/v1/shelves/s1/things/t1").status, 200);
  ASSERT_EQ(client_->Get("/v1/shelves/s1/things").status, 401);
  r = client_->Get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(absl::StartsWith(r.Header("content-type"), "text/plain; version=0.0.4"));
  EXPECT_TRUE(absl::StrContains(
      r.body,
      R"(kaizen_gateway_requests_total{protocol="http",route="GET /v1/{name=shelves/*/things/*}",code="OK"} 1)"))
      << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, R"(kaizen_gateway_errors_total{protocol="http",code="UNAUTHENTICATED"} 1)"));
  EXPECT_TRUE(absl::StrContains(r.body, "kaizen_gateway_request_duration_seconds_bucket{protocol=\"http\",route=\"GET /v1/{parent=shelves/*}/things\",le=\"0.0001\"}"));
  EXPECT_TRUE(absl::StrContains(r.body, "\nprocess_resident_memory_bytes ")) << r.body;
  r = client_->Get("/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(absl::StrContains(r.body, R"("openapi":"3.0.3")"));
  EXPECT_EQ(client_->Send("POST", "/healthz", {}, "{}").status, 405);
}

TEST_F(GatewayTest, KeepAliveServesManyRequestsOnOneConnection) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(client_->Get("/v1/shelves/s1/things/t1").status, 200);
  }
  EXPECT_EQ(client_->connections_opened(), 1);
}

TEST_F(GatewayTest, AccessLogHasRouteTemplatesOnlyNoSecretsOrIds) {
  const std::string token = Token("carol");
  client_->Get("/v1/shelves/secret-shelf/things/secret-thing", {Bearer(token)});
  client_->Get("/v1/shelves/s1/things/t1", {{"X-Api-Key", kPartnerKey}});
  client_->Send("PATCH", "/v1/shelves/s1/things/t1", {Bearer(token)}, R"({"title":"山田 太郎"})");
  absl::MutexLock lock(&log_mu_);
  ASSERT_EQ(log_.size(), 3u);
  for (const std::string& line : log_) {
    EXPECT_FALSE(absl::StrContains(line, "secret-")) << line;
    EXPECT_FALSE(absl::StrContains(line, token.substr(0, 20))) << line;
    EXPECT_FALSE(absl::StrContains(line, kPartnerKey)) << line;
    EXPECT_FALSE(absl::StrContains(line, "carol")) << line;
    EXPECT_FALSE(absl::StrContains(line, "山田")) << line;
    EXPECT_TRUE(absl::StrContains(line, R"("route":"GET /v1/{name=shelves/*/things/*}")") ||
                absl::StrContains(line, R"("route":"PATCH /v1/{thing.name=shelves/*/things/*}")"))
        << line;
  }
}

TEST_F(GatewayTest, ShutdownFinishesRequestsInFlight) {
  TestResponse in_flight;
  std::thread request([&] {
    TestHttpClient other(gateway_->http_port());
    in_flight = other.Send("POST", "/v1/wait", {Bearer(Token())}, "{}");
  });
  ASSERT_TRUE(probe_.backend.WaitEntered(absl::Seconds(30)));
  std::thread stopper([&] { gateway_->Shutdown(); });
  probe_.backend.ReleaseWaiters();
  stopper.join();
  request.join();
  EXPECT_EQ(in_flight.status, 200) << in_flight.body;
}

// ---- gRPC front door ----

TEST_F(GatewayTest, GrpcProxyForwardsWithAuthenticationAndRequestId) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + Token("dave", {"secretariat"}));
  context.AddMetadata("x-request-id", "grpc-req-1");
  probe::GetThingRequest request;
  request.set_name("shelves/s1/things/t1");
  probe::Thing thing;
  grpc::Status s = GrpcStub()->GetThing(&context, request, &thing);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(thing.seen().subject(), "dave");
  EXPECT_EQ(thing.seen().roles(0), "ROLE_SECRETARIAT");
  EXPECT_EQ(thing.seen().request_id(), "grpc-req-1");
  auto it = context.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(it, context.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()), "grpc-req-1");
  EXPECT_EQ(thing.title(), "本の棚 📚");
}

TEST_F(GatewayTest, GrpcProxyServesMethodsWithoutHttpRules) {
  grpc::ClientContext context;
  context.AddMetadata("x-api-key", kPartnerKey);
  probe::GetThingRequest request;
  request.set_name("hidden");
  probe::Thing thing;
  grpc::Status s = GrpcStub()->Hidden(&context, request, &thing);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(thing.seen().municipality_code(), "242047");
}

TEST_F(GatewayTest, GrpcProxyPropagatesTheShorterDeadline) {
  probe::GetThingRequest request;
  probe::Thing thing;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(1500));
    ASSERT_TRUE(GrpcStub()->GetThing(&context, request, &thing).ok());
    EXPECT_LE(thing.seen().deadline_ms(), 1600);
    EXPECT_GT(thing.seen().deadline_ms(), 0);
  }
  {
    grpc::ClientContext context;  // no deadline: the gateway's (5 s)
    ASSERT_TRUE(GrpcStub()->GetThing(&context, request, &thing).ok());
    EXPECT_GT(thing.seen().deadline_ms(), 2000);
    EXPECT_LE(thing.seen().deadline_ms(), 5100);  // grpc-timeout rounds up
  }
}

TEST_F(GatewayTest, GrpcProxyRefusesStreamingUnknownMethodsAndMissingCredentials) {
  {
    grpc::ClientContext context;
    auto reader = GrpcStub()->Watch(&context, probe::GetThingRequest());
    probe::Thing thing;
    while (reader->Read(&thing)) {
    }
    grpc::Status s = reader->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "STREAMING_NOT_SUPPORTED");
  }
  {
    grpc::GenericStub generic(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", gateway_->grpc_port()), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    grpc::ByteBuffer request = StringToByteBuffer(""), response;
    absl::Notification done;
    grpc::Status status;
    generic.UnaryCall(&context, "/kaizen.nothing.v1.Nothing/Do", grpc::StubOptions(), &request,
                      &response, [&](grpc::Status s) {
                        status = s;
                        done.Notify();
                      });
    done.WaitForNotification();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_EQ(errors::Reason(FromGrpcStatus(status)), "METHOD_NOT_FOUND");
  }
  {
    grpc::ClientContext context;
    probe::ListThingsResponse list;
    grpc::Status s = GrpcStub()->ListThings(&context, probe::ListThingsRequest(), &list);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "TOKEN_MISSING");
  }
}

TEST_F(GatewayTest, GrpcProxyNeverForwardsTheClientsOwnPrincipal) {
  // Even a correctly signed principal from a client is dropped: the backend
  // sees only what the gateway vouches for (here: anonymous).
  auth::PrincipalSigner signer(kInternalSecret);
  kaizen::type::Principal forged;
  forged.set_subject("root");
  forged.add_roles(kaizen::type::ROLE_SECRETARIAT);
  grpc::ClientContext context;
  server::AttachPrincipal(forged, signer, &context);
  probe::Thing thing;
  ASSERT_TRUE(GrpcStub()->GetThing(&context, probe::GetThingRequest(), &thing).ok());
  EXPECT_TRUE(thing.seen().subject().empty());
  EXPECT_EQ(thing.seen().roles_size(), 0);
}

TEST_F(GatewayTest, GrpcProxyCapsPageSizeAndKeepsErrorDetails) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + Token());
  probe::ListThingsRequest list_request;
  list_request.set_page_size(5000);
  list_request.set_filter("日本語");
  probe::ListThingsResponse list;
  ASSERT_TRUE(GrpcStub()->ListThings(&context, list_request, &list).ok());
  EXPECT_EQ(list.things(0).seen().page_size(), 100);
  EXPECT_EQ(list.things(0).seen().filter(), "日本語");

  grpc::ClientContext context2;
  context2.AddMetadata("authorization", "Bearer " + Token());
  probe::PokeThingRequest poke;
  poke.set_note("fail");
  probe::Thing thing;
  absl::Status s = FromGrpcStatus(GrpcStub()->PokeThing(&context2, poke, &thing));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(s), "THING_BUSY");
}

}  // namespace
}  // namespace kaizen::gateway

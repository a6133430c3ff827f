#include "services/gateway/error_response.h"

#include "absl/strings/match.h"
#include "common/status/errors.h"
#include "common/server/unary_call.h"
#include "gtest/gtest.h"
#include "services/gateway/gateway_errors.h"
#include "services/gateway/json.h"

namespace kaizen::gateway {
namespace error_response_test {

TEST(ErrorResponseTest, StandardGrpcToHttpMapping) {
  using C = absl::StatusCode;
  const std::pair<C, int> table[] = {
      {C::kOk, 200},           {C::kInvalidArgument, 400}, {C::kFailedPrecondition, 400},
      {C::kOutOfRange, 400},   {C::kUnauthenticated, 401}, {C::kPermissionDenied, 403},
      {C::kNotFound, 404},     {C::kAlreadyExists, 409},   {C::kAborted, 409},
      {C::kResourceExhausted, 429}, {C::kCancelled, 499},  {C::kUnimplemented, 501},
      {C::kUnavailable, 503},  {C::kDeadlineExceeded, 504}, {C::kInternal, 500},
      {C::kUnknown, 500},      {C::kDataLoss, 500}};
  for (const auto& [code, http] : table) {
    EXPECT_EQ(HttpStatusForCode(code), http) << absl::StatusCodeToString(code);
  }
}

TEST(ErrorResponseTest, GatewayReasonsWithTheirOwnHttpStatus) {
  EXPECT_EQ(HttpStatusFor(MethodNotAllowed("GET")), 405);
  EXPECT_EQ(HttpStatusFor(BodyTooLarge(10)), 413);
  EXPECT_EQ(HttpStatusFor(HeadersTooLarge()), 431);
  EXPECT_EQ(HttpStatusFor(RateLimited(absl::Seconds(2))), 429);
  EXPECT_EQ(HttpStatusFor(TokenExpired()), 401);
  EXPECT_EQ(HttpStatusFor(RouteNotFound()), 404);
}

TEST(ErrorResponseTest, BodyIsGoogleStyleWithDetails) {
  HttpResponse r = ErrorResponse(errors::InvalidField("application.members[0].kana",
                                                      "must be written in kana", "KANA_ONLY"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(
      r.body,
      R"({"error":{"code":400,"status":"INVALID_ARGUMENT",)"
      R"("message":"application.members[0].kana: must be written in kana",)"
      R"("details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"KANA_ONLY",)"
      R"("domain":"kaizen","metadata":{"field":"application.members[0].kana"}},)"
      R"({"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":)"
      R"([{"field":"application.members[0].kana","description":"must be written in kana"}]}]}})");
}

TEST(ErrorResponseTest, HeadersForRateLimitAndMethodNotAllowed) {
  EXPECT_EQ(ErrorResponse(RateLimited(absl::Milliseconds(2500))).Header("Retry-After"), "3");
  EXPECT_EQ(ErrorResponse(MethodNotAllowed("GET, PATCH")).Header("Allow"), "GET, PATCH");
  // A status without details still has the shape.
  HttpResponse plain = ErrorResponse(absl::InternalError("boom"));
  EXPECT_EQ(plain.status, 500);
  EXPECT_TRUE(absl::StrContains(plain.body, R"("details":[])"));
}

// A service's full call queue (common/server/unary_call.h) reaches HTTP
// clients as 429 with the standard Retry-After.
TEST(ErrorResponseTest, ServerOverloadedIs429WithRetryAfter) {
  HttpResponse r = ErrorResponse(server::ServerOverloaded());
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "1");
  EXPECT_TRUE(absl::StrContains(r.body, R"("reason":"SERVER_OVERLOADED")"));
  EXPECT_TRUE(absl::StrContains(r.body, "google.rpc.RetryInfo"));
}

TEST(ErrorResponseTest, BackendErrorsMadeByGrpcAreSanitized) {
  absl::Status grpc_made = absl::UnavailableError(
      "failed to connect to all addresses; last error: ipv4:10.0.0.7:50051: refused");
  absl::Status s = SanitizeBackendError(grpc_made, "EnrollmentService");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(s), "BACKEND_UNAVAILABLE");
  EXPECT_FALSE(absl::StrContains(s.message(), "10.0.0.7"));
  EXPECT_EQ(errors::Reason(SanitizeBackendError(absl::DeadlineExceededError("x"), "S")),
            "BACKEND_DEADLINE_EXCEEDED");
  absl::Status overloaded =
      SanitizeBackendError(absl::ResourceExhaustedError("Server Threadpool Exhausted"), "S");
  EXPECT_EQ(overloaded.code(), absl::StatusCode::kUnavailable);  // 503, not a 429
  EXPECT_EQ(errors::Reason(overloaded), "BACKEND_OVERLOADED");
  EXPECT_EQ(SanitizeBackendError(absl::InternalError("stack trace"), "S").message(),
            "S failed to handle the request");
  // A service's own error passes untouched.
  absl::Status own = errors::NotFound("Cohort", "cohorts/x");
  EXPECT_EQ(SanitizeBackendError(own, "S"), own);
}

TEST(JsonTest, EscapesOnlyWhatJsonRequires) {
  Json j = Json::Object()
               .Set("text", Json::Str("改善 \"quoted\" \\ \n\t\x01"))
               .Set("n", Json::Int(-5))
               .Set("list", Json::Array().Push(Json::Bool(true)).Push(Json()))
               .Set("raw", Json::Raw(R"({"a":1})"));
  j.Set("n", Json::Int(7));  // replaces in place
  EXPECT_EQ(j.Serialize(),
            R"({"text":"改善 \"quoted\" \\ \n\t\u0001","n":7,"list":[true,null],"raw":{"a":1}})");
  EXPECT_EQ(Json::Double(0.5).Serialize(), "0.5");
}

}  // namespace
}  // namespace kaizen::gateway

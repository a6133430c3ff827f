// CPU cost of each step the gateway adds to one request, in isolation:
// JWT verification, route matching, request transcoding, response JSON.
//   bazel run -c opt //services/gateway/bench:micro_bench
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include "absl/time/clock.h"
#include "common/util/clock.h"
#include "google/protobuf/descriptor.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "services/gateway/jwt.h"
#include "services/gateway/route_table.h"
#include "services/gateway/transcoder.h"

namespace {

void Time(const char* name, int n, const std::function<void()>& fn) {
  for (int i = 0; i < n / 10; ++i) fn();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) fn();
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  std::printf("| %s | %.2f |\n", name, us / n);
}

}  // namespace

int main() {
  namespace gw = kaizen::gateway;
  namespace v1 = kaizen::enrollment::v1;
  const std::string secret = "micro-bench-secret-0123456789abcdef-xyz";
  kaizen::FakeClock clock(absl::Now());
  gw::JwtConfig config;
  config.hs256_secret = secret;
  auto verifier = *gw::JwtVerifier::Create(config, &clock);
  gw::JwtConfig uncached_config = config;
  uncached_config.cache_size = 0;
  auto uncached = *gw::JwtVerifier::Create(uncached_config, &clock);
  gw::JwtClaims claims;
  claims.subject = "user-1";
  claims.roles = {"secretariat"};
  claims.issued_at = clock.Now();
  claims.expires_at = clock.Now() + absl::Hours(1);
  const std::string token = gw::MintHs256Jwt(secret, claims);

  (void)v1::Cohort::descriptor();
  auto table = *gw::RouteTable::Build(
      {google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          "kaizen.enrollment.v1.EnrollmentService")});
  const gw::MethodInfo* get = table->FindMethod("/kaizen.enrollment.v1.EnrollmentService/GetCohort");

  v1::Cohort cohort;
  cohort.set_name("cohorts/bench");
  cohort.set_title("2026年度 次世代改善リーダー事例研究会");
  cohort.set_fiscal_year(2026);
  cohort.set_capacity(100);
  cohort.set_max_municipalities(50);
  cohort.mutable_fee()->set_currency_code("JPY");
  cohort.mutable_fee()->set_units(10000);
  cohort.mutable_application_open_time()->set_seconds(1790000000);
  cohort.mutable_application_close_time()->set_seconds(1800000000);
  cohort.set_state(v1::Cohort::OPEN);
  cohort.mutable_offer_ttl()->set_seconds(172800);
  cohort.set_retention_days(365);
  cohort.set_etag("\"0123456789abcdef\"");
  const std::string bytes = cohort.SerializeAsString();

  std::printf("| step | µs per request |\n|---|---:|\n");
  Time("JWT HS256 verify, first use (uncached)", 20000, [&] { (void)uncached->Verify(token); });
  Time("JWT HS256 verify, token seen before (cached)", 200000,
       [&] { (void)verifier->Verify(token); });
  Time("route match GET /v1/cohorts/bench", 200000,
       [&] { (void)table->Find("GET", "/v1/cohorts/bench"); });
  Time("route match POST .../applications/x:withdraw", 200000,
       [&] { (void)table->Find("POST", "/v1/cohorts/c/applications/x:withdraw"); });
  auto match = *table->Find("GET", "/v1/cohorts/bench");
  Time("build GetCohortRequest (path binding)", 200000, [&] {
    v1::GetCohortRequest r;
    (void)gw::BuildRequest(*match.route, match.bindings, "", "", "", &r);
  });
  auto post = *table->Find("POST", "/v1/cohorts");
  const std::string json = R"({"title":"2026年度 次世代改善リーダー事例研究会","fiscalYear":2026,)"
                           R"("capacity":100,"maxMunicipalities":50,"fee":{"currencyCode":"JPY",)"
                           R"("units":"10000"},"applicationOpenTime":"2026-09-21T00:00:00Z"})";
  Time("JSON body -> CreateCohortRequest", 20000, [&] {
    v1::CreateCohortRequest r;
    (void)gw::BuildRequest(*post.route, post.bindings, "application/json", json, "", &r);
  });
  Time("Cohort bytes -> JSON response", 20000, [&] {
    gw::HttpResponse out;
    (void)gw::WriteResponse(*get, bytes, &out);
  });
  return 0;
}

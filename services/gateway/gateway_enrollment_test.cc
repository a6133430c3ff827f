// The gateway in front of the real enrollment server: the
// //services/enrollment:enrollment_server binary runs as a child process on
// port 0 (its libraries are private to services/enrollment), and the gateway
// runs in-process on port 0 in front of it. Covers the issue's "done when"
// list for a real backend: REST round trips, authentication, per-object
// authorisation by the service, partner keys bound to a municipality, the
// internal credential, and a backend that goes down and comes back.
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/child_process.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "services/gateway/gateway.h"
#include "services/gateway/gateway_test_util.h"
#include "services/gateway/json.h"
#include "services/gateway/test_http_client.h"
#include "services/gateway/url.h"

namespace kaizen::gateway {
namespace gateway_enrollment_test {

using namespace ::kaizen::gateway::testing;  // NOLINT
namespace v1 = ::kaizen::enrollment::v1;

constexpr char kKeyMatsusaka[] = "hr-key-matsusaka-0123456789abcdef";
constexpr char kKeySapporo[] = "hr-key-sapporo-0123456789abcdef01";
constexpr char kMatsusaka[] = "242047";
constexpr char kSapporo[] = "011002";

// The enrollment server binary as a child process (common/testing), on a
// database file that survives a restart.
class EnrollmentProcess {
 public:
  explicit EnrollmentProcess(std::string db) : db_(std::move(db)) {}

  // Starts on `port` (0: any) and waits until it has written its port.
  // Returns the port, 0 on failure.
  int Start(int port) {
    testkit::ServiceProcessOptions options;
    options.binary = "services/enrollment/enrollment_server";
    options.db = db_;
    options.port = port;
    options.internal_secret = kInternalSecret;
    // The gateway's transcoding is under test here, not e-mail confirmation
    // (tests/e2e/notifications_test.py): anonymous applicants are admitted on
    // arrival, as a deployment without confirmation would.
    options.extra_args = {"--require_email_confirmation=false"};
    auto running = testkit::StartService(options);
    EXPECT_TRUE(running.ok()) << running.status();
    if (!running.ok()) return 0;
    running_ = std::move(*running);
    return running_.port;
  }

  void Kill() {
    if (running_.process != nullptr) running_.process->Kill();
  }

  int port() const { return running_.port; }

 private:
  std::string db_;
  testkit::RunningService running_;
};

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

class GatewayEnrollmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    db_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", info->name(), ".db");
    std::remove(db_.c_str());
    enrollment_ = std::make_unique<EnrollmentProcess>(db_);
    ASSERT_GT(enrollment_->Start(0), 0) << "the enrollment server did not start";

    GatewayOptions o = TestGatewayOptions("kaizen.enrollment.v1.EnrollmentService",
                                          absl::StrCat("127.0.0.1:", enrollment_->port()));
    o.api_keys = ApiKeyLine("matsusaka-hr", kKeyMatsusaka, kMatsusaka) +
                 ApiKeyLine("sapporo-hr", kKeySapporo, kSapporo);
    o.rate_limit.per_second = 1000;
    o.rate_limit.burst = 1000;
    o.backend_deadline = absl::Seconds(5);
    o.max_reconnect_backoff = absl::Milliseconds(200);
    o.drain_deadline = absl::Seconds(1);
    auto gateway = Gateway::Start(o, &clock_, nullptr);
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(*gateway);
    http_ = std::make_unique<TestHttpClient>(gateway_->http_port());
  }

  void TearDown() override {
    http_.reset();
    gateway_.reset();
    enrollment_.reset();
  }

  std::pair<std::string, std::string> As(const std::string& subject,
                                         std::vector<std::string> roles) {
    return Bearer(UserToken(clock_, subject, std::move(roles)));
  }
  std::pair<std::string, std::string> Secretariat() {
    return As("secretariat-1", {"secretariat"});
  }

  template <typename M>
  M Parse(const TestResponse& r) {
    M m;
    google::protobuf::util::JsonParseOptions options;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &m, options).ok()) << r.body;
    return m;
  }

  // Creates cohort `id` over HTTP (window around the real time: the service
  // runs on the real clock) and opens it. Returns its name.
  std::string OpenCohort(const std::string& id) {
    const absl::Time now = absl::Now();
    const std::string cohort = absl::StrCat(
        R"({"title":"2026年度 次世代改善リーダー事例研究会","fiscalYear":2026,"capacity":10,)",
        R"("maxMunicipalities":6,"eligibility":{"minAge":20,"maxAge":39,)",
        R"("ageReferenceDate":{"year":2022,"month":7,"day":24}},)",
        R"("fee":{"currencyCode":"JPY","units":"10000"},)", R"("applicationOpenTime":")",
        Rfc3339(now - absl::Hours(24)), R"(","applicationCloseTime":")",
        Rfc3339(now + absl::Hours(24 * 30)), R"("})");
    TestResponse r = http_->Send("POST", "/v1/cohorts?cohortId=" + id, {Secretariat()}, cohort);
    EXPECT_EQ(r.status, 200) << r.body;
    v1::Cohort created = Parse<v1::Cohort>(r);
    EXPECT_EQ(created.state(), v1::Cohort::DRAFT);
    r = http_->Send("POST", "/v1/" + created.name() + ":transition", {Secretariat()},
                    absl::StrCat(R"({"state":"OPEN","etag":)", JsonQuote(created.etag()), "}"));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Parse<v1::Cohort>(r).state(), v1::Cohort::OPEN);
    return created.name();
  }

  static std::string ApplicationJson(int n, const std::string& town) {
    return absl::StrCat(
        R"({"members":[{"displayName":"山田 太郎)", n, R"(","kana":"やまだ たろう",)",
        R"("email":"person)", n, R"(@city.example.jp","municipalityCode":")", town,
        R"(","department":"総務部 行政改革課","birthDate":{"year":1992,"month":4,"day":1},)",
        R"("motivation":"同僚を巻き込んで改善を進めたい。\n5年後の旗手に。",)",
        R"("consent":{"shareAttendance":true}}]})");
  }

  v1::Application Apply(const std::string& cohort, int n, const std::string& town,
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
    TestResponse r = http_->Send("POST", "/v1/" + cohort + "/applications", headers,
                                 ApplicationJson(n, town));
    EXPECT_EQ(r.status, 200) << r.body;
    return Parse<v1::Application>(r);
  }

  FakeClock clock_{absl::Now()};
  std::string db_;
  std::unique_ptr<EnrollmentProcess> enrollment_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<TestHttpClient> http_;
};

TEST_F(GatewayEnrollmentTest, RestCreateGetAndListRoundTrip) {
  const std::string cohort = OpenCohort("fy2026");
  EXPECT_EQ(cohort, "cohorts/fy2026");

  // Anyone may read an open cohort; UTF-8 survives the round trip.
  TestResponse r = http_->Get("/v1/cohorts/fy2026");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Parse<v1::Cohort>(r).title(), "2026年度 次世代改善リーダー事例研究会");
  EXPECT_TRUE(absl::StrContains(r.body, R"("maxMunicipalities":6)"));  // lowerCamelCase

  // Apply without an account; read it back with the access token.
  v1::Application app = Apply(cohort, 1, kMatsusaka);
  EXPECT_EQ(app.state(), v1::Application::ACCEPTED);
  ASSERT_FALSE(app.access_token().empty());
  r = http_->Get("/v1/" + app.name(), {{"X-Kaizen-Application-Token", app.access_token()}});
  ASSERT_EQ(r.status, 200) << r.body;
  v1::Application read = Parse<v1::Application>(r);
  EXPECT_EQ(read.members(0).display_name(), "山田 太郎1");
  EXPECT_EQ(read.members(0).motivation(), "同僚を巻き込んで改善を進めたい。\n5年後の旗手に。");
  EXPECT_TRUE(read.access_token().empty());
  // Without the token the anonymous caller is refused by the service.
  EXPECT_EQ(http_->Get("/v1/" + app.name()).status, 401);

  // Lists: the secretariat sees the application; anyone sees the cohort.
  Apply(cohort, 2, kSapporo);
  r = http_->Get("/v1/" + cohort + "/applications?pageSize=1", {Secretariat()});
  ASSERT_EQ(r.status, 200) << r.body;
  v1::ListApplicationsResponse page1 = Parse<v1::ListApplicationsResponse>(r);
  ASSERT_EQ(page1.applications_size(), 1);
  ASSERT_FALSE(page1.next_page_token().empty());
  r = http_->Get("/v1/" + cohort + "/applications?pageSize=1&pageToken=" +
                     PercentEncode(page1.next_page_token()),
                 {Secretariat()});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Parse<v1::ListApplicationsResponse>(r).applications_size(), 1);
  r = http_->Get("/v1/cohorts?state=OPEN");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::ListCohortsResponse cohorts = Parse<v1::ListCohortsResponse>(r);
  ASSERT_EQ(cohorts.cohorts_size(), 1);
  EXPECT_EQ(cohorts.cohorts(0).name(), cohort);
}

TEST_F(GatewayEnrollmentTest, UnknownFieldIsRefusedWithItsName) {
  TestResponse r = http_->Send("POST", "/v1/cohorts", {Secretariat()},
                               R"({"title":"x","fiscalYear":2026,"colour":"red"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorReason(r.body), "UNKNOWN_FIELD");
  EXPECT_EQ(ErrorField(r.body), "cohort.colour");
  // The service's own validation comes back with its field names too.
  r = http_->Send("POST", "/v1/cohorts", {Secretariat()}, R"({"title":"x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorStatus(r.body), "INVALID_ARGUMENT");
  EXPECT_TRUE(absl::StartsWith(ErrorField(r.body), "cohort.")) << r.body;
}

TEST_F(GatewayEnrollmentTest, MissingExpiredOrForgedTokensAre401) {
  const std::string body = R"({"title":"x"})";
  TestResponse r = http_->Send("POST", "/v1/cohorts", {}, body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorReason(r.body), "TOKEN_MISSING");
  r = http_->Get("/v1/cohorts/any/applications");
  EXPECT_EQ(r.status, 401);

  const std::string expiring = UserToken(clock_, "secretariat-1", {"secretariat"}, absl::Minutes(5));
  clock_.Advance(absl::Minutes(10));
  r = http_->Send("POST", "/v1/cohorts", {Bearer(expiring)}, body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorReason(r.body), "TOKEN_EXPIRED");

  const std::string forged = UserToken(clock_, "secretariat-1", {"secretariat"}, absl::Hours(1),
                                       "not-the-gateway-secret-0123456789abcdef");
  r = http_->Send("POST", "/v1/cohorts", {Bearer(forged)}, body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorReason(r.body), "TOKEN_INVALID");
  // A forged token is refused even on a route open to anonymous callers.
  EXPECT_EQ(http_->Get("/v1/cohorts", {Bearer(forged)}).status, 401);
}

TEST_F(GatewayEnrollmentTest, ParticipantCannotReadSomeoneElsesApplication) {
  const std::string cohort = OpenCohort("privacy");
  v1::Application mine = Apply(cohort, 1, kMatsusaka, {As("user-a", {"participant"})});
  TestResponse r = http_->Get("/v1/" + mine.name(), {As("user-a", {"participant"})});
  EXPECT_EQ(r.status, 200) << r.body;
  r = http_->Get("/v1/" + mine.name(), {As("user-b", {"participant"})});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(ErrorStatus(r.body), "PERMISSION_DENIED");
  EXPECT_EQ(ErrorReason(r.body), "NOT_YOUR_APPLICATION");
  // Another applicant's access token does not open it either.
  v1::Application other = Apply(cohort, 2, kMatsusaka);
  r = http_->Get("/v1/" + mine.name(), {{"X-Kaizen-Application-Token", other.access_token()}});
  EXPECT_EQ(r.status, 403) << r.body;
}

TEST_F(GatewayEnrollmentTest, PartnerKeySeesOnlyItsOwnMunicipality) {
  const std::string cohort = OpenCohort("partners");
  v1::Application a = Apply(cohort, 1, kMatsusaka);
  v1::Application b = Apply(cohort, 2, kSapporo);
  ASSERT_EQ(a.participants_size(), 1);
  ASSERT_EQ(b.participants_size(), 1);

  TestResponse r = http_->Get("/v1/changes", {{"X-Api-Key", kKeyMatsusaka}});
  ASSERT_EQ(r.status, 200) << r.body;
  v1::ListChangesResponse changes = Parse<v1::ListChangesResponse>(r);
  ASSERT_EQ(changes.changes_size(), 1);
  EXPECT_EQ(changes.changes(0).participant(), a.participants(0));
  EXPECT_EQ(changes.changes(0).municipality_code(), kMatsusaka);
  r = http_->Get("/v1/changes", {{"X-Api-Key", kKeySapporo}});
  ASSERT_EQ(r.status, 200) << r.body;
  changes = Parse<v1::ListChangesResponse>(r);
  ASSERT_EQ(changes.changes_size(), 1);
  EXPECT_EQ(changes.changes(0).participant(), b.participants(0));

  // Municipality A's key cannot read B's participant, nor staff routes.
  r = http_->Get("/v1/" + b.participants(0), {{"X-Api-Key", kKeyMatsusaka}});
  EXPECT_EQ(r.status, 403) << r.body;
  r = http_->Get("/v1/" + cohort + "/applications", {{"X-Api-Key", kKeyMatsusaka}});
  EXPECT_EQ(r.status, 403) << r.body;
  // Refused at the gateway: only the change feed accepts partner keys.
  EXPECT_EQ(ErrorReason(r.body), "API_KEY_NOT_ACCEPTED");
  // An unknown key is 401.
  EXPECT_EQ(http_->Get("/v1/changes", {{"X-Api-Key", "stolen?"}}).status, 401);
}

TEST_F(GatewayEnrollmentTest, DirectServiceCallWithoutInternalCredentialIsUnauthenticated) {
  auto direct = v1::EnrollmentService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", enrollment_->port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + UserToken(clock_, "s", {"secretariat"}));
  v1::ListCohortsResponse response;
  grpc::Status s = direct->ListCohorts(&context, v1::ListCohortsRequest(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "INTERNAL_CREDENTIAL_MISSING");

  // The same call through the gateway's gRPC port is served.
  auto via_gateway = v1::EnrollmentService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", gateway_->grpc_port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context2;
  context2.AddMetadata("x-api-key", kKeyMatsusaka);
  v1::ListChangesResponse changes;
  s = via_gateway->ListChanges(&context2, v1::ListChangesRequest(), &changes);
  EXPECT_TRUE(s.ok()) << s.error_message();
  grpc::ClientContext context3;
  s = via_gateway->ListCohorts(&context3, v1::ListCohortsRequest(), &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(GatewayEnrollmentTest, DownBackendIs503QuicklyAndTheGatewayRecovers) {
  const std::string cohort = OpenCohort("outage");
  ASSERT_EQ(http_->Get("/readyz").status, 200);
  const int port = enrollment_->port();

  enrollment_->Kill();
  const absl::Time start = absl::Now();
  TestResponse r = http_->Get("/v1/" + cohort);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(ErrorStatus(r.body), "UNAVAILABLE");
  EXPECT_EQ(ErrorReason(r.body), "BACKEND_UNAVAILABLE");
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));  // well inside the 5 s deadline
  EXPECT_FALSE(absl::StrContains(r.body, "127.0.0.1"));  // no internal addresses
  r = http_->Get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(absl::StrContains(r.body, "kaizen.enrollment.v1.EnrollmentService"));
  EXPECT_EQ(http_->Get("/healthz").status, 200);  // the gateway itself is up

  // Same port, same database: the gateway reconnects by itself (bounded
  // polling while the child process starts and the channel backs off).
  ASSERT_EQ(enrollment_->Start(port), port);
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    status = http_->Get("/v1/" + cohort).status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(http_->Get("/readyz").status, 200);
}

}  // namespace
}  // namespace kaizen::gateway

// FetchBundle against an in-process fake gateway (the four services on
// 127.0.0.1:0): the whole feed is read across short pages until the cursor
// stops moving, the API key arrives on every call, `bundle` is set, only the
// municipality's consenting people are read and only in their categories,
// results are cut to the period, a NOT_SHARED_WITH_PARTNER category is
// skipped, and any other error fails the fetch with the remote code.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tools/bundle/fake_gateway.h"
#include "tools/bundle/fetch.h"
#include "tools/bundle/test_fixture.h"

namespace kaizen::bundle {
namespace fetch_test {

constexpr char kKey[] = "partner-key-242047";  // testing::kFakeApiKey
constexpr char kBundle[] = "242047-test";
constexpr char kHanako[] = "cohorts/fy2022/participants/hanako";
constexpr char kTaro[] = "cohorts/fy2022/participants/taro";

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(gateway_.Start().ok());
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", gateway_.port()),
                                   grpc::InsecureChannelCredentials());
    options_.api_key = kKey;
    options_.municipality_code = "242047";
    options_.period = {absl::CivilDay(2022, 4, 1), absl::CivilDay(2022, 9, 30)};
    options_.bundle_id = kBundle;
    options_.create_time = absl::FromUnixSeconds(1656633600);
    options_.page_size = 2;
  }

  testing::FakeGateway gateway_;
  std::shared_ptr<grpc::Channel> channel_;
  FetchOptions options_;
};

TEST_F(FetchTest, ReadsTheWholeFeedThenEachConsentedCategory) {
  absl::StatusOr<BundleData> data = FetchBundle(channel_, options_);
  ASSERT_TRUE(data.ok()) << data.status();
  std::string key = absl::StrCat(" key=", kKey);
  std::string bundle = absl::StrCat(" bundle=", kBundle);
  std::vector<std::string> want = {
      // Pages: 2 changes, 1 (short), then the cursor stays.
      absl::StrCat("ListChanges ", key, " bundle="),
      absl::StrCat("ListChanges c2", key, " bundle="),
      absl::StrCat("ListChanges c3", key, " bundle="),
      // Only 242047's consenting people, only their categories, by name.
      absl::StrCat("GetSharedAttendance ", kHanako, key, bundle),
      absl::StrCat("GetSharedPlanStages ", kHanako, key, bundle),
      absl::StrCat("GetSharedSurveyProfile ", kHanako, key, bundle),
      absl::StrCat("GetSharedAttendance ", kTaro, key, bundle),
  };
  EXPECT_EQ(gateway_.calls(), want);
  EXPECT_EQ(data->municipality_name, "松阪市");
  EXPECT_EQ(data->skipped_categories, 1);  // taro's attendance, denied
  ASSERT_EQ(data->people.size(), 1u);      // taro has nothing left
  const PersonResults& h = data->people[0];
  EXPECT_EQ(h.person.participant, kHanako);
  // Cut to 2022-04-01..2022-09-30: m1 and m2, not m0; the two INTERIMs,
  // not FINAL; the pre wave only.
  ASSERT_TRUE(h.attendance && h.plans && h.survey);
  EXPECT_EQ(h.attendance->meetings_size(), 2);
  EXPECT_EQ(h.attendance->meetings(0).title(), "第1回 キックオフ");  // no bidi override
  EXPECT_EQ(h.plans->plans_size(), 1);  // the team plan's INTERIM is in October
  EXPECT_EQ(h.plans->plans(0).stages_size(), 1);
  EXPECT_EQ(h.survey->waves_size(), 1);
}

TEST_F(FetchTest, AFeedWithAnotherMunicipalityFailsBeforeAnyPersonalRead) {
  gateway_.set_foreign_entry(true);
  absl::StatusOr<BundleData> data = FetchBundle(channel_, options_);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(errors::Reason(data.status()), "MUNICIPALITY_MISMATCH");
  EXPECT_NE(data.status().message().find("242012"), absl::string_view::npos);
  for (const std::string& call : gateway_.calls()) {
    EXPECT_EQ(call.rfind("ListChanges", 0), 0u) << call;
  }
}

TEST_F(FetchTest, PeopleWithNothingInThePeriodArePulledButLeftOut) {
  options_.period = {absl::CivilDay(2030, 4, 1), absl::CivilDay(2031, 3, 31)};
  absl::StatusOr<BundleData> data = FetchBundle(channel_, options_);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_TRUE(data->people.empty());
  EXPECT_EQ(data->people_without_results, 1);  // hanako (taro was denied)
  // The GetShared* routes have no period: the pulls happened (and are
  // recorded as provisions on the server) all the same.
  EXPECT_EQ(gateway_.calls().size(), 3u + 4u);
}

TEST(Loopback, OnlyTargetsOnThisMachine) {
  for (const char* local : {"localhost:9090", "LOCALHOST:1", "127.0.0.1:9090", "127.1.2.3:1",
                            "[::1]:9090", "dns:///localhost:9090", "ipv4:127.0.0.1:9090",
                            "unix:/run/kaizen.sock"}) {
    EXPECT_TRUE(IsLoopbackTarget(local)) << local;
  }
  for (const char* remote : {"10.0.0.5:9090", "gateway.example.jp:443", "[2001:db8::1]:9090",
                             "localhost.example.jp:1", "128.0.0.1:9090", "dns:///kaizen:9090",
                             "0.0.0.0:9090", ""}) {
    EXPECT_FALSE(IsLoopbackTarget(remote)) << remote;
  }
}

TEST_F(FetchTest, AnyOtherErrorFailsWithTheRemoteCode) {
  gateway_.set_survey_fails(true);
  absl::StatusOr<BundleData> data = FetchBundle(channel_, options_);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(data.status()), "GATEWAY_ERROR");
  EXPECT_NE(data.status().message().find("GetSharedSurveyProfile"), absl::string_view::npos);
  EXPECT_NE(data.status().message().find("ENROLLMENT_UNAVAILABLE"), absl::string_view::npos);
}

TEST_F(FetchTest, AWrongKeyFailsBeforeAnyPersonalRead) {
  options_.api_key = "someone-elses-key";
  absl::StatusOr<BundleData> data = FetchBundle(channel_, options_);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(gateway_.calls().size(), 1u);  // the first ListChanges only
}

TEST_F(FetchTest, AnUnreachableGatewayFails) {
  gateway_.Shutdown();
  options_.call_timeout = absl::Seconds(5);
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", gateway_.port()),
                                     grpc::InsecureChannelCredentials());
  absl::StatusOr<BundleData> data = FetchBundle(channel, options_);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(errors::Reason(data.status()), "GATEWAY_ERROR");
}

}  // namespace
}  // namespace kaizen::bundle

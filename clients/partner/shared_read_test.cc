// The gate every service puts in front of a partner read (shared_read.h).
#include "clients/partner/shared_read.h"

#include <string>
#include <vector>

#include "clients/enrollment/fake_roster_source.h"
#include "clients/partner/fake_provision_recorder.h"
#include "clients/partner/partner_client_errors.h"
#include "common/status/errors.h"
#include "common/testing/principals.h"
#include "gtest/gtest.h"

namespace kaizen::partner_client {
namespace shared_read_test {

using ::kaizen::enrollment::v1::Participant;
using ::kaizen::type::SHARE_ACTION_PLAN;
using ::kaizen::type::SHARE_ATTENDANCE;
using ::kaizen::type::SHARE_SURVEY_PROFILE;

constexpr char kMatsusaka[] = "242047";
constexpr char kTsu[] = "242012";
constexpr char kHanako[] = "cohorts/fy2022/participants/p1";  // 松阪市, shares attendance
constexpr char kTaro[] = "cohorts/fy2022/participants/p2";    // 松阪市, shares nothing
constexpr char kJiro[] = "cohorts/fy2022/participants/p3";    // 津市, shares everything
constexpr char kNavigator[] = "cohorts/fy2022/participants/s1";

class SharedReadTest : public ::testing::Test {
 protected:
  SharedReadTest() : gate_(&roster_, &recorder_) {
    enrollment_client::Roster roster;
    roster.set_cohort("cohorts/fy2022");
    auto add = [&](const char* name, const char* subject, const char* code,
                   Participant::Role role, bool attendance, bool plan, bool profile) {
      auto* e = roster.add_entries();
      e->set_participant(name);
      e->set_display_name("まつさか はなこ");
      e->set_subject(subject);
      e->set_municipality_code(code);
      e->set_role(role);
      e->mutable_consent()->set_share_attendance(attendance);
      e->mutable_consent()->set_share_action_plan(plan);
      e->mutable_consent()->set_share_survey_profile(profile);
    };
    add(kHanako, "acct-hanako", kMatsusaka, Participant::PARTICIPANT, true, false, false);
    add(kTaro, "acct-taro", kMatsusaka, Participant::PARTICIPANT, false, false, false);
    add(kJiro, "acct-jiro", kTsu, Participant::PARTICIPANT, true, true, true);
    // Staff share everything here on purpose: staff are never served.
    add(kNavigator, "acct-nav", kMatsusaka, Participant::NAVIGATOR, true, true, true);
    roster_.SetRoster(roster);
  }

  absl::StatusOr<SharedReader> Authorise(const kaizen::type::Principal& caller,
                                         const std::string& participant,
                                         kaizen::type::ShareCategory category,
                                         const std::string& bundle = "") {
    auto request = ParseSharedRead(participant, bundle);
    if (!request.ok()) return request.status();
    return gate_.Authorise(caller, *request, category);
  }

  enrollment_client::FakeRosterSource roster_;
  FakeProvisionRecorder recorder_;
  SharedReadGate gate_;
};

TEST_F(SharedReadTest, PartnerReadsItsOwnConsentingStaffAndRecordsTheProvision) {
  auto reader = Authorise(testkit::PartnerHr(kMatsusaka), kHanako, SHARE_ATTENDANCE, "b-2023.1");
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE(reader->is_partner);
  ASSERT_NE(reader->entry, nullptr);
  EXPECT_EQ(reader->entry->participant(), kHanako);
  EXPECT_TRUE(recorder_.requests().empty()) << "nothing is recorded before the read";

  ASSERT_TRUE(gate_.Record(*reader, {"attendance.meetings", "attendance.rate"},
                           "/kaizen.scheduling.v1.SchedulingService/GetSharedAttendance")
                  .ok());
  auto requests = recorder_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.recipient().municipality_code(), kMatsusaka);
  EXPECT_EQ(r.recipient().subject(), "hr-242047");
  ASSERT_EQ(r.items_size(), 1);
  EXPECT_EQ(r.items(0).participant(), kHanako);
  EXPECT_EQ(r.items(0).category(), SHARE_ATTENDANCE);
  ASSERT_EQ(r.items(0).data_items_size(), 2);
  EXPECT_EQ(r.items(0).data_items(1), "attendance.rate");
  EXPECT_EQ(r.method(), "/kaizen.scheduling.v1.SchedulingService/GetSharedAttendance");
  EXPECT_EQ(r.bundle(), "b-2023.1");
}

TEST_F(SharedReadTest, PartnerGetsOneAnswerForEverythingItMayNotSee) {
  const auto partner = testkit::PartnerHr(kMatsusaka);
  struct Case { std::string participant; kaizen::type::ShareCategory category; } cases[] = {
      {kHanako, SHARE_ACTION_PLAN},                       // no consent for this category
      {kTaro, SHARE_ATTENDANCE},                          // consents to nothing
      {kJiro, SHARE_ATTENDANCE},                          // another town, consenting
      {kNavigator, SHARE_ATTENDANCE},                     // staff, not a participant
      {"cohorts/fy2022/participants/nobody", SHARE_ATTENDANCE},
      {"cohorts/no-such-cohort/participants/p1", SHARE_ATTENDANCE},
  };
  for (const Case& c : cases) {
    auto reader = Authorise(partner, c.participant, c.category);
    ASSERT_FALSE(reader.ok()) << c.participant;
    EXPECT_EQ(reader.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(errors::Reason(reader.status()), kNotSharedWithPartner) << c.participant;
    EXPECT_EQ(reader.status().message(), NotSharedWithPartner().message());
  }
  // The other town's key sees its own consenting person.
  EXPECT_TRUE(Authorise(testkit::PartnerHr(kTsu), kJiro, SHARE_SURVEY_PROFILE).ok());
  // A partner principal without a municipality sees nobody.
  auto no_town = testkit::PartnerHr(kMatsusaka);
  no_town.clear_municipality_code();
  EXPECT_EQ(errors::Reason(Authorise(no_town, kHanako, SHARE_ATTENDANCE).status()),
            kNotSharedWithPartner);
}

TEST_F(SharedReadTest, RevocationAfterTheRosterWasReadRefusesAtRecord) {
  auto reader = Authorise(testkit::PartnerHr(kMatsusaka), kHanako, SHARE_ATTENDANCE);
  ASSERT_TRUE(reader.ok());
  recorder_.Refuse(kHanako, SHARE_ATTENDANCE);  // enrollment's transaction sees the revocation
  absl::Status recorded = gate_.Record(*reader, {"attendance.rate"}, "/m");
  EXPECT_EQ(errors::Reason(recorded), kNotSharedWithPartner);
}

// A team plan is about every owner: one request, one item per person (the
// reader's person first, each once), and one refusal refuses the answer.
TEST_F(SharedReadTest, TheOtherPeopleTheDataIsAboutAreItemsOfTheSameRequest) {
  auto reader = Authorise(testkit::PartnerHr(kMatsusaka), kHanako, SHARE_ATTENDANCE, "b-1");
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_TRUE(gate_.Record(*reader, {"plan.stage_versions", "plan.title"}, "/m",
                           {kTaro, kHanako, kTaro})
                  .ok());
  auto requests = recorder_.requests();
  ASSERT_EQ(requests.size(), 1u);
  ASSERT_EQ(requests[0].items_size(), 2);
  EXPECT_EQ(requests[0].items(0).participant(), kHanako);
  EXPECT_EQ(requests[0].items(1).participant(), kTaro);
  for (const auto& item : requests[0].items()) {
    EXPECT_EQ(item.category(), SHARE_ATTENDANCE);
    ASSERT_EQ(item.data_items_size(), 2);
    EXPECT_EQ(item.data_items(1), "plan.title");
  }
  EXPECT_EQ(requests[0].bundle(), "b-1");

  recorder_.Refuse(kTaro, SHARE_ATTENDANCE);  // a co-owner revoked since the roster read
  EXPECT_EQ(errors::Reason(gate_.Record(*reader, {"plan.title"}, "/m", {kTaro})),
            kNotSharedWithPartner);
  // Without them the person's own data is still recorded and provided.
  EXPECT_TRUE(gate_.Record(*reader, {"plan.title"}, "/m").ok());
}

TEST_F(SharedReadTest, MoreThanAHundredPeopleGoInRequestsOfAHundred) {
  auto reader = Authorise(testkit::PartnerHr(kMatsusaka), kHanako, SHARE_ATTENDANCE);
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<std::string> others;
  for (int i = 0; i < 150; ++i) others.push_back("cohorts/fy2022/participants/x" + std::to_string(i));
  ASSERT_TRUE(gate_.Record(*reader, {"plan.title"}, "/m", others).ok());
  auto requests = recorder_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].items_size(), 100);
  EXPECT_EQ(requests[1].items_size(), 51);
  EXPECT_EQ(requests[0].items(0).participant(), kHanako);
}

TEST_F(SharedReadTest, EnrollmentDownMeansNothingIsProvided) {
  auto reader = Authorise(testkit::PartnerHr(kMatsusaka), kHanako, SHARE_ATTENDANCE);
  ASSERT_TRUE(reader.ok());
  recorder_.SetUnavailable(true);
  absl::Status recorded = gate_.Record(*reader, {"attendance.rate"}, "/m");
  EXPECT_EQ(recorded.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(recorded), "ENROLLMENT_UNAVAILABLE");

  roster_.SetUnavailable(true);
  auto refused = Authorise(testkit::PartnerHr(kMatsusaka), kHanako, SHARE_ATTENDANCE);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(SharedReadTest, SecretariatAndThePersonReadWithoutARecord) {
  auto secretariat = Authorise(testkit::Secretariat(), kTaro, SHARE_SURVEY_PROFILE);
  ASSERT_TRUE(secretariat.ok()) << secretariat.status();
  EXPECT_FALSE(secretariat->is_partner);
  EXPECT_TRUE(gate_.Record(*secretariat, {"survey.profile"}, "/m").ok());

  auto self = Authorise(testkit::User("acct-taro"), kTaro, SHARE_ACTION_PLAN);
  ASSERT_TRUE(self.ok()) << self.status();
  EXPECT_TRUE(gate_.Record(*self, {"plan.stage_versions"}, "/m").ok());
  EXPECT_TRUE(recorder_.requests().empty());

  auto unknown = Authorise(testkit::Secretariat(), "cohorts/fy2022/participants/zz",
                           SHARE_ATTENDANCE);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SharedReadTest, EveryoneElseIsRefusedAlike) {
  const kaizen::type::Principal others[] = {
      testkit::User("acct-hanako"),  // a cohort mate
      testkit::User("acct-nav", kaizen::type::ROLE_NAVIGATOR),
      testkit::User("stranger"),
      testkit::Anonymous(),
      testkit::Service("plans"),
      testkit::Service("enrollment"),
  };
  for (const auto& caller : others) {
    auto reader = Authorise(caller, kTaro, SHARE_ATTENDANCE);
    ASSERT_FALSE(reader.ok()) << caller.subject();
    EXPECT_EQ(errors::Reason(reader.status()), kOwnResultsOnly) << caller.subject();
  }
  // An unknown cohort answers the same to a stranger.
  EXPECT_EQ(errors::Reason(Authorise(testkit::User("stranger"),
                                     "cohorts/nope/participants/p1", SHARE_ATTENDANCE)
                               .status()),
            kOwnResultsOnly);
}

TEST_F(SharedReadTest, NamesAndBundleIdsAreChecked) {
  auto bad_name = ParseSharedRead("cohorts/fy2022/plans/p1", "");
  EXPECT_EQ(bad_name.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(bad_name.status()), "INVALID_NAME");
  for (const char* bundle : {"has space", "スラッシュ", "a/b",
                             "12345678901234567890123456789012345678901234567890123456789012345"}) {
    auto bad = ParseSharedRead(kHanako, bundle);
    ASSERT_FALSE(bad.ok()) << bundle;
    EXPECT_EQ(errors::GetBadRequest(bad.status())->field_violations(0).field(), "bundle");
  }
  EXPECT_TRUE(ParseSharedRead(kHanako, "242047_2023-04.v1").ok());
}

}  // namespace
}  // namespace kaizen::partner_client

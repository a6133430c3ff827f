// GrpcMeetingSource against a tiny in-process SchedulingService on port 0
// (the shared fixture, common/testing/grpc_fixture.h): the principal it
// attaches, the deadline, and the error mapping.
#include "clients/scheduling/grpc_meeting_source.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "clients/scheduling/scheduling_client_errors.h"
#include "common/server/principal_context.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "common/testing/grpc_fixture.h"
#include "common/testing/principals.h"
#include "common/util/proto_time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace kaizen::scheduling_client {
namespace grpc_meeting_source_test {

namespace sv1 = ::kaizen::scheduling::v1;
using ::kaizen::type::Principal;

// 2022-12-18 09:00 JST.
const absl::Time kSixth = absl::FromUnixSeconds(1671321600);

// Answers by cohort, for both reads: "cohorts/ok" has m6 (confirmed) and m7
// (unscheduled) and no other meeting (NOT_FOUND); "cohorts/down" is
// UNAVAILABLE, "cohorts/denied" PERMISSION_DENIED, "cohorts/bad"
// INVALID_ARGUMENT, "cohorts/slow" waits until released. Callers are
// verified as the real services verify them (server::Handle), so a principal
// signed with another secret is UNAUTHENTICATED.
class FakeScheduling final : public sv1::SchedulingService::Service {
 public:
  explicit FakeScheduling(const auth::PrincipalSigner* signer) : signer_(signer) {}

  grpc::Status GetMeeting(grpc::ServerContext* context, const sv1::GetMeetingRequest* request,
                          sv1::Meeting* response) override {
    return server::Handle(context, *signer_, [&](const Principal& caller) -> absl::Status {
      Record(caller);
      const std::string& name = request->name();
      RETURN_IF_ERROR(Misbehave(name));
      for (const sv1::Meeting& m : Meetings()) {
        if (m.name() == name) {
          *response = m;
          return absl::OkStatus();
        }
      }
      return errors::NotFound("Meeting", name);
    });
  }

  grpc::Status ListMeetings(grpc::ServerContext* context,
                            const sv1::ListMeetingsRequest* request,
                            sv1::ListMeetingsResponse* response) override {
    return server::Handle(context, *signer_, [&](const Principal& caller) -> absl::Status {
      Record(caller);
      RETURN_IF_ERROR(Misbehave(request->parent()));
      if (request->parent() == "cohorts/ok") {
        for (const sv1::Meeting& m : Meetings()) *response->add_meetings() = m;
      }
      // One meeting per page, as a server paging a long list would; and a
      // server that never ends its list.
      if (request->parent() == "cohorts/paged") {
        const auto all = Meetings();
        const size_t i = request->page_token().empty() ? 0 : 1;
        *response->add_meetings() = all[i];
        if (i + 1 < all.size()) response->set_next_page_token("second");
      }
      if (request->parent() == "cohorts/endless") response->set_next_page_token("again");
      {
        absl::MutexLock lock(&mu_);
        page_sizes_.push_back(request->page_size());
      }
      return absl::OkStatus();
    });
  }

  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }
  Principal last_principal() {
    absl::MutexLock lock(&mu_);
    return last_principal_;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  std::vector<int> page_sizes() {
    absl::MutexLock lock(&mu_);
    return page_sizes_;
  }

 private:
  static std::vector<sv1::Meeting> Meetings() {
    sv1::Meeting six;
    six.set_name("cohorts/ok/meetings/m6");
    six.set_sequence(6);
    six.set_state(sv1::Meeting::CONFIRMED);
    *six.mutable_start_time() = ToProtoTimestamp(kSixth);
    sv1::Meeting seven;
    seven.set_name("cohorts/ok/meetings/m7");
    seven.set_sequence(7);
    seven.set_state(sv1::Meeting::UNSCHEDULED);
    return {six, seven};
  }

  // The failure a name's cohort asks for, or OK.
  absl::Status Misbehave(const std::string& name) {
    if (absl::StartsWith(name, "cohorts/down")) return absl::UnavailableError("down");
    if (absl::StartsWith(name, "cohorts/denied")) {
      return absl::PermissionDeniedError("internal detail");
    }
    if (absl::StartsWith(name, "cohorts/bad")) return absl::InvalidArgumentError("bad name");
    if (absl::StartsWith(name, "cohorts/slow")) release_.WaitForNotification();
    return absl::OkStatus();
  }

  void Record(const Principal& caller) {
    absl::MutexLock lock(&mu_);
    last_principal_ = caller;
    ++calls_;
  }

  const auth::PrincipalSigner* signer_;
  absl::Notification release_;
  absl::Mutex mu_;
  Principal last_principal_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<int> page_sizes_ ABSL_GUARDED_BY(mu_);
};

class GrpcMeetingSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        server_.Start("scheduling", {{sv1::SchedulingService::service_full_name(), &service_}})
            .ok());
    ASSERT_GT(server_.port(), 0);
    // A generous deadline (never reached unless something hangs): a short
    // one failed a NOT_FOUND read as UNAVAILABLE on a loaded CI machine.
    // The deadline test makes its own short-deadline source.
    source_ = std::make_unique<GrpcMeetingSource>(server_.channel(), &server_.signer(), "plans",
                                                  absl::Seconds(30));
  }
  void TearDown() override { service_.Release(); }

  // The service must outlive the server (declared first, destroyed last).
  auth::PrincipalSigner service_signer_{testkit::kInternalSecret};
  FakeScheduling service_{&service_signer_};
  testkit::InProcessGrpcServer server_;
  std::unique_ptr<GrpcMeetingSource> source_;
};

TEST_F(GrpcMeetingSourceTest, CallsAsTheNamedServicePrincipal) {
  auto meeting = source_->GetMeeting("cohorts/ok/meetings/m6");
  ASSERT_TRUE(meeting.ok()) << meeting.status();
  EXPECT_EQ(meeting->sequence(), 6);
  EXPECT_EQ(FromProtoTimestamp(meeting->start_time()), kSixth);
  const Principal caller = service_.last_principal();
  EXPECT_EQ(caller.subject(), "plans");
  ASSERT_EQ(caller.roles_size(), 1);
  EXPECT_EQ(caller.roles(0), kaizen::type::ROLE_SERVICE);
  EXPECT_EQ(caller.SerializeAsString(), testkit::Service("plans").SerializeAsString());
}

TEST_F(GrpcMeetingSourceTest, ListsMeetingsAndAnswersMeetingStart) {
  auto list = source_->ListMeetings("cohorts/ok");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].state(), sv1::Meeting::UNSCHEDULED);
  EXPECT_EQ(service_.last_principal().subject(), "plans");

  auto six = MeetingStart(*source_, "cohorts/ok", 6);
  ASSERT_TRUE(six.ok()) << six.status();
  ASSERT_TRUE(six->has_value());
  EXPECT_EQ(**six, kSixth);
  auto seven = MeetingStart(*source_, "cohorts/ok", 7);
  ASSERT_TRUE(seven.ok()) << seven.status();
  EXPECT_FALSE(seven->has_value());
  EXPECT_EQ(MeetingStart(*source_, "cohorts/ok", 8).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(GrpcMeetingSourceTest, ReadsEveryPageOfAList) {
  auto list = source_->ListMeetings("cohorts/paged");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].sequence(), 6);
  EXPECT_EQ((*list)[1].state(), sv1::Meeting::UNSCHEDULED);
  EXPECT_EQ(service_.page_sizes(), (std::vector<int>{GrpcMeetingSource::kListPageSize,
                                                      GrpcMeetingSource::kListPageSize}));
  auto endless = source_->ListMeetings("cohorts/endless");
  EXPECT_EQ(endless.status().code(), absl::StatusCode::kInternal);
}

TEST_F(GrpcMeetingSourceTest, NotFoundPassesThroughWithItsDetails) {
  auto meeting = source_->GetMeeting("cohorts/ok/meetings/m9");
  EXPECT_EQ(meeting.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(errors::Reason(meeting.status()), "NOT_FOUND");
  auto info = errors::GetResourceInfo(meeting.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->resource_name(), "cohorts/ok/meetings/m9");
}

TEST_F(GrpcMeetingSourceTest, UnavailableBecomesSchedulingUnavailable) {
  auto meeting = source_->GetMeeting("cohorts/down/meetings/m6");
  EXPECT_EQ(meeting.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(meeting.status()), kSchedulingUnavailable);
  EXPECT_EQ(meeting.status().message(),
            "the scheduling service cannot be reached; try again shortly");
  auto list = source_->ListMeetings("cohorts/down");
  EXPECT_EQ(errors::Reason(list.status()), kSchedulingUnavailable);
}

TEST_F(GrpcMeetingSourceTest, DeadlineBecomesSchedulingUnavailable) {
  // "cohorts/slow" answers only when released, after the call: the deadline
  // always passes first, however loaded the machine.
  GrpcMeetingSource impatient(server_.channel(), &server_.signer(), "plans",
                              absl::Milliseconds(300));
  auto list = impatient.ListMeetings("cohorts/slow");
  service_.Release();
  EXPECT_EQ(list.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(list.status()), kSchedulingUnavailable);
}

TEST_F(GrpcMeetingSourceTest, OtherErrorsAreInternalAndSayNothingMore) {
  for (const std::string cohort : {"cohorts/denied", "cohorts/bad"}) {
    auto list = source_->ListMeetings(cohort);
    EXPECT_EQ(list.status().code(), absl::StatusCode::kInternal) << cohort;
    EXPECT_EQ(list.status().message(), "the meetings could not be read") << cohort;
    auto meeting = source_->GetMeeting(cohort + "/meetings/m6");
    EXPECT_EQ(meeting.status().code(), absl::StatusCode::kInternal) << cohort;
    EXPECT_EQ(meeting.status().message(), "the meetings could not be read") << cohort;
  }
}

TEST_F(GrpcMeetingSourceTest, AWrongSecretIsInternal) {
  // Scheduling answers UNAUTHENTICATED: our configuration, not the caller's.
  auth::PrincipalSigner other("another-secret-0123456789abcdefghij");
  GrpcMeetingSource source(server_.channel(), &other, "plans", absl::Seconds(30));
  auto list = source.ListMeetings("cohorts/ok");
  EXPECT_EQ(list.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(list.status().message(), "the meetings could not be read");
  EXPECT_EQ(service_.calls(), 0);
}

TEST(GrpcMeetingSourceNoServerTest, NothingListeningIsSchedulingUnavailable) {
  // A port that was bound a moment ago and is now closed.
  std::string address;
  {
    auth::PrincipalSigner signer{testkit::kInternalSecret};
    FakeScheduling service(&signer);
    testkit::InProcessGrpcServer server;
    ASSERT_TRUE(
        server.Start("scheduling", {{sv1::SchedulingService::service_full_name(), &service}})
            .ok());
    address = server.address();
  }
  auth::PrincipalSigner signer{testkit::kInternalSecret};
  GrpcMeetingSource source(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
                           &signer, "plans", absl::Milliseconds(300));
  auto meeting = source.GetMeeting("cohorts/ok/meetings/m6");
  EXPECT_EQ(meeting.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(meeting.status()), kSchedulingUnavailable);
  auto start = MeetingStart(source, "cohorts/ok", 6);
  EXPECT_EQ(errors::Reason(start.status()), kSchedulingUnavailable);
}

}  // namespace
}  // namespace kaizen::scheduling_client

// The merged partner feed through real servers and stubs: the enrollment
// server, and a small scheduling server whose ListResultChanges reads a
// real result-change log (SQLite, clients/partner/result_changes_contract.h)
// and checks the caller is the enrollment service. Enrollment reads it
// with the production GrpcResultChangeSource, as main.cc wires it.
#include <memory>
#include <string>
#include <utility>

#include "SQLiteCpp/Database.h"
#include "absl/synchronization/mutex.h"
#include "clients/partner/grpc_result_change_source.h"
#include "clients/partner/result_changes_contract.h"
#include "common/server/principal_context.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "kaizen/scheduling/v1/scheduling.grpc.pb.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/grpc_service.h"

namespace kaizen::enrollment {
namespace result_feed_server_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT
using ::kaizen::partner_client::GrpcResultChangeSource;

// Scheduling's ListResultChanges and nothing else (every other RPC answers
// UNIMPLEMENTED), over a real log table.
class ResultLogService final : public kaizen::scheduling::v1::SchedulingService::Service {
 public:
  explicit ResultLogService(const auth::PrincipalSigner* signer)
      : signer_(signer), db_(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
    db_.exec(std::string(partner_client::kResultChangesSchema));
  }

  void Append(const std::string& participant, kaizen::type::ShareCategory category,
              absl::Time time) {
    absl::MutexLock lock(&mu_);
    partner_client::AppendResultChange(db_, "fy2022", participant, category, time);
  }

  grpc::Status ListResultChanges(grpc::ServerContext* context,
                                 const kaizen::type::ListResultChangesRequest* request,
                                 kaizen::type::ListResultChangesResponse* response) override {
    return server::Handle(context, *signer_, [&](const Principal& caller) -> absl::Status {
      if (absl::Status s = partner_client::RequireEnrollmentReader(caller); !s.ok()) return s;
      auto query = partner_client::ParseListResultChanges(*request);
      if (!query.ok()) return query.status();
      absl::MutexLock lock(&mu_);
      *response = partner_client::ListResultChanges(db_, *query);
      return absl::OkStatus();
    });
  }

 private:
  const auth::PrincipalSigner* signer_;
  absl::Mutex mu_;
  SQLite::Database db_ ABSL_GUARDED_BY(mu_);
};

class ResultFeedServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scheduling_service_ = std::make_unique<ResultLogService>(&scheduling_.signer());
    ASSERT_TRUE(scheduling_
                    .Start("scheduling", {{kaizen::scheduling::v1::SchedulingService::
                                               service_full_name(),
                                           scheduling_service_.get()}})
                    .ok());
    source_ = std::make_unique<GrpcResultChangeSource>(
        "scheduling", std::string(partner_client::kSchedulingResultChangesMethod),
        scheduling_.channel(), &enrollment_.signer(), absl::Seconds(10));
    // Plans is configured but nothing listens there: its calls fail fast
    // (connection refused) or at the deadline.
    dead_plans_ = std::make_unique<GrpcResultChangeSource>(
        "plans", std::string(partner_client::kPlansResultChangesMethod),
        grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()),
        &enrollment_.signer(), absl::Milliseconds(300));

    storage::DatabaseOptions db;
    auto store = EnrollmentStore::Open(db);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    clock_.Set(June1());
    EnrollmentConfig config{"page-key-0123456789", "access-key-0123456789",
                            "claim-key-0123456789"};
    config.require_email_confirmation = false;  // other rules (enrollment_test_util.h)
    config.result_change_sources = {source_.get(), dead_plans_.get()};
    domain_ = std::make_unique<Enrollment>(store_.get(), &clock_, std::move(config));
    service_ = std::make_unique<EnrollmentGrpcService>(domain_.get(), &enrollment_.signer());
    ASSERT_TRUE(enrollment_
                    .Start("enrollment",
                           {{v1::EnrollmentService::service_full_name(), service_.get()}})
                    .ok());
    stub_ = v1::EnrollmentService::NewStub(enrollment_.channel());
  }

  std::string OpenCohortAndJoin(const std::string& town) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.set_cohort_id("fy2022");
    auto cohort = domain_->CreateCohort(Secretariat(), create);
    EXPECT_TRUE(cohort.ok()) << cohort.status();
    v1::TransitionCohortRequest open;
    open.set_name(cohort->name());
    open.set_state(v1::Cohort::OPEN);
    EXPECT_TRUE(domain_->TransitionCohort(Secretariat(), open).ok());
    auto app = domain_->CreateApplication(Anonymous(), Apply(cohort->name(), 1, town));
    EXPECT_TRUE(app.ok()) << app.status();
    return app->participants(0);  // shares attendance (Person)
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<ResultLogService> scheduling_service_;
  std::unique_ptr<GrpcResultChangeSource> source_;
  std::unique_ptr<GrpcResultChangeSource> dead_plans_;
  std::unique_ptr<Enrollment> domain_;
  std::unique_ptr<EnrollmentGrpcService> service_;
  testkit::InProcessGrpcServer scheduling_;
  testkit::InProcessGrpcServer enrollment_;  // stops before the services go
  std::unique_ptr<v1::EnrollmentService::Stub> stub_;
};

TEST_F(ResultFeedServerTest, PartnerReadsMergedFeedOverGrpc) {
  const std::string mine = OpenCohortAndJoin(kTowns[2]);
  scheduling_service_->Append(mine, kaizen::type::SHARE_ATTENDANCE, June1());
  scheduling_service_->Append("cohorts/fy2022/participants/someone-else",
                              kaizen::type::SHARE_ATTENDANCE, June1());

  v1::ListChangesRequest request;
  v1::ListChangesResponse page;
  grpc::Status s = stub_->ListChanges(enrollment_.As(PartnerHr(kTowns[2])).get(), request, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(page.changes_size(), 2);
  EXPECT_EQ(page.changes(0).kind(), v1::Change::UPSERTED);
  EXPECT_EQ(page.changes(1).kind(), v1::Change::RESULT_CHANGED);
  EXPECT_EQ(page.changes(1).category(), kaizen::type::SHARE_ATTENDANCE);
  EXPECT_EQ(page.changes(1).participant(), mine);
  // The dead plans service is named; scheduling's position moved past both
  // of its rows (the stranger's consumed, not shown).
  ASSERT_EQ(page.unavailable_sources_size(), 1);
  EXPECT_EQ(page.unavailable_sources(0), "plans");

  request.set_cursor(page.next_cursor());
  v1::ListChangesResponse next;
  s = stub_->ListChanges(enrollment_.As(PartnerHr(kTowns[2])).get(), request, &next);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(next.changes_size(), 0);
  EXPECT_EQ(next.next_cursor(), page.next_cursor());
}

TEST_F(ResultFeedServerTest, SourceMapsServiceErrors) {
  // Through the real channel: only the enrollment service may list.
  auto listed = source_->List(0, 10);
  ASSERT_TRUE(listed.ok()) << listed.status();
  auth::PrincipalSigner forger("a-different-internal-secret-0123456789");
  GrpcResultChangeSource forged("scheduling",
                                std::string(partner_client::kSchedulingResultChangesMethod),
                                scheduling_.channel(), &forger, absl::Seconds(10));
  auto refused = forged.List(0, 10);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(errors::Reason(refused.status()), "RESULT_SOURCE_FAILED");
  EXPECT_EQ(errors::GetErrorInfo(refused.status())->metadata().at("source_reason"),
            "INTERNAL_CREDENTIAL_INVALID");
  auto bad = source_->List(-1, 10);
  EXPECT_EQ(errors::GetErrorInfo(bad.status())->metadata().at("source_reason"), "INVALID_FIELD");
  auto down = dead_plans_->List(0, 10);
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(down.status()), "RESULT_SOURCE_UNAVAILABLE");
}

}  // namespace
}  // namespace kaizen::enrollment

#include "tools/bundle/fake_gateway.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "kaizen/plans/v1/plans.grpc.pb.h"
#include "kaizen/scheduling/v1/scheduling.grpc.pb.h"
#include "kaizen/survey/v1/survey.grpc.pb.h"
#include "tools/bundle/test_fixture.h"

namespace kaizen::bundle::testing {
namespace {

namespace ev1 = enrollment::v1;
namespace pv1 = plans::v1;
namespace sv1 = scheduling::v1;
namespace yv1 = survey::v1;

constexpr char kHanako[] = "cohorts/fy2022/participants/hanako";
constexpr char kTaro[] = "cohorts/fy2022/participants/taro";

class Log {
 public:
  // False (and the call is refused) without the right key.
  bool Add(grpc::ServerContext* ctx, const std::string& method, const std::string& who,
           const std::string& bundle) {
    auto it = ctx->client_metadata().find("x-api-key");
    std::string key = it == ctx->client_metadata().end()
                          ? "<none>"
                          : std::string(it->second.data(), it->second.size());
    absl::MutexLock l(&mu_);
    calls_.push_back(absl::StrCat(method, " ", who, " key=", key, " bundle=", bundle));
    return key == kFakeApiKey;
  }
  std::vector<std::string> calls() const {
    absl::MutexLock l(&mu_);
    return calls_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> calls_;
};

grpc::Status BadKey() {
  return ToGrpcStatus(errors::Unauthenticated("API_KEY_INVALID", "unknown API key"));
}

ev1::Change Upsert(const std::string& name, const std::string& code, bool att, bool plan,
                   bool survey) {
  ev1::Change c;
  c.set_kind(ev1::Change::UPSERTED);
  c.set_participant(name);
  c.set_municipality_code(code);
  c.set_municipality_name(code == "242047" ? "松阪市" : "津市");
  c.set_state(ev1::Participant::ACTIVE);
  c.mutable_consent()->set_share_attendance(att);
  c.mutable_consent()->set_share_action_plan(plan);
  c.mutable_consent()->set_share_survey_profile(survey);
  c.set_display_name(name == kHanako ? "松阪 花子" : "someone");
  c.set_cohort_title("2022年度 改善リーダー研修");
  return c;
}

class FakeEnrollment final : public ev1::EnrollmentService::Service {
 public:
  explicit FakeEnrollment(Log* log) : log_(log) {
    feed_ = {Upsert(kTaro, "242047", false, false, false),
             Upsert(kHanako, "242047", true, true, true),
             Upsert(kTaro, "242047", true, false, false)};
  }
  void AddForeign() {
    absl::MutexLock l(&mu_);
    feed_.push_back(Upsert("cohorts/fy2022/participants/tsu", "242012", true, true, true));
  }
  grpc::Status ListChanges(grpc::ServerContext* ctx, const ev1::ListChangesRequest* req,
                           ev1::ListChangesResponse* resp) override {
    if (!log_->Add(ctx, "ListChanges", req->cursor(), "")) return BadKey();
    absl::MutexLock l(&mu_);
    size_t at = req->cursor().empty() ? 0 : std::stoul(req->cursor().substr(1));
    size_t n = at == 2 ? 1 : 2;  // the second page is short on purpose
    for (size_t i = at; i < feed_.size() && i < at + n; ++i) *resp->add_changes() = feed_[i];
    resp->set_next_cursor(resp->changes_size() == 0
                              ? req->cursor()
                              : absl::StrCat("c", at + resp->changes_size()));
    return grpc::Status::OK;
  }

 private:
  Log* log_;
  absl::Mutex mu_;
  std::vector<ev1::Change> feed_;
};

class FakeScheduling final : public sv1::SchedulingService::Service {
 public:
  explicit FakeScheduling(Log* log) : log_(log) {}
  grpc::Status GetSharedAttendance(grpc::ServerContext* ctx,
                                   const sv1::GetSharedAttendanceRequest* req,
                                   sv1::SharedAttendance* resp) override {
    if (!log_->Add(ctx, "GetSharedAttendance", req->participant(), req->bundle())) return BadKey();
    if (req->participant() != kHanako) {
      return ToGrpcStatus(errors::PermissionDenied("NOT_SHARED_WITH_PARTNER", "not shared"));
    }
    *resp = HanakoAttendance();
    resp->mutable_meetings(1)->set_title("第1回 \xE2\x80\xAEキックオフ");
    return grpc::Status::OK;
  }

 private:
  Log* log_;
};

class FakePlans final : public pv1::PlansService::Service {
 public:
  explicit FakePlans(Log* log) : log_(log) {}
  grpc::Status GetSharedPlanStages(grpc::ServerContext* ctx,
                                   const pv1::GetSharedPlanStagesRequest* req,
                                   pv1::SharedPlanStages* resp) override {
    if (!log_->Add(ctx, "GetSharedPlanStages", req->participant(), req->bundle())) return BadKey();
    *resp = HanakoPlans();
    return grpc::Status::OK;
  }

 private:
  Log* log_;
};

class FakeSurvey final : public yv1::SurveyService::Service {
 public:
  explicit FakeSurvey(Log* log) : log_(log) {}
  grpc::Status GetSharedSurveyProfile(grpc::ServerContext* ctx,
                                      const yv1::GetSharedSurveyProfileRequest* req,
                                      yv1::SharedSurveyProfile* resp) override {
    if (!log_->Add(ctx, "GetSharedSurveyProfile", req->participant(), req->bundle())) {
      return BadKey();
    }
    if (fail) return ToGrpcStatus(errors::Unavailable("ENROLLMENT_UNAVAILABLE", "try again"));
    *resp = HanakoSurvey();
    return grpc::Status::OK;
  }
  std::atomic<bool> fail{false};

 private:
  Log* log_;
};

}  // namespace

struct FakeGateway::Impl {
  Log log;
  FakeEnrollment enrollment{&log};
  FakeScheduling scheduling{&log};
  FakePlans plans{&log};
  FakeSurvey survey{&log};
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

FakeGateway::FakeGateway() : impl_(std::make_unique<Impl>()) {}
FakeGateway::~FakeGateway() { Shutdown(); }

absl::Status FakeGateway::Start() {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &impl_->port);
  builder.RegisterService(&impl_->enrollment);
  builder.RegisterService(&impl_->scheduling);
  builder.RegisterService(&impl_->plans);
  builder.RegisterService(&impl_->survey);
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || impl_->port <= 0) return absl::InternalError("fake gateway: no port");
  return absl::OkStatus();
}

int FakeGateway::port() const { return impl_->port; }
void FakeGateway::Shutdown() {
  if (impl_->server) impl_->server->Shutdown();
}
std::vector<std::string> FakeGateway::calls() const { return impl_->log.calls(); }
void FakeGateway::set_survey_fails(bool fails) { impl_->survey.fail = fails; }
void FakeGateway::set_foreign_entry(bool foreign) {
  if (foreign) impl_->enrollment.AddForeign();
}

}  // namespace kaizen::bundle::testing

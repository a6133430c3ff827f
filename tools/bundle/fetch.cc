#include "tools/bundle/fetch.h"

#include <arpa/inet.h>

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "grpcpp/client_context.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "kaizen/plans/v1/plans.grpc.pb.h"
#include "kaizen/scheduling/v1/scheduling.grpc.pb.h"
#include "kaizen/survey/v1/survey.grpc.pb.h"
#include "tools/bundle/bundle_errors.h"

namespace kaizen::bundle {
namespace {

namespace ev1 = enrollment::v1;
namespace pv1 = plans::v1;
namespace sv1 = scheduling::v1;
namespace yv1 = survey::v1;

// The services' reason for "not shared with this partner" (the same answer
// whether the person is unknown, elsewhere or no longer consenting).
constexpr char kNotShared[] = "NOT_SHARED_WITH_PARTNER";

class Fetcher {
 public:
  Fetcher(const std::shared_ptr<grpc::Channel>& channel, const FetchOptions& options)
      : options_(options),
        enrollment_(ev1::EnrollmentService::NewStub(channel)),
        scheduling_(sv1::SchedulingService::NewStub(channel)),
        plans_(pv1::PlansService::NewStub(channel)),
        survey_(yv1::SurveyService::NewStub(channel)) {}

  absl::StatusOr<std::vector<ev1::Change>> ReadFeed() {
    std::vector<ev1::Change> changes;
    std::string cursor;
    for (int page = 0;; ++page) {
      if (page >= options_.max_pages) {
        return GatewayError(absl::FailedPreconditionError(absl::StrCat(
                                "the feed did not end within ", options_.max_pages, " pages")),
                            "ListChanges");
      }
      ev1::ListChangesRequest request;
      request.set_cursor(cursor);
      request.set_page_size(options_.page_size);
      ev1::ListChangesResponse response;
      auto context = Context();
      grpc::Status status = enrollment_->ListChanges(context.get(), request, &response);
      if (!status.ok()) return GatewayError(FromGrpcStatus(status), "ListChanges");
      for (auto& c : *response.mutable_changes()) changes.push_back(std::move(c));
      // The end is where the cursor stops moving (a page may be short).
      if (response.next_cursor() == cursor) break;
      cursor = response.next_cursor();
    }
    return changes;
  }

  // Calls one GetShared* method. OK with `*skipped` set when the service
  // answers NOT_SHARED_WITH_PARTNER; any other error is the fetch's error.
  template <typename Request, typename Response, typename Call>
  absl::Status Read(const char* method, const Person& person, Call call, Response* out,
                    bool* skipped) {
    Request request;
    request.set_participant(person.participant);
    request.set_bundle(options_.bundle_id);
    auto context = Context();
    grpc::Status status = call(context.get(), request, out);
    *skipped = false;
    if (status.ok()) return absl::OkStatus();
    absl::Status remote = FromGrpcStatus(status);
    if (remote.code() == absl::StatusCode::kPermissionDenied &&
        errors::Reason(remote) == kNotShared) {
      *skipped = true;
      return absl::OkStatus();
    }
    return GatewayError(remote, method);
  }

  absl::Status ReadPerson(PersonResults& r, int* skipped_count) {
    bool skipped = false;
    const Person& p = r.person;
    if (p.share_attendance) {
      sv1::SharedAttendance a;
      RETURN_IF_ERROR((Read<sv1::GetSharedAttendanceRequest>(
          "GetSharedAttendance", p,
          [&](grpc::ClientContext* c, const sv1::GetSharedAttendanceRequest& q,
              sv1::SharedAttendance* o) { return scheduling_->GetSharedAttendance(c, q, o); },
          &a, &skipped)));
      StripBidiControls(&a);
      if (skipped) ++*skipped_count;
      else r.attendance = AttendanceInPeriod(a, options_.period);
    }
    if (p.share_action_plan) {
      pv1::SharedPlanStages s;
      RETURN_IF_ERROR((Read<pv1::GetSharedPlanStagesRequest>(
          "GetSharedPlanStages", p,
          [&](grpc::ClientContext* c, const pv1::GetSharedPlanStagesRequest& q,
              pv1::SharedPlanStages* o) { return plans_->GetSharedPlanStages(c, q, o); },
          &s, &skipped)));
      StripBidiControls(&s);
      if (skipped) ++*skipped_count;
      else r.plans = PlanStagesInPeriod(s, options_.period);
    }
    if (p.share_survey_profile) {
      yv1::SharedSurveyProfile s;
      RETURN_IF_ERROR((Read<yv1::GetSharedSurveyProfileRequest>(
          "GetSharedSurveyProfile", p,
          [&](grpc::ClientContext* c, const yv1::GetSharedSurveyProfileRequest& q,
              yv1::SharedSurveyProfile* o) { return survey_->GetSharedSurveyProfile(c, q, o); },
          &s, &skipped)));
      StripBidiControls(&s);
      if (skipped) ++*skipped_count;
      else r.survey = SurveyInPeriod(s, options_.period);
    }
    return absl::OkStatus();
  }

 private:
  std::unique_ptr<grpc::ClientContext> Context() const {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("x-api-key", options_.api_key);
    context->set_deadline(absl::ToChronoTime(absl::Now() + options_.call_timeout));
    return context;
  }

  const FetchOptions& options_;
  std::unique_ptr<ev1::EnrollmentService::Stub> enrollment_;
  std::unique_ptr<sv1::SchedulingService::Stub> scheduling_;
  std::unique_ptr<pv1::PlansService::Stub> plans_;
  std::unique_ptr<yv1::SurveyService::Stub> survey_;
};

}  // namespace

bool IsLoopbackTarget(absl::string_view target) {
  if (absl::ConsumePrefix(&target, "unix:") || absl::ConsumePrefix(&target, "unix-abstract:")) {
    return true;  // a local socket
  }
  if (!absl::ConsumePrefix(&target, "dns:///")) {
    if (!absl::ConsumePrefix(&target, "ipv4:")) absl::ConsumePrefix(&target, "ipv6:");
  }
  std::string host;
  if (absl::ConsumePrefix(&target, "[")) {
    size_t close = target.find(']');
    if (close == absl::string_view::npos) return false;
    host = std::string(target.substr(0, close));
  } else {
    size_t colon = target.rfind(':');
    host = std::string(colon == absl::string_view::npos ? target : target.substr(0, colon));
  }
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  unsigned char addr[16];
  if (inet_pton(AF_INET, host.c_str(), addr) == 1) return addr[0] == 127;
  if (inet_pton(AF_INET6, host.c_str(), addr) == 1) {
    static const unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::equal(addr, addr + 16, kLoopback6);
  }
  return false;
}

absl::StatusOr<BundleData> FetchBundle(const std::shared_ptr<grpc::Channel>& channel,
                                       const FetchOptions& options) {
  Fetcher fetcher(channel, options);
  ASSIGN_OR_RETURN(std::vector<ev1::Change> changes, fetcher.ReadFeed());
  // A partner key only ever sees its own town: anything else in its feed
  // means the key is another municipality's (or an operator's), and a bundle
  // labelled --municipality would hold the wrong people. Fail before any
  // personal read. (Tombstones may carry no code: those are not evidence.)
  for (const ev1::Change& c : changes) {
    if (!c.municipality_code().empty() && c.municipality_code() != options.municipality_code) {
      return MunicipalityMismatch(options.municipality_code, c.municipality_code());
    }
  }
  BundleData data;
  data.bundle_id = options.bundle_id;
  data.municipality_code = options.municipality_code;
  data.period = options.period;
  data.create_time = options.create_time;
  for (Person& person : PeopleFromFeed(changes, options.municipality_code)) {
    if (data.municipality_name.empty()) data.municipality_name = person.municipality_name;
    PersonResults r;
    r.person = std::move(person);
    RETURN_IF_ERROR(fetcher.ReadPerson(r, &data.skipped_categories));
    // Someone whose every category was withdrawn meanwhile, or with nothing
    // in the period, gets no record and no page (the pulls stay recorded on
    // the server: the GetShared* routes have no period; README.md).
    if (!r.attendance && !r.plans && !r.survey) continue;
    if (!HasResultsInPeriod(r)) {
      ++data.people_without_results;
      continue;
    }
    data.people.push_back(std::move(r));
  }
  return data;
}

}  // namespace kaizen::bundle

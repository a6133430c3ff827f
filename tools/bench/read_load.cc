// (a) an empty RPC against a real read, and (d) the gateway against direct
// gRPC, on the running stack.
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "tools/bench/async_load.h"
#include "tools/bench/scenarios.h"

namespace kaizen::bench {
namespace {

namespace v1 = kaizen::enrollment::v1;
using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

constexpr char kGetCohort[] = "/kaizen.enrollment.v1.EnrollmentService/GetCohort";

}  // namespace

LoadResult MeasureHealth(const Stack& stack, int connections, double warmup, double seconds) {
  std::vector<std::unique_ptr<Health::Stub>> stubs;
  for (int i = 0; i < connections; ++i) {
    stubs.push_back(Health::NewStub(Channel(stack.enrollment_port, i)));
  }
  const HealthCheckRequest request;  // the server as a whole
  return AsyncClosedLoop<HealthCheckResponse>(
      connections, warmup, seconds,
      [&](int i, grpc::ClientContext* ctx, HealthCheckResponse* out, Done done) {
        stubs[i]->async()->Check(ctx, &request, out, std::move(done));
      },
      [](int, const grpc::Status& s, const HealthCheckResponse& r, std::string* why) {
        if (s.ok() && r.status() == HealthCheckResponse::SERVING) return true;
        *why = s.ok() ? "not SERVING" : DescribeStatus(s);
        return false;
      });
}

LoadResult MeasureGetCohort(const Stack& stack, const std::string& cohort, int connections,
                            double warmup, double seconds) {
  std::vector<std::unique_ptr<v1::EnrollmentService::Stub>> stubs;
  for (int i = 0; i < connections; ++i) {
    stubs.push_back(v1::EnrollmentService::NewStub(Channel(stack.enrollment_port, i)));
  }
  v1::GetCohortRequest request;
  request.set_name(cohort);
  const kaizen::type::Principal caller = Secretariat();
  return AsyncClosedLoop<v1::Cohort>(
      connections, warmup, seconds,
      [&](int i, grpc::ClientContext* ctx, v1::Cohort* out, Done done) {
        AddPrincipal(ctx, caller, kGetCohort);
        stubs[i]->async()->GetCohort(ctx, &request, out, std::move(done));
      },
      [&](int, const grpc::Status& s, const v1::Cohort& c, std::string* why) {
        if (s.ok() && c.name() == cohort) return true;
        *why = s.ok() ? "wrong cohort" : DescribeStatus(s);
        return false;
      });
}

LoadResult MeasureDirectBlocking(const Stack& stack, const std::string& cohort, int clients,
                                 double warmup, double seconds) {
  v1::GetCohortRequest request;
  request.set_name(cohort);
  const kaizen::type::Principal caller = Secretariat();
  ErrorNote note;
  LoadResult r = MeasureBlocking(clients, warmup, seconds, [&](int t) {
    std::shared_ptr<v1::EnrollmentService::Stub> stub =
        v1::EnrollmentService::NewStub(Channel(stack.enrollment_port, t));
    return [&, stub] {
      grpc::ClientContext ctx;
      AddPrincipal(&ctx, caller, kGetCohort);
      v1::Cohort out;
      const grpc::Status s = stub->GetCohort(&ctx, request, &out);
      if (!s.ok()) note.Note(DescribeStatus(s));
      return s.ok() && out.name() == cohort;
    };
  });
  r.example_error = note.Take();
  return r;
}

LoadResult MeasureGatewayHttp(const Stack& stack, const std::string& cohort, int clients,
                              double warmup, double seconds) {
  const std::string bearer = "Bearer " + stack.secretariat_jwt;
  const std::string target = "/v1/" + cohort;
  const std::string expect = absl::StrCat("\"name\":\"", cohort, "\"");
  ErrorNote note;
  LoadResult r = MeasureBlocking(clients, warmup, seconds, [&](int) {
    auto client = std::make_shared<HttpClient>(stack.http_port);
    return [&, client] {
      auto [status, body] = client->Send(boost::beast::http::verb::get, target, bearer);
      if (status != 200) note.Note(absl::StrCat("HTTP ", status, ": ", body.substr(0, 200)));
      return status == 200 && body.find(expect) != std::string::npos;
    };
  });
  r.example_error = note.Take();
  return r;
}

}  // namespace kaizen::bench

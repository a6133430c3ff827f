#include <set>
#include <string>

#include "services/gateway/route_table.h"

#include "common/status/errors.h"
#include "google/api/annotations.pb.h"
#include "gtest/gtest.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "probe.pb.h"

namespace kaizen::gateway {
namespace route_table_test {

const google::protobuf::ServiceDescriptor* Service(const char* name) {
  return google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
}

std::unique_ptr<RouteTable> Table() {
  // Make sure both files are linked (their descriptors are referenced).
  (void)kaizen::enrollment::v1::Cohort::descriptor();
  (void)kaizen::gateway::testing::v1::Thing::descriptor();
  auto table = RouteTable::Build({Service("kaizen.enrollment.v1.EnrollmentService"),
                                  Service("kaizen.gateway.testing.v1.ProbeService")});
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? std::move(*table) : nullptr;
}

TEST(RouteTableTest, EveryAnnotatedMethodHasARoute) {
  auto table = Table();
  ASSERT_NE(table, nullptr);
  // Enrollment: every RPC annotated but the service-only ones (counted from
  // its descriptor, so new RPCs need no edit here). Probe: 8 rules + 1
  // additional binding.
  const auto* enrollment = Service("kaizen.enrollment.v1.EnrollmentService");
  const std::set<std::string> service_only = {"RecordProvision", "EnqueueNotification"};
  size_t enrollment_routes = 0;
  for (int i = 0; i < enrollment->method_count(); ++i) {
    const auto& options = enrollment->method(i)->options();
    if (!options.HasExtension(google::api::http)) {
      EXPECT_EQ(service_only.count(enrollment->method(i)->name()), 1u)
          << enrollment->method(i)->name() << " has no HTTP route";
      continue;
    }
    enrollment_routes += 1 + options.GetExtension(google::api::http).additional_bindings_size();
  }
  EXPECT_EQ(table->routes().size(), enrollment_routes + 9u);
  // Every method is known for the gRPC proxy, annotated or not.
  EXPECT_EQ(table->methods().size(), enrollment->method_count() + 10u);
  const MethodInfo* hidden = table->FindMethod("/kaizen.gateway.testing.v1.ProbeService/Hidden");
  ASSERT_NE(hidden, nullptr);
  EXPECT_EQ(hidden->service_index, 1);
  EXPECT_TRUE(table->FindMethod("/kaizen.gateway.testing.v1.ProbeService/Watch")->streaming);
  EXPECT_EQ(table->FindMethod("/nope/Nope"), nullptr);
}

TEST(RouteTableTest, MethodOptionsAreRead) {
  auto table = Table();
  const MethodInfo* get =
      table->FindMethod("/kaizen.enrollment.v1.EnrollmentService/GetCohort");
  EXPECT_TRUE(get->allow_anonymous);
  const MethodInfo* create =
      table->FindMethod("/kaizen.enrollment.v1.EnrollmentService/CreateCohort");
  EXPECT_FALSE(create->allow_anonymous);
  EXPECT_NE(table->FindMethod("/kaizen.enrollment.v1.EnrollmentService/ListCohorts")->page_size,
            nullptr);
  EXPECT_EQ(create->page_size, nullptr);
  EXPECT_TRUE(table->FindMethod("/kaizen.gateway.testing.v1.ProbeService/GetFeed")
                  ->http_body_response);
}

TEST(RouteTableTest, FindsTheRouteAndBindsVariables) {
  auto table = Table();
  auto m = table->Find("POST", "/v1/cohorts/fy2022/applications/abc:withdraw");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->route->method->descriptor->name(), "WithdrawApplication");
  EXPECT_EQ(m->bindings[0].second, "cohorts/fy2022/applications/abc");
  m = table->Find("GET", "/v1/cohorts");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->route->method->descriptor->name(), "ListCohorts");
  m = table->Find("GET", "/v1/changes");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->route->method->descriptor->name(), "ListChanges");
  m = table->Find("PATCH", "/v1/cohorts/fy2022");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->route->method->descriptor->name(), "UpdateCohort");
  EXPECT_EQ(m->bindings[0].first, "cohort.name");
  EXPECT_EQ(m->route->body_field->name(), "cohort");
  EXPECT_EQ(m->route->label, "PATCH /v1/{cohort.name=cohorts/*}");
}

TEST(RouteTableTest, NotFoundAndMethodNotAllowed) {
  auto table = Table();
  auto m = table->Find("GET", "/v2/cohorts");
  EXPECT_EQ(m.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(errors::Reason(m.status()), "ROUTE_NOT_FOUND");
  m = table->Find("DELETE", "/v1/cohorts/fy2022");
  EXPECT_EQ(m.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(errors::Reason(m.status()), "METHOD_NOT_ALLOWED");
  EXPECT_EQ(errors::GetErrorInfo(m.status())->metadata().at("allow"), "GET, PATCH");
  EXPECT_EQ(table->Find("GET", "no-slash").status().code(), absl::StatusCode::kNotFound);
}

TEST(RouteTableTest, AServiceConfiguredTwiceIsRefused) {
  auto table = RouteTable::Build({Service("kaizen.enrollment.v1.EnrollmentService"),
                                  Service("kaizen.enrollment.v1.EnrollmentService")});
  EXPECT_FALSE(table.ok());
}

TEST(RouteTableTest, FindFieldPathTakesProtoAndJsonNames) {
  const auto* d = kaizen::gateway::testing::v1::ListThingsRequest::descriptor();
  EXPECT_NE(FindFieldPath(d, "page_size"), nullptr);
  EXPECT_EQ(FindFieldPath(d, "pageSize"), FindFieldPath(d, "page_size"));
  EXPECT_EQ(FindFieldPath(d, "options.depth")->name(), "depth");
  EXPECT_EQ(FindFieldPath(d, "options.nope"), nullptr);
  EXPECT_EQ(FindFieldPath(d, "page_size.x"), nullptr);
}

}  // namespace
}  // namespace kaizen::gateway

// The gateway's routes, built at start-up from the google.api.http options of
// the linked service descriptors, so an annotated RPC gets its route without
// any gateway code. The same table knows every method of the configured
// services for the gRPC proxy, including methods without an HTTP rule.
//
// Each rule (and each of its additional_bindings) becomes one Route:
//   get/post/put/patch/delete/custom  -> HTTP method and PathTemplate
//   body ""      no body; unbound fields come from the query string
//   body "*"     the whole request from the JSON body (no query parameters)
//   body "field" that top-level message field from the body; other unbound
//                fields from the query string
// Path variables must name singular scalar (string, number, bool, enum)
// fields, possibly nested ("cohort.name"). Two routes with the same method
// and the same shape are a conflict and fail the build of the table.
#ifndef KAIZEN_SERVICES_GATEWAY_ROUTE_TABLE_H_
#define KAIZEN_SERVICES_GATEWAY_ROUTE_TABLE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "services/gateway/path_template.h"

namespace kaizen::gateway {

// One RPC of a configured service.
struct MethodInfo {
  const google::protobuf::MethodDescriptor* descriptor = nullptr;
  // "/kaizen.enrollment.v1.EnrollmentService/GetCohort": the gRPC path, also
  // the route label of gRPC calls in metrics and logs.
  std::string grpc_path;
  // Index of the service in the list given to Build (= its backend).
  int service_index = 0;
  // (kaizen.api.allow_anonymous): calls without credentials are forwarded.
  bool allow_anonymous = false;
  // Client or server streaming: the gateway refuses these.
  bool streaming = false;
  // The request's `int32 page_size` field, if it has one (capped).
  const google::protobuf::FieldDescriptor* page_size = nullptr;
  // Response is kaizen.type.HttpBody: written raw, not as JSON.
  bool http_body_response = false;
  // (kaizen.api.accept_api_key): partner API keys are accepted.
  bool accept_api_key = false;
  // (kaizen.api.response_media_types), for HttpBody responses.
  std::vector<std::string> response_media_types;
  // Where an If-Match header goes (EtagFieldOf): the request's string
  // `etag` field, else for Update methods the `etag` of its resource field
  // (UpdateCohortRequest.cohort.etag); empty when it has none.
  std::vector<const google::protobuf::FieldDescriptor*> etag_field;
};

struct Route {
  std::string http_method;  // "GET", "POST", ...
  PathTemplate path;
  // "" (no body), "*" or a top-level field name.
  std::string body;
  // The body field (body is a field name), else nullptr.
  const google::protobuf::FieldDescriptor* body_field = nullptr;
  const MethodInfo* method = nullptr;
  // "GET /v1/{name=cohorts/*}": the template, never a concrete path, so it
  // is safe for logs and metrics (no ids or tokens) and bounded in number.
  std::string label;
  // 0 for the rule itself, 1.. for its additional_bindings.
  int binding = 0;
};

class RouteTable {
 public:
  // Routes for every method of `services` (in order; the index is the
  // service_index) that has a google.api.http rule. INVALID_ARGUMENT (reason
  // INVALID_HTTP_RULE or ROUTE_CONFLICT) names the method at fault.
  static absl::StatusOr<std::unique_ptr<RouteTable>> Build(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  struct Match {
    const Route* route = nullptr;
    PathBindings bindings;
  };
  // The most specific route for `http_method` and `path` (no query string).
  // NOT_FOUND ROUTE_NOT_FOUND when no route has this path, UNIMPLEMENTED
  // METHOD_NOT_ALLOWED (metadata "allow") when it exists for other methods.
  absl::StatusOr<Match> Find(absl::string_view http_method, absl::string_view path) const;

  // The method at a gRPC path, or nullptr.
  const MethodInfo* FindMethod(absl::string_view grpc_path) const;

  const std::vector<Route>& routes() const { return routes_; }
  const std::vector<std::unique_ptr<MethodInfo>>& methods() const { return methods_; }
  const std::vector<const google::protobuf::ServiceDescriptor*>& services() const {
    return services_;
  }

 private:
  RouteTable() = default;

  std::vector<const google::protobuf::ServiceDescriptor*> services_;
  std::vector<std::unique_ptr<MethodInfo>> methods_;
  absl::flat_hash_map<std::string, const MethodInfo*> by_grpc_path_;
  std::vector<Route> routes_;
};

// The etag path of `request` (MethodInfo::etag_field): its own string
// `etag`, else, for an Update<Resource>Request (AIP-134), that of the one
// singular message field that has one.
std::vector<const google::protobuf::FieldDescriptor*> EtagFieldOf(
    const google::protobuf::Descriptor* request);

// The field at `path` ("cohort.name") of `message`, descending through
// singular message fields; each part may be the proto name or the JSON name.
// nullptr when it does not exist.
const google::protobuf::FieldDescriptor* FindFieldPath(
    const google::protobuf::Descriptor* message, absl::string_view path,
    std::vector<const google::protobuf::FieldDescriptor*>* chain = nullptr);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_ROUTE_TABLE_H_

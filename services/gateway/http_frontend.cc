#include "services/gateway/http_frontend.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/grpc_status.h"
#include "common/util/ids.h"
#include "google/protobuf/message.h"
#include "services/gateway/error_response.h"
#include "services/gateway/field_paths.h"
#include "services/gateway/gateway_errors.h"
#include "services/gateway/json.h"
#include "services/gateway/openapi.h"
#include "services/gateway/transcoder.h"
#include "services/gateway/url.h"

namespace kaizen::gateway {
namespace {

constexpr absl::string_view kUnmatched = "unmatched";

// Only well-known methods reach the logs and metrics.
std::string LoggedMethod(const std::string& method) {
  static constexpr const char* kKnown[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
                                           "HEAD"};
  for (const char* known : kKnown) {
    if (method == known) return method;
  }
  return method.empty() ? "-" : "OTHER";
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json; charset=utf-8");
  response.body = std::move(body);
  return response;
}

}  // namespace

struct HttpFrontend::Exchange {
  HttpResponder respond;
  std::string request_id;
  std::string origin;
  std::string method;
  std::string route = std::string(kUnmatched);
  absl::Time start;
  // The matched method's request type: error field paths become its JSON
  // names (field_paths.h). Null before a route matched.
  const google::protobuf::Descriptor* request_type = nullptr;
  // The etag came from If-Match: ETAG_MISMATCH is then 412.
  bool if_match = false;
};

HttpFrontend::HttpFrontend(HttpFrontendOptions options, const RouteTable* routes,
                           const Authenticator* authenticator, RateLimiter* limiter,
                           BackendPool* backends, GatewayMetrics* metrics,
                           server::LogSink access_log)
    : options_(std::move(options)),
      routes_(routes),
      authenticator_(authenticator),
      limiter_(limiter),
      backends_(backends),
      metrics_(metrics),
      access_log_(std::move(access_log)),
      cors_(options_.cors_origins),
      openapi_(BuildOpenApi(*routes, options_.openapi)) {}

void HttpFrontend::Handle(HttpRequest request, HttpResponder respond) {
  auto exchange = std::make_shared<Exchange>();
  exchange->start = absl::Now();
  exchange->respond = std::move(respond);
  const std::string request_id(request.Header("x-request-id"));
  exchange->request_id = server::IsValidRequestId(request_id) ? request_id : NewId();
  exchange->origin = std::string(request.Header("origin"));
  exchange->method = LoggedMethod(request.method);

  if (!request.transport_error.ok()) return Fail(exchange, request.transport_error);

  const absl::string_view path = SplitTarget(request.target).first;
  if (path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/openapi.json") {
    exchange->route = std::string(path);
    if (request.method != "GET") return Fail(exchange, MethodNotAllowed("GET"));
    if (path == "/healthz") {
      return Finish(exchange, JsonResponse(200, R"({"status":"ok"})"), absl::StatusCode::kOk);
    }
    if (path == "/readyz") return Readiness(exchange);
    if (path == "/openapi.json") {
      return Finish(exchange, JsonResponse(200, openapi_), absl::StatusCode::kOk);
    }
    HttpResponse metrics;
    metrics.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    metrics.body = metrics_->RenderPrometheus();
    return Finish(exchange, std::move(metrics), absl::StatusCode::kOk);
  }
  if (CorsPolicy::IsPreflight(request)) {
    exchange->route = "preflight";
    HttpResponse response = cors_.Preflight(request);
    const absl::StatusCode code = response.status == 204 ? absl::StatusCode::kOk
                                                         : absl::StatusCode::kPermissionDenied;
    return Finish(exchange, std::move(response), code);
  }
  HandleApi(std::move(exchange), std::move(request));
}

void HttpFrontend::HandleApi(std::shared_ptr<Exchange> exchange, HttpRequest request) {
  const auto [path, query] = SplitTarget(request.target);
  absl::StatusOr<RouteTable::Match> match = routes_->Find(request.method, path);
  if (!match.ok()) return Fail(exchange, match.status());
  const Route& route = *match->route;
  const MethodInfo& method = *route.method;
  exchange->route = route.label;
  exchange->request_type = method.descriptor->input_type();

  Credentials credentials;
  credentials.authorization = request.Header(kAuthorizationHeader);
  credentials.api_key = request.Header(kApiKeyHeader);
  credentials.application_token = request.Header(kApplicationTokenHeader);
  absl::StatusOr<kaizen::type::Principal> principal =
      authenticator_->Authenticate(credentials, method.allow_anonymous, method.accept_api_key);
  if (!principal.ok()) return Fail(exchange, principal.status());

  absl::Status limited = limiter_->Acquire(
      principal->subject().empty() ? absl::StrCat("ip:", request.remote_ip) : principal->subject());
  if (!limited.ok()) return Fail(exchange, limited);

  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(method.descriptor->input_type())
          ->New());
  absl::Status built = BuildRequest(route, match->bindings, request.Header("content-type"),
                                    request.body, query, message.get());
  if (!built.ok()) return Fail(exchange, built);
  absl::Status if_match =
      ApplyIfMatch(method, request.Header("if-match"), message.get(), &exchange->if_match);
  if (!if_match.ok()) return Fail(exchange, if_match);
  CapPageSize(method, options_.max_page_size, message.get());

  BackendPool::Call call;
  call.backend = method.service_index;
  call.method = method.grpc_path;
  call.request = StringToByteBuffer(message->SerializeAsString());
  call.principal = *std::move(principal);
  call.request_id = exchange->request_id;
  call.deadline = absl::Now() + options_.backend_deadline;
  const MethodInfo* info = &method;
  backends_->Start(std::move(call), [this, exchange, info](const grpc::Status& status,
                                                           grpc::ByteBuffer* response) {
    if (!status.ok()) {
      return Fail(exchange, SanitizeBackendError(FromGrpcStatus(status),
                                                 info->descriptor->service()->name()));
    }
    HttpResponse http;
    absl::Status written = WriteResponse(*info, ByteBufferToString(*response), &http);
    if (!written.ok()) return Fail(exchange, written);
    Finish(exchange, std::move(http), absl::StatusCode::kOk);
  });
}

void HttpFrontend::Readiness(std::shared_ptr<Exchange> exchange) {
  backends_->CheckHealth(options_.readiness_timeout,
                         [this, exchange](std::vector<BackendPool::Health> health) {
                           Json not_ready = Json::Array();
                           for (const auto& h : health) {
                             if (!h.serving) not_ready.Push(Json::Str(h.service));
                           }
                           if (not_ready.size() == 0) {
                             return Finish(exchange, JsonResponse(200, R"({"status":"ready"})"),
                                           absl::StatusCode::kOk);
                           }
                           Json body = Json::Object()
                                           .Set("status", Json::Str("not ready"))
                                           .Set("notServing", std::move(not_ready));
                           Finish(exchange, JsonResponse(503, body.Serialize()),
                                  absl::StatusCode::kUnavailable);
                         });
}

void HttpFrontend::Fail(const std::shared_ptr<Exchange>& exchange, const absl::Status& status) {
  const absl::Status shown = WithJsonFieldPaths(status, exchange->request_type);
  Finish(exchange, ErrorResponse(shown, exchange->if_match), status.code());
}

void HttpFrontend::Finish(const std::shared_ptr<Exchange>& exchange, HttpResponse response,
                          absl::StatusCode code) {
  response.SetHeader("X-Request-Id", exchange->request_id);
  response.SetHeader("Cache-Control", "no-store");
  response.SetHeader("X-Content-Type-Options", "nosniff");
  cors_.Decorate(exchange->origin, &response);
  const absl::Duration latency = absl::Now() - exchange->start;
  const char* code_name = server::GrpcCodeName(static_cast<int>(code));
  metrics_->Record("http", exchange->route, code_name, latency);
  if (access_log_) {
    access_log_(AccessLogLine(absl::Now(), "http", exchange->method, exchange->route,
                              response.status, code_name, latency, exchange->request_id));
  }
  exchange->respond(std::move(response));
}

}  // namespace kaizen::gateway

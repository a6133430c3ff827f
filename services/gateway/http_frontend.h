// The JSON/HTTP front door: everything between a parsed HTTP request and the
// backend call, independent of the socket layer (http_server.h calls
// Handle; tests may call it directly).
//
// Per request, in this order:
//   request id   X-Request-Id if valid (1-64 of [A-Za-z0-9._-]), else new;
//                echoed in the response and forwarded to the backend
//   operator     GET /healthz, /readyz, /metrics, /openapi.json
//   CORS         preflight answered here (cors.h)
//   route        route_table.h: 404 ROUTE_NOT_FOUND, 405 METHOD_NOT_ALLOWED
//   auth         authenticator.h: 401
//   rate limit   per principal subject, or per client IP when anonymous: 429
//   transcode    transcoder.h: 400 naming the field; page_size capped
//   backend      backend_pool.h with the signed principal and a deadline;
//                its status mapped per error_response.h (503 when down)
// Every response carries X-Request-Id and Cache-Control: no-store (API
// answers may hold personal data), and is counted in the metrics and the
// access log by route template.
//
// Handle never blocks: the backend answers on a gRPC thread, which calls the
// responder.
#ifndef KAIZEN_SERVICES_GATEWAY_HTTP_FRONTEND_H_
#define KAIZEN_SERVICES_GATEWAY_HTTP_FRONTEND_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/server/interceptors.h"
#include "services/gateway/authenticator.h"
#include "services/gateway/backend_pool.h"
#include "services/gateway/cors.h"
#include "services/gateway/gateway_metrics.h"
#include "services/gateway/http_types.h"
#include "services/gateway/openapi.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/route_table.h"

namespace kaizen::gateway {

struct HttpFrontendOptions {
  std::vector<std::string> cors_origins;
  absl::Duration backend_deadline = absl::Seconds(5);
  absl::Duration readiness_timeout = absl::Seconds(1);
  int max_page_size = 500;
  // What GET /openapi.json describes beyond the routes (comments, servers).
  OpenApiInfo openapi;
};

class HttpFrontend {
 public:
  // Nothing is owned; everything must outlive the frontend and every call
  // it has started. `access_log` may be null (no log).
  HttpFrontend(HttpFrontendOptions options, const RouteTable* routes,
               const Authenticator* authenticator, RateLimiter* limiter, BackendPool* backends,
               GatewayMetrics* metrics, server::LogSink access_log);

  // The HttpHandler: answers once through `respond`.
  void Handle(HttpRequest request, HttpResponder respond);

  const std::string& openapi_json() const { return openapi_; }

 private:
  struct Exchange;
  void HandleApi(std::shared_ptr<Exchange> exchange, HttpRequest request);
  void Readiness(std::shared_ptr<Exchange> exchange);
  void Finish(const std::shared_ptr<Exchange>& exchange, HttpResponse response,
              absl::StatusCode code);
  void Fail(const std::shared_ptr<Exchange>& exchange, const absl::Status& status);

  const HttpFrontendOptions options_;
  const RouteTable* routes_;
  const Authenticator* authenticator_;
  RateLimiter* limiter_;
  BackendPool* backends_;
  GatewayMetrics* metrics_;
  const server::LogSink access_log_;
  const CorsPolicy cors_;
  const std::string openapi_;
};

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_HTTP_FRONTEND_H_

#include "services/gateway/cors.h"

#include <algorithm>

#include "common/status/errors.h"
#include "services/gateway/error_response.h"

namespace kaizen::gateway {

bool CorsPolicy::IsAllowed(absl::string_view origin) const {
  return !origin.empty() && std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

bool CorsPolicy::IsPreflight(const HttpRequest& request) {
  return request.method == "OPTIONS" && request.HasHeader("origin") &&
         request.HasHeader("access-control-request-method");
}

HttpResponse CorsPolicy::Preflight(const HttpRequest& request) const {
  const absl::string_view origin = request.Header("origin");
  if (!IsAllowed(origin)) {
    HttpResponse denied = ErrorResponse(errors::PermissionDenied(
        "CORS_ORIGIN_NOT_ALLOWED", "this origin may not call the API from a browser"));
    denied.SetHeader("Vary", "Origin");
    return denied;
  }
  HttpResponse response;
  response.status = 204;
  response.SetHeader("Access-Control-Allow-Origin", origin);
  response.SetHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
  response.SetHeader("Access-Control-Allow-Headers",
                     "Authorization, Content-Type, If-Match, X-Kaizen-Application-Token, X-Request-Id");
  response.SetHeader("Access-Control-Max-Age", "600");
  response.SetHeader("Vary", "Origin");
  return response;
}

void CorsPolicy::Decorate(absl::string_view origin, HttpResponse* response) const {
  if (!IsAllowed(origin)) return;
  response->SetHeader("Access-Control-Allow-Origin", origin);
  response->SetHeader("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, ETag, WWW-Authenticate");
  response->SetHeader("Vary", "Origin");
}

}  // namespace kaizen::gateway

// CORS for the browser frontend: only origins configured exactly
// ("https://kaizen.example.jp") are answered; there is no wildcard, and
// credentials travel in the Authorization header, never in cookies, so
// Access-Control-Allow-Credentials is never sent.
//
// Preflight (OPTIONS with Origin and Access-Control-Request-Method):
//   allowed origin -> 204 with Allow-Origin, Allow-Methods, Allow-Headers
//                     (Authorization, Content-Type, X-Kaizen-Application-Token,
//                     X-Request-Id), Max-Age 600, Vary: Origin
//   other origin   -> 403 PERMISSION_DENIED CORS_ORIGIN_NOT_ALLOWED
// Other responses to an allowed origin get Allow-Origin, Vary: Origin and
// Expose-Headers (X-Request-Id, Retry-After, ETag, WWW-Authenticate; If-Match is an allowed request header).
#ifndef KAIZEN_SERVICES_GATEWAY_CORS_H_
#define KAIZEN_SERVICES_GATEWAY_CORS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/gateway/http_types.h"

namespace kaizen::gateway {

class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> allowed_origins)
      : origins_(std::move(allowed_origins)) {}

  bool IsAllowed(absl::string_view origin) const;

  // OPTIONS with Origin and Access-Control-Request-Method.
  static bool IsPreflight(const HttpRequest& request);

  // The answer to a preflight request.
  HttpResponse Preflight(const HttpRequest& request) const;

  // Adds the CORS headers for `origin` (the request's Origin header) when it
  // is allowed; does nothing otherwise.
  void Decorate(absl::string_view origin, HttpResponse* response) const;

 private:
  std::vector<std::string> origins_;
};

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_CORS_H_

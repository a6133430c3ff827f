// Transport-neutral HTTP request and response, so the gateway's logic
// (http_frontend.h) is tested without sockets and the Beast server
// (http_server.h) stays a thin adapter.
#ifndef KAIZEN_SERVICES_GATEWAY_HTTP_TYPES_H_
#define KAIZEN_SERVICES_GATEWAY_HTTP_TYPES_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace kaizen::gateway {

// Header names are stored lower-case; lookups are case-insensitive.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;   // "GET", "POST", ... (upper-case, as sent)
  std::string target;   // path and query, as sent: "/v1/cohorts?pageSize=5"
  HttpHeaders headers;  // names lower-cased by the server
  std::string body;     // at most the configured body limit
  std::string remote_ip;  // peer address without port
  // Set by the server when it could not read the request (body or headers
  // too large, malformed): the frontend answers with this error and the
  // connection is closed afterwards.
  absl::Status transport_error;

  // The first value of header `name` (lower-case), or "".
  absl::string_view Header(absl::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
  bool HasHeader(absl::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return true;
    }
    return false;
  }
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;  // Content-Length is added by the server
  std::string body;

  void SetHeader(absl::string_view name, absl::string_view value) {
    for (auto& [k, v] : headers) {
      if (absl::EqualsIgnoreCase(k, name)) {
        v = std::string(value);
        return;
      }
    }
    headers.emplace_back(std::string(name), std::string(value));
  }
  absl::string_view Header(absl::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (absl::EqualsIgnoreCase(k, name)) return v;
    }
    return {};
  }
};

// Called exactly once per request, from any thread.
using HttpResponder = std::function<void(HttpResponse)>;

// The server's view of the application: handle `request` and call
// `respond` once, now or later, from any thread. Must not block.
using HttpHandler = std::function<void(HttpRequest request, HttpResponder respond)>;

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_HTTP_TYPES_H_

// The error responses of one OpenAPI operation: which HTTP statuses it can
// really answer with and which google.rpc.ErrorInfo reasons each carries.
//
// Two sources, both from what the gateway already knows:
//   the gateway   its own checks, decided by the route and the method's
//                 options: 400 (JSON, path, query, If-Match), 401 (token;
//                 TOKEN_MISSING only without allow_anonymous), 403
//                 (API_KEY_NOT_ACCEPTED without accept_api_key), 409/412
//                 (ETAG_MISMATCH where the request has an etag), 413 (a
//                 body), 429 (rate and connection limits), 431, 500/503/504
//                 (backend and storage faults every Kaizen service shares).
//   the service   the RPC's own comment. docs/errors.md makes every RPC
//                 comment name its errors in one sentence,
//                   "Errors: FAILED_PRECONDITION (COHORT_NOT_OPEN,
//                    APPLICATION_WINDOW_CLOSED), NOT_FOUND."
//                 so the comment reviewers read is the one source: a gRPC
//                 code name starts a group, UPPER_SNAKE words in the
//                 parentheses after it are its reasons (other words are prose
//                 and ignored). openapi_test checks that every reason named
//                 this way exists in a service catalog (its README).
// Chosen over a method option listing reasons because it needs no second
// copy of what the comment already says, and over mapping a service's
// whole catalog by code because that would claim every reason of the
// service for every RPC.
#ifndef KAIZEN_SERVICES_GATEWAY_OPENAPI_ERRORS_H_
#define KAIZEN_SERVICES_GATEWAY_OPENAPI_ERRORS_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/gateway/json.h"
#include "services/gateway/route_table.h"

namespace kaizen::gateway {

// Codes and their reasons from the "Errors:" sentence of `comment` (empty
// when there is none). A code named without reasons maps to an empty set.
std::map<absl::StatusCode, std::set<std::string>> ParseErrorsSentence(absl::string_view comment);

struct ErrorResponseSpec {
  std::set<std::string> gateway_reasons;
  std::set<std::string> service_reasons;
  std::set<absl::StatusCode> codes;  // the gRPC codes behind this status
};

// HTTP status -> what the operation of `route` can answer with it.
// `method_comment` is the RPC's comment (ProtoDocs), possibly empty.
std::map<int, ErrorResponseSpec> OperationErrors(const Route& route,
                                                 absl::string_view method_comment);

// Adds OperationErrors(route, comment) to an OpenAPI responses object: per
// status the shared Error schema, the reasons in the description and as
// the extension `x-kaizen-reasons`, and WWW-Authenticate on 401.
void AddErrorResponses(const Route& route, const std::string& comment, Json* responses);

// "Bad Request", "Precondition Failed", ...
const char* HttpReasonPhrase(int http_status);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_OPENAPI_ERRORS_H_

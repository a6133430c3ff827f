// The OpenAPI 3.0 document of the JSON/HTTP API, generated at start-up from
// the same descriptors and routes the gateway serves (GET /openapi.json), so
// it cannot drift from what the gateway does.
//
//   paths       one per route. Multi-segment variables are spelled out:
//               GET /v1/{name=cohorts/*/applications/*} becomes
//               /v1/cohorts/{cohort}/applications/{application}, each `*`
//               a path parameter named after the collection before it.
//               Query parameters are the unbound scalar fields (JSON names,
//               dotted for nested ones) when the body is not "*".
//   operations  operationId = the RPC name (ServiceName_Rpc if two services
//               share one; _2, _3 for additional bindings), tag = the
//               service, summary and description from the RPC's comment,
//               requestBody from `body`, 200 with the response schema (an
//               ETag header where the response has an `etag`;
//               kaizen.type.HttpBody: the method's
//               (kaizen.api.response_media_types), binary), an If-Match
//               header where the request has an etag (transcoder.h), and one
//               response per error status the operation can produce, with
//               its ErrorInfo reasons (openapi_errors.h). security:
//               bearerAuth; apiKey only with (kaizen.api.accept_api_key);
//               none and applicationToken too with allow_anonymous.
//   components  a schema per message (full proto name), lowerCamelCase
//               properties with the field comments; enums as string enums
//               (value comments listed); repeated as arrays; maps as
//               objects; 64-bit integers as strings; Timestamp (date-time),
//               Duration, FieldMask and wrappers as their JSON forms.
//               google.api.field_behavior: REQUIRED -> required,
//               OUTPUT_ONLY -> readOnly, IMMUTABLE -> a note.
//   servers     OpenApiInfo::servers, else "/" (this gateway); tags, one
//               per service with its comment.
//
// The comments come from ProtoDocs (proto_docs.h): the linked descriptors
// have none. Without docs, descriptions fall back to the structure.
#ifndef KAIZEN_SERVICES_GATEWAY_OPENAPI_H_
#define KAIZEN_SERVICES_GATEWAY_OPENAPI_H_

#include <string>
#include <vector>

#include "services/gateway/proto_docs.h"
#include "services/gateway/route_table.h"

namespace kaizen::gateway {

struct OpenApiInfo {
  // Comments for descriptions; not owned, may be null.
  const ProtoDocs* docs = nullptr;
  // Absolute base URLs of the API ("https://api.example.jp"); empty: "/".
  std::vector<std::string> servers;
  std::string title = "Kaizen API";
  std::string version = "v1";
  std::string description =
      "JSON/HTTP API of the Kaizen services, served by the Kaizen gateway. Errors are "
      "{\"error\": {code, status, message, details}} with google.rpc details.";
};

// The document as JSON.
std::string BuildOpenApi(const RouteTable& routes, const OpenApiInfo& info);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_OPENAPI_H_

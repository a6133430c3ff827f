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
//               service, requestBody from `body`, 200 with the response
//               schema (kaizen.type.HttpBody: any media type, binary), and
//               "default" with the shared Error schema. security: bearerAuth
//               or apiKey; methods with allow_anonymous also accept none (and
//               applicationToken).
//   components  a schema per message (full proto name), lowerCamelCase
//               properties; enums as string enums; repeated as arrays; maps
//               as objects; 64-bit integers as strings; Timestamp (date-time),
//               Duration, FieldMask and wrappers as their JSON forms.
//
// Proto comments are not in the linked descriptors (SourceCodeInfo is
// stripped), so descriptions are limited to what the structure says.
#ifndef KAIZEN_SERVICES_GATEWAY_OPENAPI_H_
#define KAIZEN_SERVICES_GATEWAY_OPENAPI_H_

#include <string>

#include "services/gateway/route_table.h"

namespace kaizen::gateway {

struct OpenApiInfo {
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

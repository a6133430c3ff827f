// JSON/HTTP <-> protobuf for one matched route, with protobuf's own JSON
// support (proto3 JSON mapping, lowerCamelCase names on output, either name
// on input).
//
// Request: the body (per the route's `body`), then the path variables (which
// win over the body), then the query parameters (only when the body is not
// "*"). Unknown JSON members and unknown query parameters are refused with
// INVALID_ARGUMENT UNKNOWN_FIELD naming the field path, e.g.
// "cohort.fooBar"; a value of the wrong type with INVALID_FIELD_VALUE naming
// its field; anything that is not JSON with INVALID_JSON. Error texts never
// repeat submitted values.
//
// Response: a message as JSON, or a kaizen.type.HttpBody written raw with its
// content type (and Content-Disposition when it has a filename).
#ifndef KAIZEN_SERVICES_GATEWAY_TRANSCODER_H_
#define KAIZEN_SERVICES_GATEWAY_TRANSCODER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "services/gateway/http_types.h"
#include "services/gateway/path_template.h"
#include "services/gateway/route_table.h"

namespace kaizen::gateway {

// Fills `request` (of the route's input type, empty) from the HTTP request
// parts. `content_type` may be empty (taken as JSON).
absl::Status BuildRequest(const Route& route, const PathBindings& bindings,
                          absl::string_view content_type, absl::string_view body,
                          absl::string_view query, google::protobuf::Message* request);

// Parses JSON into `message` refusing unknown fields. Only strict RFC 8259
// JSON is accepted (json.h IsStrictJson: no single quotes, unquoted keys,
// trailing commas, comments, hex, NaN/Infinity, duplicate keys, invalid
// UTF-8): INVALID_JSON saying what and at which byte. Errors name fields
// with `field_prefix` (e.g. "cohort.") in front of the path protobuf reports.
absl::Status ParseJson(absl::string_view json, absl::string_view field_prefix,
                       google::protobuf::Message* message);

// Sets the scalar (or, for a repeated field, appends to the) field at
// `path` ("a.b", proto or JSON names) from its text form: numbers in
// decimal, bools "true"/"false", enums by name or number, bytes in base64,
// and Timestamp/Duration/FieldMask/wrappers in their JSON string form.
// Errors name the field as `display_name`.
absl::Status SetFieldFromString(google::protobuf::Message* message, absl::string_view path,
                                absl::string_view value, absl::string_view display_name);

// If `method` has a page_size field above `max_page_size`, lowers it to
// `max_page_size`. Returns true when it changed the message.
bool CapPageSize(const MethodInfo& method, int max_page_size, google::protobuf::Message* request);

// The backend's serialized response as the HTTP response (200).
// INTERNAL if the bytes do not parse as the method's output type.
absl::Status WriteResponse(const MethodInfo& method, const std::string& response_bytes,
                           HttpResponse* out);

// The response's top-level string `etag` (AIP-154) when it is a strong
// entity tag, quotes included, as every service makes it
// (common/util/etag.h: `"1a2b..."`); WriteResponse sends it unchanged as the
// ETag header, so a client may send either value back.
std::string ResponseEtag(const google::protobuf::Message& response);

// RFC 9110 etagc characters only (no quote, no space, ASCII), 1-256 long.
bool IsEntityTagText(absl::string_view etag);
// `"<etagc*>"`: one strong entity tag in double quotes.
bool IsStrongEntityTag(absl::string_view etag);

// Maps an If-Match header onto the request's etag field
// (MethodInfo::etag_field): `"<etag>"` sets it, quotes included, the same
// value the ETag header and the body carried (`*` and an absent header do
// nothing), and `*applied` says whether it did, so the caller answers a
// later ABORTED ETAG_MISMATCH with 412. INVALID_ARGUMENT INVALID_IF_MATCH
// for a method without an etag field, a weak (W/) or list value, or an
// etag in the body that differs (naming that field).
absl::Status ApplyIfMatch(const MethodInfo& method, absl::string_view if_match,
                          google::protobuf::Message* request, bool* applied);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_TRANSCODER_H_

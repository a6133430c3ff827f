// One field-path style in every error a JSON client sees: the JSON
// (lowerCamelCase) names of the request message, with indexes and map keys
// as sent ("application.members[0].birthDate"), whether the error was made
// by the gateway (which already names fields as the client sent them) or by
// a service (which names proto fields, "application.members[0].birth_date").
//
// The gateway rewrites a service's google.rpc.BadRequest field violations
// and the ErrorInfo metadata "field" with the request's descriptor before it
// renders the error as JSON. gRPC clients of the gateway get the service's
// status unchanged (proto names are their names).
#ifndef KAIZEN_SERVICES_GATEWAY_FIELD_PATHS_H_
#define KAIZEN_SERVICES_GATEWAY_FIELD_PATHS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace kaizen::gateway {

// `path` with every segment that names a field of `message` (descending
// through message fields, repeated and map values included) replaced by its
// JSON name. Segments are separated by '.', each optionally followed by
// "[...]" suffixes, which are kept. A segment that is no field (a name the
// service made up, e.g. a flag) and everything after it stay as they are.
std::string JsonFieldPath(absl::string_view path, const google::protobuf::Descriptor* message);

// `status` with its BadRequest violations' fields and its ErrorInfo
// metadata "field" rewritten by JsonFieldPath against `request`; the code,
// message and every other detail unchanged.
absl::Status WithJsonFieldPaths(const absl::Status& status,
                                const google::protobuf::Descriptor* request);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_FIELD_PATHS_H_

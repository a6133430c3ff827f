// The JSON of a response message, as protobuf 3.21's printer writes it with
// the gateway's options (lowerCamelCase names, defaults of primitive and
// repeated fields printed, unset messages left out), without its cost:
// protobuf converts binary -> type resolver -> object tree -> JSON, about
// 50 µs and a few hundred allocations for one Cohort; this walks the parsed
// message once by reflection (docs/benchmarks.md, "Performance").
//
// Covered: scalars, enums (names; unknown numbers as numbers), strings
// (protobuf's escaping), bytes (base64), nested and repeated messages,
// proto3 `optional` fields (printed when set) and google.protobuf.Timestamp
// and Duration. Anything else (maps, oneofs, the other well-known types, a
// time out of the JSON range, nesting deeper than protobuf's limit of 65 levels)
// is not: PrintResponseJson then returns false
// and the caller uses protobuf's printer, so the output is always protobuf's.
// response_json_test compares both on every response type the gateway
// serves, on test-only shapes no response has yet (testdata/
// json_shapes.proto) and on every Unicode code point.
#ifndef KAIZEN_SERVICES_GATEWAY_RESPONSE_JSON_H_
#define KAIZEN_SERVICES_GATEWAY_RESPONSE_JSON_H_

#include <string>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace kaizen::gateway {

// Whether every message type reachable from `type` is covered (computed once
// per type; thread-safe).
bool ResponseJsonCovers(const google::protobuf::Descriptor* type);

// Appends the JSON of `message` to *out and returns true, or returns false
// with *out unchanged when the message is not covered (see above).
bool PrintResponseJson(const google::protobuf::Message& message, std::string* out);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_RESPONSE_JSON_H_

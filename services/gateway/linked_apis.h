// The Kaizen API protos linked into the gateway binary. The list lives in
// one place, the `linked_apis` target of services/gateway/BUILD:
//
//   gateway_linked_apis(
//       name = "linked_apis",
//       apis = {
//           "//proto/kaizen/enrollment/v1:enrollment": "kaizen/enrollment/v1/enrollment.proto",
//       },
//   )
//
// Adding a service is one line there plus one --backends entry; its routes,
// its OpenAPI paths and its gRPC methods then come from its descriptors.
// The generated source references each file's descriptor table, so the
// linker keeps the descriptors even though no gateway code names a message
// of them.
#ifndef KAIZEN_SERVICES_GATEWAY_LINKED_APIS_H_
#define KAIZEN_SERVICES_GATEWAY_LINKED_APIS_H_

#include <string>
#include <vector>

namespace kaizen::gateway {

// The linked API proto files ("kaizen/enrollment/v1/enrollment.proto").
const std::vector<std::string>& LinkedApiFiles();

// One serialized google.protobuf.FileDescriptorSet per linked API target,
// each with its imports and source info (comments), as protoc wrote it at
// build time (tools/proto.bzl). Input of ProtoDocs (proto_docs.h).
const std::vector<std::string>& LinkedApiDescriptorSets();

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_LINKED_APIS_H_

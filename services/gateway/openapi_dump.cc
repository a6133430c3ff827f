// Prints the OpenAPI document the gateway binary serves (the same linked
// APIs, comments and route table, no servers configured) to stdout. For
// openapi_typescript_test and for reading the document without starting
// the gateway: bazel run //services/gateway:openapi_dump > openapi.json
#include <cstdio>
#include <iostream>

#include "google/protobuf/descriptor.h"
#include "services/gateway/linked_apis.h"
#include "services/gateway/openapi.h"
#include "services/gateway/proto_docs.h"
#include "services/gateway/route_table.h"

int main() {
  namespace gw = kaizen::gateway;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const std::string& name : gw::LinkedApiFiles()) {
    const google::protobuf::FileDescriptor* file = pool->FindFileByName(name);
    if (file == nullptr) return 1;
    for (int i = 0; i < file->service_count(); ++i) services.push_back(file->service(i));
  }
  auto table = gw::RouteTable::Build(services);
  auto docs = gw::ProtoDocs::FromDescriptorSets(gw::LinkedApiDescriptorSets());
  if (!table.ok() || !docs.ok()) {
    std::fprintf(stderr, "openapi_dump: %s\n",
                 std::string((table.ok() ? docs.status() : table.status()).message()).c_str());
    return 1;
  }
  gw::OpenApiInfo info;
  info.docs = &*docs;
  std::cout << gw::BuildOpenApi(**table, info) << "\n";
  return 0;
}

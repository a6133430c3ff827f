// What the gateway fuzz targets share: the route table of the real linked
// APIs (services/gateway:linked_apis), built once per process.
#ifndef KAIZEN_TESTS_FUZZ_GATEWAY_FUZZ_ENV_H_
#define KAIZEN_TESTS_FUZZ_GATEWAY_FUZZ_ENV_H_

#include <string>
#include <vector>

#include "services/gateway/route_table.h"

namespace kaizen::fuzz {

// The four Kaizen services the gateway serves, by full name.
const std::vector<std::string>& GatewayServices();

// RouteTable::Build over GatewayServices(); aborts if it fails (the unit
// tests cover that path).
const gateway::RouteTable& GatewayRoutes();

}  // namespace kaizen::fuzz

#endif  // KAIZEN_TESTS_FUZZ_GATEWAY_FUZZ_ENV_H_

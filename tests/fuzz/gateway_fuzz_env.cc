#include "tests/fuzz/gateway_fuzz_env.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "google/protobuf/descriptor.h"
#include "services/gateway/linked_apis.h"

namespace kaizen::fuzz {

const std::vector<std::string>& GatewayServices() {
  static const auto* services = new std::vector<std::string>{
      "kaizen.enrollment.v1.EnrollmentService",
      "kaizen.scheduling.v1.SchedulingService",
      "kaizen.plans.v1.PlansService",
      "kaizen.survey.v1.SurveyService",
  };
  return *services;
}

const gateway::RouteTable& GatewayRoutes() {
  static const gateway::RouteTable* table = [] {
    (void)gateway::LinkedApiFiles();  // keeps the descriptors linked
    std::vector<const google::protobuf::ServiceDescriptor*> services;
    for (const std::string& name : GatewayServices()) {
      const auto* service =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
      if (service == nullptr) {
        std::fprintf(stderr, "service %s is not linked\n", name.c_str());
        std::abort();
      }
      services.push_back(service);
    }
    auto built = gateway::RouteTable::Build(services);
    if (!built.ok()) {
      std::fprintf(stderr, "route table: %s\n", built.status().ToString().c_str());
      std::abort();
    }
    return built->release();
  }();
  return *table;
}

}  // namespace kaizen::fuzz

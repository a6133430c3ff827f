// The fake gateway (fake_gateway.h) as a process for kaizen_bundle_test.sh:
// prints its port on stdout, serves until stdin is closed, then exits 0.
#include <cstdio>
#include <iostream>
#include <string>

#include "tools/bundle/fake_gateway.h"

int main() {
  kaizen::bundle::testing::FakeGateway gateway;
  if (absl::Status s = gateway.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%d\n", gateway.port());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  gateway.Shutdown();
  return 0;
}

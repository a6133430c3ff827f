// kaizen_outbox: see outbox_cli.h.
#include <iostream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "common/notify/outbox_cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return kaizen::notify::RunOutboxCli(args, absl::Now(), std::cout, std::cerr);
}

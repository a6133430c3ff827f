#include "common/util/thread_name.h"

#include <pthread.h>

#include <string>

namespace kaizen {

void NameThisThread(absl::string_view name) {
  // Best effort: a name that cannot be set changes nothing but what tools show.
  const std::string cut(name.substr(0, 15));
  pthread_setname_np(pthread_self(), cut.c_str());
}

std::string ThisThreadName() {
  char buf[16] = {};
  if (pthread_getname_np(pthread_self(), buf, sizeof(buf)) != 0) return "";
  return buf;
}

}  // namespace kaizen

// Precompiled for every kaizen_cc_library source, and as the first part of the
// test sources' PCH (pch.bzl, BUILD): the system headers most of them include.
// Only headers from Debian packages: a header of ours here would hide a
// missing #include or dependency. (The service PCHs add the service's
// generated protobuf headers after this file: BUILD, <service>_lib_pch.)
#ifndef KAIZEN_TOOLS_PCH_LIB_PCH_H_
#define KAIZEN_TOOLS_PCH_LIB_PCH_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/server_callback.h"

#endif  // KAIZEN_TOOLS_PCH_LIB_PCH_H_

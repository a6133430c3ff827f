// Precompiled for every test source (pch.bzl): the system headers most test
// files include, gRPC's included (clang loads a PCH lazily, so files that do
// not use a header pay little for it). Only headers from Debian packages: a
// header of ours here would hide a missing #include or dependency.
#ifndef KAIZEN_TOOLS_PCH_TEST_PCH_H_
#define KAIZEN_TOOLS_PCH_TEST_PCH_H_

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
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/server_callback.h"
#include "gtest/gtest.h"

#endif  // KAIZEN_TOOLS_PCH_TEST_PCH_H_

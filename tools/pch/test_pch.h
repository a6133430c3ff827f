// Precompiled for every test source after lib_pch.h (pch.bzl, BUILD: test_pch),
// which has the headers libraries and tests share: what tests add to them.
// gRPC is in lib_pch.h (clang loads a PCH lazily, so files that do not use a
// header pay little for it). Only headers from Debian packages: a header of
// ours here would hide a missing #include or dependency.
#ifndef KAIZEN_TOOLS_PCH_TEST_PCH_H_
#define KAIZEN_TOOLS_PCH_TEST_PCH_H_

#include <thread>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#endif  // KAIZEN_TOOLS_PCH_TEST_PCH_H_

// ServerOptionsFromFlags as an operator drives it: the --wal_buffer switch
// (flag or KAIZEN_WAL_BUFFER; the flag wins), default on, strict values.
#include "common/server/options.h"

#include <cstdlib>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"

ABSL_DECLARE_FLAG(std::string, wal_buffer);

namespace kaizen::server {
namespace options_test {

class OptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("KAIZEN_INTERNAL_SECRET", "internal-secret-A-0123456789", 1);
    unsetenv("KAIZEN_WAL_BUFFER");
    absl::SetFlag(&FLAGS_wal_buffer, "");
  }
  void TearDown() override {
    unsetenv("KAIZEN_INTERNAL_SECRET");
    unsetenv("KAIZEN_WAL_BUFFER");
    absl::SetFlag(&FLAGS_wal_buffer, "");
  }
};

TEST_F(OptionsTest, TheWalBufferIsOnUnlessTurnedOff) {
  auto options = ServerOptionsFromFlags("test", 1);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->wal_buffer);
  for (const char* off : {"false", "0"}) {
    setenv("KAIZEN_WAL_BUFFER", off, 1);
    options = ServerOptionsFromFlags("test", 1);
    ASSERT_TRUE(options.ok()) << options.status();
    EXPECT_FALSE(options->wal_buffer) << off;
  }
  for (const char* on : {"true", "1"}) {
    setenv("KAIZEN_WAL_BUFFER", on, 1);
    options = ServerOptionsFromFlags("test", 1);
    ASSERT_TRUE(options.ok()) << options.status();
    EXPECT_TRUE(options->wal_buffer) << on;
  }
  // The flag wins over the environment.
  setenv("KAIZEN_WAL_BUFFER", "true", 1);
  absl::SetFlag(&FLAGS_wal_buffer, "false");
  options = ServerOptionsFromFlags("test", 1);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_FALSE(options->wal_buffer);
}

TEST_F(OptionsTest, AnUnknownWalBufferValueIsRefusedNamingTheFlag) {
  for (const char* bad : {"off", "no", "False", "2"}) {
    setenv("KAIZEN_WAL_BUFFER", bad, 1);
    auto options = ServerOptionsFromFlags("test", 1);
    ASSERT_FALSE(options.ok()) << bad;
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(errors::Reason(options.status()), "INVALID_FLAG");
    EXPECT_NE(options.status().ToString().find("wal_buffer"), std::string::npos)
        << options.status();
  }
}

}  // namespace
}  // namespace kaizen::server

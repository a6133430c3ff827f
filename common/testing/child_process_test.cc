#include "common/testing/child_process.h"

#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace kaizen::testkit {
namespace child_process_test {

TEST(ChildProcessTest, ReadsThePortTheChildWritesAndItsExitCode) {
  const std::string port_file = NewTempPath("child", "port");
  auto child = ChildProcess::Start(
      {"/bin/sh", "-c", "echo 4242 > \"$PORT_FILE\"; exec sleep 300"},
      {{"PORT_FILE", port_file}});
  ASSERT_TRUE(child.ok()) << child.status();
  auto port = (*child)->WaitForPortFile(port_file);
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_EQ(*port, 4242);
  EXPECT_TRUE((*child)->running());
  EXPECT_EQ((*child)->Terminate(), -1);  // ended by SIGTERM
  EXPECT_FALSE((*child)->running());
}

TEST(ChildProcessTest, ExitCodeAndEnvironmentOverride) {
  setenv("KAIZEN_CHILD_TEST", "parent", 1);
  auto child = ChildProcess::Start(
      {"/bin/sh", "-c", "test \"$KAIZEN_CHILD_TEST\" = child && test -n \"$PATH\" && exit 7"},
      {{"KAIZEN_CHILD_TEST", "child"}});
  ASSERT_TRUE(child.ok());
  EXPECT_EQ((*child)->Wait(), 7);
}

TEST(ChildProcessTest, ChildThatExitsBeforeWritingItsPortIsAnError) {
  auto child = ChildProcess::Start({"/bin/sh", "-c", "exit 2"});
  ASSERT_TRUE(child.ok());
  auto port = (*child)->WaitForPortFile(NewTempPath("never", "port"));
  EXPECT_EQ(port.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(port.status().message().find("(2)"), std::string::npos);
}

TEST(ChildProcessTest, MissingBinaryIsAnError) {
  auto child = ChildProcess::Start({"/nonexistent/binary"});
  // posix_spawn may report the failure itself or through the child's exit.
  if (child.ok()) {
    EXPECT_NE((*child)->Wait(), 0);
  } else {
    EXPECT_EQ(child.status().code(), absl::StatusCode::kFailedPrecondition);
  }
}

TEST(ChildProcessTest, StartServiceNeedsASecret) {
  ServiceProcessOptions options;
  options.binary = "/bin/true";
  EXPECT_EQ(StartService(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ChildProcessTest, TempPathsAreDistinct) {
  EXPECT_NE(NewTempPath("a", "port"), NewTempPath("a", "port"));
}

}  // namespace
}  // namespace kaizen::testkit

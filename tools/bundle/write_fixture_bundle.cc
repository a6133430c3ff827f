// Test helper for kaizen_bundle_test.sh: writes the fixture bundle
// (test_fixture.h) with the given key, as `kaizen_bundle make` would after
// fetching. Usage: write_fixture_bundle <signing key> <out dir>
#include <cstdio>

#include "tools/bundle/test_fixture.h"
#include "tools/bundle/writer.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: write_fixture_bundle <signing key> <out dir>\n");
    return 2;
  }
  kaizen::bundle::WriteOptions options;
  options.signing_key_path = argv[1];
  options.out_dir = argv[2];
  absl::StatusOr<int> n = WriteBundle(kaizen::bundle::testing::FixtureBundle(), options);
  if (!n.ok()) {
    std::fprintf(stderr, "%s\n", n.status().ToString().c_str());
    return 1;
  }
  return 0;
}

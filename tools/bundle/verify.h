// `kaizen_bundle verify`: is this directory exactly the bundle that was
// signed? Checks, in this order, stopping at the first problem:
//   1. manifest.sig is a valid Ed25519 signature of manifest.json's exact
//      bytes under the given public key (the key the municipality received
//      separately, not the bundle's own public_key.pem);
//   2. manifest.json is a well-formed manifest (only then is it parsed);
//   3. every listed file exists as a regular file (not a symlink) with the
//      listed size and SHA-256, in path order;
//   4. no other file exists anywhere under the directory except
//      manifest.json and manifest.sig (directories are not files).
#ifndef KAIZEN_TOOLS_BUNDLE_VERIFY_H_
#define KAIZEN_TOOLS_BUNDLE_VERIFY_H_

#include <string>

#include "absl/status/statusor.h"

namespace kaizen::bundle {

// The number of files the manifest lists when everything checks out.
absl::StatusOr<int> VerifyBundle(const std::string& dir, const std::string& public_key_path);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_VERIFY_H_

// `kaizen_bundle verify`: is this directory exactly the bundle that was
// signed, and the one the caller expects? Checks, in this order, stopping at
// the first problem:
//   1. the public key is not inside the directory (the bundle's own
//      public_key.pem is no trust anchor: INVALID_FLAG);
//   2. manifest.json is at most 16 MiB (MANIFEST_INVALID before reading it);
//   3. manifest.sig is a valid Ed25519 signature of manifest.json's exact
//      bytes under the given public key (the key the municipality received
//      separately);
//   4. manifest.json is a well-formed manifest (only then is it parsed);
//   5. the manifest's municipality (and period, when asked) are the expected
//      ones (BUNDLE_MISMATCH): a genuine bundle of another town or period,
//      substituted or replayed, is refused;
//   6. every listed file exists as a regular file (not a symlink) with the
//      listed size and SHA-256, in path order;
//   7. nothing else exists under the directory: no other file, symlink or
//      directory but pdf/ (FILE_UNLISTED).
#ifndef KAIZEN_TOOLS_BUNDLE_VERIFY_H_
#define KAIZEN_TOOLS_BUNDLE_VERIFY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "tools/bundle/manifest.h"

namespace kaizen::bundle {

inline constexpr int64_t kMaxManifestBytes = 16 << 20;

struct VerifyExpect {
  std::string municipality_code;  // required
  std::string from;               // YYYY-MM-DD; empty: any
  std::string to;
};

struct VerifiedBundle {
  Manifest manifest;
  // SHA-256 (lowercase hex) of the trusted public key's DER
  // SubjectPublicKeyInfo (PublicKeyFingerprint, signing.h).
  std::string key_fingerprint;
};

absl::StatusOr<VerifiedBundle> VerifyBundle(const std::string& dir,
                                            const std::string& public_key_path,
                                            const VerifyExpect& expect);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_VERIFY_H_

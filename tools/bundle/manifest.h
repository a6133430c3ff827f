// manifest.json: what a bundle is, signed as exact bytes (manifest.sig).
// One file per line in "files", sorted by path, each line exactly
//   {"sha256": "<64 hex>", "size": <bytes>, "path": "<relative path>"}
// so that a shell can turn it into `sha256sum -c` input (README.md).
// Paths are relative, '/'-separated, of [A-Za-z0-9._-] segments, never "."
// or ".." (the writer only makes such names; the reader refuses others).
#ifndef KAIZEN_TOOLS_BUNDLE_MANIFEST_H_
#define KAIZEN_TOOLS_BUNDLE_MANIFEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kaizen::bundle {

inline constexpr char kToolVersion[] = "kaizen_bundle 1.0";
inline constexpr char kManifestFile[] = "manifest.json";
inline constexpr char kSignatureFile[] = "manifest.sig";

struct ManifestFile {
  std::string path;
  int64_t size = 0;
  std::string sha256;  // lowercase hex
};

struct Manifest {
  std::string bundle_id;
  std::string municipality_code;
  std::string from;  // YYYY-MM-DD
  std::string to;
  std::string create_time;  // RFC 3339, +09:00
  std::string tool_version = kToolVersion;
  std::vector<ManifestFile> files;  // sorted by path when rendered
};

// True for a path the manifest may name (see above).
bool IsSafeRelativePath(absl::string_view path);

// Size and SHA-256 of `dir`/`path` (IO_ERROR when unreadable).
absl::StatusOr<ManifestFile> HashFile(const std::string& dir, const std::string& path);

std::string RenderManifest(Manifest manifest);

// Parses what RenderManifest wrote (any JSON formatting is accepted);
// MANIFEST_INVALID for anything else: unknown format, a missing field, a
// bad path or hash, a path listed twice.
absl::StatusOr<Manifest> ParseManifest(absl::string_view json);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_MANIFEST_H_

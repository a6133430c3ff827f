// Writes a bundle directory from fetched data: bundle.json, the three CSVs,
// pdf/<cohort>_<participant>.pdf per person, public_key.pem (the signing
// key's public half, for reference), manifest.json listing every one of
// them (path, size, SHA-256) and manifest.sig.
//
// Atomic: everything goes into a fresh sibling "<out>.tmp-XXXXXX" that is
// renamed to `out` only when complete (files fsync'ed first); any failure
// removes it, so a failed make leaves no half bundle. `out` must not exist.
//
// Private by default: the directory and pdf/ are 0700, every file 0600 (the
// bundle holds personal data); the operator widens access on purpose.
#ifndef KAIZEN_TOOLS_BUNDLE_WRITER_H_
#define KAIZEN_TOOLS_BUNDLE_WRITER_H_

#include <string>

#include "absl/status/statusor.h"
#include "tools/bundle/model.h"

namespace kaizen::bundle {

struct WriteOptions {
  std::string out_dir;
  std::string signing_key_path;
  // The PDF font (pango family); must cover Japanese.
  std::string font_family = "IPAexGothic";
};

// Everything `make` can check before it pulls anything (each pull writes a
// provision record on the server): the signing key loads (KEY_INVALID);
// `out` does not exist, by lstat, so a dangling symlink is OUTPUT_EXISTS;
// its parent exists and takes a new directory (one is created and removed;
// IO_ERROR otherwise); the font covers Japanese (FONT_MISSING).
absl::Status CheckBeforeFetch(const WriteOptions& options);

// The number of files listed in the manifest.
absl::StatusOr<int> WriteBundle(const BundleData& data, const WriteOptions& options);

// "pdf/<cohort>_<participant>.pdf".
std::string PdfPath(const Person& person);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_WRITER_H_

// Writes a bundle directory from fetched data: bundle.json, the three CSVs,
// pdf/<cohort>_<participant>.pdf per person, public_key.pem (the signing
// key's public half, for reference), manifest.json listing every one of
// them (path, size, SHA-256) and manifest.sig.
//
// Atomic: everything goes into a fresh sibling "<out>.tmp-XXXXXX" that is
// renamed to `out` only when complete (files fsync'ed first); any failure
// removes it, so a failed make leaves no half bundle. `out` must not exist.
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

// The number of files listed in the manifest.
absl::StatusOr<int> WriteBundle(const BundleData& data, const WriteOptions& options);

// "pdf/<cohort>_<participant>.pdf".
std::string PdfPath(const Person& person);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_WRITER_H_

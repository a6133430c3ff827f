#include "tools/bundle/verify.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "tools/bundle/bundle_errors.h"
#include "tools/bundle/manifest.h"
#include "tools/bundle/signing.h"

namespace kaizen::bundle {
namespace {

namespace fs = std::filesystem;

// The whole of a regular file (not through a symlink); false otherwise.
bool ReadAll(const fs::path& path, std::string* out) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path, ec))) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return !in.bad();
}

}  // namespace

absl::StatusOr<int> VerifyBundle(const std::string& dir_arg, const std::string& public_key_path) {
  std::string dir = dir_arg;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();  // "b/" lists as "b"
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return IoError(absl::StrCat(dir, " is not a directory"));
  std::string manifest_bytes, signature;
  if (!ReadAll(fs::path(dir) / kManifestFile, &manifest_bytes)) {
    return ManifestInvalid("missing or unreadable");
  }
  if (!ReadAll(fs::path(dir) / kSignatureFile, &signature)) {
    return SignatureInvalid("missing or unreadable");
  }
  RETURN_IF_ERROR(VerifySignature(public_key_path, manifest_bytes, signature));
  ASSIGN_OR_RETURN(Manifest manifest, ParseManifest(manifest_bytes));

  std::map<std::string, const ManifestFile*> listed;  // by path: checked in path order
  for (const ManifestFile& f : manifest.files) listed[f.path] = &f;
  for (const auto& [path, want] : listed) {
    fs::file_status st = fs::symlink_status(fs::path(dir) / path, ec);
    if (!fs::is_regular_file(st)) return FileMissing(path);
    absl::StatusOr<ManifestFile> got = HashFile(dir, path);
    if (!got.ok()) return FileMissing(path);
    if (got->size != want->size) return FileSizeMismatch(path, want->size, got->size);
    if (got->sha256 != want->sha256) return FileHashMismatch(path);
  }
  // Nothing else: walk everything (symlinks are not followed).
  std::set<std::string> extra;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code entry_ec;  // a dangling symlink is just an unlisted file
    if (it->is_directory(entry_ec) && !it->is_symlink(entry_ec)) continue;
    std::string rel = it->path().lexically_relative(dir).generic_string();
    if (rel == kManifestFile || rel == kSignatureFile || listed.count(rel)) continue;
    extra.insert(rel);
  }
  if (ec) return IoError(absl::StrCat("cannot list ", dir));
  if (!extra.empty()) return FileUnlisted(*extra.begin());
  return static_cast<int>(manifest.files.size());
}

}  // namespace kaizen::bundle

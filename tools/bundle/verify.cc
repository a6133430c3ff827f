#include "tools/bundle/verify.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "tools/bundle/bundle_errors.h"
#include "tools/bundle/signing.h"

namespace kaizen::bundle {
namespace {

namespace fs = std::filesystem;

// The whole of a regular file (not through a symlink) of at most
// `max_bytes` (checked before reading); false otherwise, `*too_big` set
// when the size was the reason.
bool ReadAll(const fs::path& path, int64_t max_bytes, std::string* out, bool* too_big) {
  *too_big = false;
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (st.st_size > max_bytes) {
    *too_big = true;
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return !in.bad() && static_cast<int64_t>(out->size()) <= max_bytes;
}

// The canonical path, or "" when it does not resolve.
std::string RealPath(const std::string& path) {
  char* p = realpath(path.c_str(), nullptr);
  if (p == nullptr) return "";
  std::string out = p;
  free(p);
  return out;
}

}  // namespace

absl::StatusOr<VerifiedBundle> VerifyBundle(const std::string& dir_arg,
                                            const std::string& public_key_path,
                                            const VerifyExpect& expect) {
  std::string dir = dir_arg;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();  // "b/" lists as "b"
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return IoError(absl::StrCat(dir, " is not a directory"));
  // Whoever can change a bundle can replace its public_key.pem: a key from
  // inside the directory proves nothing.
  std::string real_dir = RealPath(dir), real_key = RealPath(public_key_path);
  if (!real_dir.empty() && !real_key.empty() &&
      absl::StartsWith(real_key, real_dir == "/" ? "/" : real_dir + "/")) {
    return InvalidFlag("public_key",
                       "is inside the bundle directory; use the key you received separately");
  }
  std::string manifest_bytes, signature;
  bool too_big = false;
  if (!ReadAll(fs::path(dir) / kManifestFile, kMaxManifestBytes, &manifest_bytes, &too_big)) {
    return ManifestInvalid(too_big ? "larger than 16 MiB" : "missing or unreadable");
  }
  if (!ReadAll(fs::path(dir) / kSignatureFile, 4096, &signature, &too_big)) {
    return SignatureInvalid(too_big ? "larger than 4 KiB" : "missing or unreadable");
  }
  RETURN_IF_ERROR(VerifySignature(public_key_path, manifest_bytes, signature));
  ASSIGN_OR_RETURN(Manifest manifest, ParseManifest(manifest_bytes));
  if (manifest.municipality_code != expect.municipality_code) {
    return BundleMismatch("municipality", expect.municipality_code, manifest.municipality_code);
  }
  if (!expect.from.empty() && manifest.from != expect.from) {
    return BundleMismatch("from", expect.from, manifest.from);
  }
  if (!expect.to.empty() && manifest.to != expect.to) {
    return BundleMismatch("to", expect.to, manifest.to);
  }

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
  // Nothing else: walk everything (symlinks are not followed). The only
  // directory a bundle has is pdf/; any other, even empty, is refused.
  std::set<std::string> extra;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code entry_ec;  // a dangling symlink is just an unlisted file
    std::string rel = it->path().lexically_relative(dir).generic_string();
    if (it->is_directory(entry_ec) && !it->is_symlink(entry_ec)) {
      if (rel != "pdf") extra.insert(rel + "/");
      continue;
    }
    if (rel == kManifestFile || rel == kSignatureFile || listed.count(rel)) continue;
    extra.insert(rel);
  }
  if (ec) return IoError(absl::StrCat("cannot list ", dir));
  if (!extra.empty()) return FileUnlisted(*extra.begin());
  ASSIGN_OR_RETURN(std::string fingerprint, PublicKeyFingerprint(public_key_path));
  return VerifiedBundle{std::move(manifest), std::move(fingerprint)};
}

}  // namespace kaizen::bundle

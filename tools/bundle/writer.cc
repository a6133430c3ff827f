#include "tools/bundle/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "tools/bundle/bundle_errors.h"
#include "tools/bundle/manifest.h"
#include "tools/bundle/pdf.h"
#include "tools/bundle/pdf_canvas.h"
#include "tools/bundle/render_csv.h"
#include "tools/bundle/render_json.h"
#include "tools/bundle/signing.h"

namespace kaizen::bundle {
namespace {

namespace fs = std::filesystem;

absl::Status WriteFile(const std::string& dir, const std::string& rel,
                       const std::string& bytes) {
  std::string path = absl::StrCat(dir, "/", rel);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError(absl::StrCat("cannot create ", rel));
  bool ok = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  ok = close(fd) == 0 && ok;
  if (!ok) return IoError(absl::StrCat("cannot write ", rel));
  return absl::OkStatus();
}

// fsync a file or directory by path (durability before the rename).
absl::Status Sync(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(absl::StrCat("cannot open ", path, " to sync it"));
  bool ok = fsync(fd) == 0;
  close(fd);
  if (!ok) return IoError(absl::StrCat("cannot sync ", path));
  return absl::OkStatus();
}

absl::StatusOr<int> WriteInto(const std::string& tmp, const BundleData& data,
                              const WriteOptions& options) {
  ASSIGN_OR_RETURN(std::string public_pem, PublicKeyPem(options.signing_key_path));
  std::vector<std::string> files = {"bundle.json", "attendance.csv", "plan_stages.csv",
                                    "survey_profiles.csv", "public_key.pem"};
  ASSIGN_OR_RETURN(std::string json, RenderBundleJson(data));
  RETURN_IF_ERROR(WriteFile(tmp, "bundle.json", json));
  RETURN_IF_ERROR(WriteFile(tmp, "attendance.csv", RenderAttendanceCsv(data)));
  RETURN_IF_ERROR(WriteFile(tmp, "plan_stages.csv", RenderPlanStagesCsv(data)));
  RETURN_IF_ERROR(WriteFile(tmp, "survey_profiles.csv", RenderSurveyProfilesCsv(data)));
  RETURN_IF_ERROR(WriteFile(tmp, "public_key.pem", public_pem));
  if (mkdir(absl::StrCat(tmp, "/pdf").c_str(), 0700) != 0) {
    return IoError("cannot create pdf/");
  }
  PdfOptions pdf;
  pdf.font_family = options.font_family;
  for (const PersonResults& r : data.people) {
    std::string rel = PdfPath(r.person);
    // Created here 0600 (cairo's fopen then truncates it, keeping the mode).
    RETURN_IF_ERROR(WriteFile(tmp, rel, ""));
    RETURN_IF_ERROR(RenderPersonPdf(data, r, absl::StrCat(tmp, "/", rel), pdf));
    files.push_back(rel);
  }
  Manifest manifest;
  manifest.bundle_id = data.bundle_id;
  manifest.municipality_code = data.municipality_code;
  manifest.from = absl::FormatCivilTime(data.period.from);
  manifest.to = absl::FormatCivilTime(data.period.to);
  manifest.create_time = TokyoRfc3339(data.create_time);
  for (const std::string& rel : files) {
    RETURN_IF_ERROR(Sync(absl::StrCat(tmp, "/", rel)));
    ASSIGN_OR_RETURN(ManifestFile f, HashFile(tmp, rel));
    manifest.files.push_back(std::move(f));
  }
  std::string manifest_bytes = RenderManifest(std::move(manifest));
  ASSIGN_OR_RETURN(std::string signature, Sign(options.signing_key_path, manifest_bytes));
  RETURN_IF_ERROR(WriteFile(tmp, kManifestFile, manifest_bytes));
  RETURN_IF_ERROR(WriteFile(tmp, kSignatureFile, signature + "\n"));
  for (const char* rel : {kManifestFile, kSignatureFile}) {
    RETURN_IF_ERROR(Sync(absl::StrCat(tmp, "/", rel)));
  }
  RETURN_IF_ERROR(Sync(absl::StrCat(tmp, "/pdf")));
  RETURN_IF_ERROR(Sync(tmp));
  return static_cast<int>(files.size());
}

}  // namespace

std::string PdfPath(const Person& person) {
  return absl::StrCat("pdf/", person.cohort_id, "_", person.participant_id, ".pdf");
}

absl::Status CheckBeforeFetch(const WriteOptions& options) {
  RETURN_IF_ERROR(PublicKeyPem(options.signing_key_path).status());
  std::string out = options.out_dir;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out.empty()) return InvalidFlag("out", "is required");
  struct stat st;
  if (lstat(out.c_str(), &st) == 0) return OutputExists(out);  // a dangling symlink too
  if (errno != ENOENT) return IoError(absl::StrCat("cannot check ", out));
  std::string templ = out + ".tmp-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    return IoError(absl::StrCat("cannot create a directory next to ", out,
                                " (does its parent exist, and may we write there?)"));
  }
  rmdir(templ.c_str());
  return CheckFont(options.font_family);
}

absl::StatusOr<int> WriteBundle(const BundleData& data, const WriteOptions& options) {
  std::error_code ec;
  std::string out = options.out_dir;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out.empty()) return InvalidFlag("out", "is required");
  if (fs::exists(fs::symlink_status(out, ec))) return OutputExists(out);
  std::string templ = out + ".tmp-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    return IoError(absl::StrCat("cannot create a temporary directory next to ", out));
  }
  absl::StatusOr<int> n = WriteInto(templ, data, options);
  // RENAME_NOREPLACE: never replace a directory that appeared meanwhile.
  if (n.ok() && renameat2(AT_FDCWD, templ.c_str(), AT_FDCWD, out.c_str(), RENAME_NOREPLACE) != 0) {
    n = errno == EEXIST || errno == ENOTEMPTY ? OutputExists(out)
                                              : IoError(absl::StrCat("cannot rename to ", out));
  }
  if (!n.ok()) {
    fs::remove_all(templ, ec);
    return n.status();
  }
  fs::path parent = fs::absolute(out, ec).parent_path();
  (void)Sync(parent.string());  // the rename's durability; best effort
  // mkdtemp made it 0700 and it stays so: personal data, the operator
  // widens access on purpose (README.md).
  return n;
}

}  // namespace kaizen::bundle

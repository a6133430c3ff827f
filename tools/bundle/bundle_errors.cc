#include "tools/bundle/bundle_errors.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace kaizen::bundle {
namespace {
constexpr char kInvalidFlag[] = "INVALID_FLAG";
constexpr char kOutputExists[] = "OUTPUT_EXISTS";
constexpr char kKeyInvalid[] = "KEY_INVALID";
constexpr char kIoError[] = "IO_ERROR";
constexpr char kGatewayError[] = "GATEWAY_ERROR";
constexpr char kFontMissing[] = "FONT_MISSING";
constexpr char kPdfFailed[] = "PDF_FAILED";
constexpr char kManifestInvalid[] = "MANIFEST_INVALID";
constexpr char kSignatureInvalid[] = "SIGNATURE_INVALID";
constexpr char kFileMissing[] = "FILE_MISSING";
constexpr char kFileSizeMismatch[] = "FILE_SIZE_MISMATCH";
constexpr char kFileHashMismatch[] = "FILE_HASH_MISMATCH";
constexpr char kFileUnlisted[] = "FILE_UNLISTED";
constexpr char kRenderFailed[] = "RENDER_FAILED";
constexpr char kMunicipalityMismatch[] = "MUNICIPALITY_MISMATCH";
constexpr char kBundleMismatch[] = "BUNDLE_MISMATCH";
}  // namespace

absl::Status InvalidFlag(absl::string_view flag, absl::string_view message) {
  return errors::Error(absl::StatusCode::kInvalidArgument, kInvalidFlag,
                       absl::StrCat("--", flag, ": ", message));
}
absl::Status OutputExists(absl::string_view path) {
  return errors::Error(absl::StatusCode::kAlreadyExists, kOutputExists,
                       absl::StrCat(path, " already exists; refusing to overwrite it"));
}
absl::Status KeyInvalid(absl::string_view path, absl::string_view message) {
  return errors::Error(absl::StatusCode::kFailedPrecondition, kKeyInvalid,
                       absl::StrCat(path, ": ", message));
}
absl::Status IoError(absl::string_view what) {
  return errors::Error(absl::StatusCode::kInternal, kIoError, what);
}
absl::Status GatewayError(const absl::Status& remote, absl::string_view method) {
  std::string reason = errors::Reason(remote);
  return errors::Error(remote.code(), kGatewayError,
                       absl::StrCat(method, " failed: ", absl::StatusCodeToString(remote.code()),
                                    reason.empty() ? "" : absl::StrCat(" ", reason), ": ",
                                    remote.message()));
}
absl::Status FontMissing(absl::string_view family) {
  return errors::Error(absl::StatusCode::kFailedPrecondition, kFontMissing,
                       absl::StrCat("no installed font for \"", family,
                                    "\" covers Japanese; install fonts-ipaexfont-gothic"));
}
absl::Status PdfFailed(absl::string_view path, absl::string_view cairo_message) {
  return errors::Error(absl::StatusCode::kInternal, kPdfFailed,
                       absl::StrCat("writing ", path, " failed: ", cairo_message));
}
absl::Status RenderFailed(absl::string_view what) {
  return errors::Error(absl::StatusCode::kInternal, kRenderFailed,
                       absl::StrCat("cannot render ", what, " as JSON"));
}
absl::Status MunicipalityMismatch(absl::string_view flag_code, absl::string_view feed_code) {
  return errors::Error(
      absl::StatusCode::kFailedPrecondition, kMunicipalityMismatch,
      absl::StrCat("the feed of this API key holds people of municipality ", feed_code,
                   ", not --municipality ", flag_code, ": use ", flag_code,
                   "'s own partner key; nothing was pulled"));
}
absl::Status BundleMismatch(absl::string_view field, absl::string_view expected,
                            absl::string_view actual) {
  return errors::Error(absl::StatusCode::kFailedPrecondition, kBundleMismatch,
                       absl::StrCat("the bundle's ", field, " is ", actual, ", not ", expected,
                                    " (--", field, "): a genuine bundle, but not this one"));
}
absl::Status ManifestInvalid(absl::string_view message) {
  return errors::Error(absl::StatusCode::kDataLoss, kManifestInvalid,
                       absl::StrCat("manifest.json: ", message));
}
absl::Status SignatureInvalid(absl::string_view message) {
  return errors::Error(absl::StatusCode::kDataLoss, kSignatureInvalid,
                       absl::StrCat("manifest.sig: ", message));
}
absl::Status FileMissing(absl::string_view path) {
  return errors::Error(absl::StatusCode::kDataLoss, kFileMissing,
                       absl::StrCat(path, ": listed in the manifest but missing"));
}
absl::Status FileSizeMismatch(absl::string_view path, long long expected, long long actual) {
  return errors::Error(absl::StatusCode::kDataLoss, kFileSizeMismatch,
                       absl::StrCat(path, ": ", actual, " bytes, the manifest says ", expected));
}
absl::Status FileHashMismatch(absl::string_view path) {
  return errors::Error(absl::StatusCode::kDataLoss, kFileHashMismatch,
                       absl::StrCat(path, ": SHA-256 differs from the manifest"));
}
absl::Status FileUnlisted(absl::string_view path) {
  return errors::Error(absl::StatusCode::kDataLoss, kFileUnlisted,
                       absl::StrCat(path, ": not listed in the manifest"));
}

std::set<std::string> AllReasons() {
  return {kInvalidFlag,      kOutputExists,     kKeyInvalid,        kIoError,
          kGatewayError,     kFontMissing,      kPdfFailed,         kManifestInvalid,
          kSignatureInvalid, kFileMissing,      kFileSizeMismatch,  kFileHashMismatch,
          kFileUnlisted,     kRenderFailed,     kMunicipalityMismatch, kBundleMismatch};
}

}  // namespace kaizen::bundle

// The error catalog of kaizen_bundle: one factory per reason. Every status
// carries a google.rpc.ErrorInfo with the reason (common/status/errors.h);
// `kaizen_bundle` prints it as `<REASON>: <message>`. README.md's
// "Error reasons" lists exactly these (readme_test checks).
//
// Messages name files, flags and resource names of the programme, never a
// person's name or results.
#ifndef KAIZEN_TOOLS_BUNDLE_BUNDLE_ERRORS_H_
#define KAIZEN_TOOLS_BUNDLE_BUNDLE_ERRORS_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kaizen::bundle {

// INVALID_ARGUMENT: a flag is missing or malformed (`flag` names it).
absl::Status InvalidFlag(absl::string_view flag, absl::string_view message);
// ALREADY_EXISTS: keygen would overwrite a key file, or make an output directory.
absl::Status OutputExists(absl::string_view path);
// FAILED_PRECONDITION: a key file is unreadable or not an Ed25519 PEM key.
absl::Status KeyInvalid(absl::string_view path, absl::string_view message);
// INTERNAL: reading or writing a file failed (`what` says which and how).
absl::Status IoError(absl::string_view what);
// The gateway (or the service behind it) refused or failed a call: keeps the
// remote code; the message names the method and the remote reason.
absl::Status GatewayError(const absl::Status& remote, absl::string_view method);
// FAILED_PRECONDITION: no installed font covers Japanese (fonts-ipaexfont-gothic).
absl::Status FontMissing(absl::string_view family);
// INTERNAL: cairo failed to write a PDF.
absl::Status PdfFailed(absl::string_view path, absl::string_view cairo_message);
// INTERNAL: a result could not be rendered as JSON (`what` names it).
absl::Status RenderFailed(absl::string_view what);
// FAILED_PRECONDITION: the partner feed holds people of another municipality
// than --municipality (the API key is not that municipality's partner key).
absl::Status MunicipalityMismatch(absl::string_view flag_code, absl::string_view feed_code);

// verify (all DATA_LOSS): the bundle is not what was signed.
absl::Status ManifestInvalid(absl::string_view message);
absl::Status SignatureInvalid(absl::string_view message);
absl::Status FileMissing(absl::string_view path);
absl::Status FileSizeMismatch(absl::string_view path, long long expected, long long actual);
absl::Status FileHashMismatch(absl::string_view path);
absl::Status FileUnlisted(absl::string_view path);
// FAILED_PRECONDITION: a well-signed bundle, but not the one asked for
// (`field` is municipality, from or to).
absl::Status BundleMismatch(absl::string_view field, absl::string_view expected,
                            absl::string_view actual);

// Every reason above, for the README test.
std::set<std::string> AllReasons();

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_BUNDLE_ERRORS_H_

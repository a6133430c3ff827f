// bundle.json: everything in the bundle as one JSON document, one record per
// line under "records", sorted by record key (README.md "bundle.json" and
// "Record keys"). Deterministic: the same data gives the same bytes.
// RENDER_FAILED when a result proto cannot be written as JSON (never an
// empty object in its place: `make` fails instead).
#ifndef KAIZEN_TOOLS_BUNDLE_RENDER_JSON_H_
#define KAIZEN_TOOLS_BUNDLE_RENDER_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/bundle/model.h"

namespace kaizen::bundle {

absl::StatusOr<std::string> RenderBundleJson(const BundleData& data);

// A JSON string literal (quotes included; UTF-8 kept, controls escaped).
std::string JsonQuote(absl::string_view s);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_RENDER_JSON_H_

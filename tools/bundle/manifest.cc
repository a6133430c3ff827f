#include "tools/bundle/manifest.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "openssl/evp.h"
#include "tools/bundle/bundle_errors.h"
#include "tools/bundle/render_json.h"

namespace kaizen::bundle {
namespace {

constexpr char kFormat[] = "kaizen-bundle-manifest/1";

std::string Hex(const unsigned char* d, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[d[i] >> 4];
    out += kDigits[d[i] & 15];
  }
  return out;
}

bool IsHex64(absl::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

using google::protobuf::Struct;
using google::protobuf::Value;

absl::StatusOr<std::string> StringField(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  if (it == s.fields().end() || it->second.kind_case() != Value::kStringValue) {
    return ManifestInvalid(absl::StrCat("\"", name, "\" is missing or not a string"));
  }
  return it->second.string_value();
}

}  // namespace

bool IsSafeRelativePath(absl::string_view path) {
  if (path.empty() || path.size() > 255) return false;
  for (absl::string_view seg : absl::StrSplit(path, '/')) {
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (char c : seg) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
  }
  return true;
}

absl::StatusOr<ManifestFile> HashFile(const std::string& dir, const std::string& path) {
  std::ifstream in(absl::StrCat(dir, "/", path), std::ios::binary);
  if (!in) return IoError(absl::StrCat("cannot read ", path));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  ManifestFile f;
  f.path = path;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof(buf));
    std::streamsize n = in.gcount();
    if (n > 0) {
      EVP_DigestUpdate(ctx, buf, n);
      f.size += n;
    }
  }
  bool failed = in.bad();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_DigestFinal_ex(ctx, md, &md_len);
  EVP_MD_CTX_free(ctx);
  if (failed) return IoError(absl::StrCat("cannot read ", path));
  f.sha256 = Hex(md, md_len);
  return f;
}

std::string RenderManifest(Manifest m) {
  std::sort(m.files.begin(), m.files.end(),
            [](const ManifestFile& a, const ManifestFile& b) { return a.path < b.path; });
  std::string out = absl::StrCat(
      "{\n  \"format\": \"", kFormat, "\",\n  \"bundleId\": ", JsonQuote(m.bundle_id),
      ",\n  \"municipalityCode\": ", JsonQuote(m.municipality_code),
      ",\n  \"period\": {\"from\": ", JsonQuote(m.from), ", \"to\": ", JsonQuote(m.to),
      ", \"timeZone\": \"Asia/Tokyo\"},\n  \"createTime\": ", JsonQuote(m.create_time),
      ",\n  \"toolVersion\": ", JsonQuote(m.tool_version), ",\n  \"files\": [\n");
  for (size_t i = 0; i < m.files.size(); ++i) {
    const ManifestFile& f = m.files[i];
    absl::StrAppend(&out, "    {\"sha256\": \"", f.sha256, "\", \"size\": ", f.size,
                    ", \"path\": \"", f.path, "\"}", i + 1 < m.files.size() ? "," : "", "\n");
  }
  return out + "  ]\n}\n";
}

absl::StatusOr<Manifest> ParseManifest(absl::string_view json) {
  Struct root;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &root).ok()) {
    return ManifestInvalid("not a JSON object");
  }
  Manifest m;
  absl::StatusOr<std::string> format = StringField(root, "format");
  if (!format.ok()) return format.status();
  if (*format != kFormat) return ManifestInvalid(absl::StrCat("unknown format ", *format));
  for (auto [name, out] : {std::pair{"bundleId", &m.bundle_id},
                           std::pair{"municipalityCode", &m.municipality_code},
                           std::pair{"createTime", &m.create_time},
                           std::pair{"toolVersion", &m.tool_version}}) {
    absl::StatusOr<std::string> v = StringField(root, name);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  auto period = root.fields().find("period");
  if (period == root.fields().end() || !period->second.has_struct_value()) {
    return ManifestInvalid("\"period\" is missing");
  }
  absl::StatusOr<std::string> from = StringField(period->second.struct_value(), "from");
  absl::StatusOr<std::string> to = StringField(period->second.struct_value(), "to");
  if (!from.ok()) return from.status();
  if (!to.ok()) return to.status();
  m.from = *from;
  m.to = *to;
  auto files = root.fields().find("files");
  if (files == root.fields().end() || !files->second.has_list_value()) {
    return ManifestInvalid("\"files\" is missing or not a list");
  }
  std::set<std::string> seen;
  for (const Value& v : files->second.list_value().values()) {
    if (!v.has_struct_value()) return ManifestInvalid("a \"files\" entry is not an object");
    const Struct& s = v.struct_value();
    ManifestFile f;
    absl::StatusOr<std::string> path = StringField(s, "path");
    absl::StatusOr<std::string> sha = StringField(s, "sha256");
    if (!path.ok()) return path.status();
    if (!sha.ok()) return sha.status();
    auto size = s.fields().find("size");
    if (!IsSafeRelativePath(*path)) return ManifestInvalid("a path is not a safe relative path");
    if (*path == kManifestFile || *path == kSignatureFile) {
      return ManifestInvalid(absl::StrCat(*path, " cannot list itself"));
    }
    if (!IsHex64(*sha)) return ManifestInvalid(absl::StrCat(*path, ": sha256 is not 64 hex"));
    if (size == s.fields().end() || size->second.kind_case() != Value::kNumberValue ||
        size->second.number_value() < 0 || size->second.number_value() > 1e15 ||
        size->second.number_value() != static_cast<int64_t>(size->second.number_value())) {
      return ManifestInvalid(absl::StrCat(*path, ": size is not a byte count"));
    }
    if (!seen.insert(*path).second) return ManifestInvalid(absl::StrCat(*path, " listed twice"));
    f.path = *path;
    f.sha256 = *sha;
    f.size = static_cast<int64_t>(size->second.number_value());
    m.files.push_back(std::move(f));
  }
  return m;
}

}  // namespace kaizen::bundle

#include "services/gateway/proto_docs.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "common/status/errors.h"
#include "google/protobuf/descriptor.pb.h"

namespace kaizen::gateway {
namespace {

using google::protobuf::FileDescriptorProto;
using google::protobuf::SourceLocation;

absl::Status Invalid(absl::string_view what) {
  return errors::InvalidField("descriptor_sets", what);
}

// " Line one.\n Line two.\n" -> "Line one.\nLine two."
std::string Clean(const std::string& raw) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(raw, '\n')) {
    absl::ConsumePrefix(&line, " ");
    lines.push_back(std::string(absl::StripTrailingAsciiWhitespace(line)));
  }
  return std::string(absl::StripAsciiWhitespace(absl::StrJoin(lines, "\n")));
}

template <typename D>
std::string CommentOf(const D* d) {
  if (d == nullptr) return "";
  SourceLocation location;
  if (!d->GetSourceLocation(&location)) return "";
  std::string text = Clean(location.leading_comments);
  if (text.empty()) text = Clean(location.trailing_comments);
  return text;
}

// Builds `name` after its imports (depth first); `building` stops cycles.
absl::Status BuildFile(const std::string& name,
                       const std::map<std::string, FileDescriptorProto>& files,
                       std::set<std::string>* building, google::protobuf::DescriptorPool* pool,
                       int* built) {
  if (pool->FindFileByName(name) != nullptr) return absl::OkStatus();
  auto it = files.find(name);
  if (it == files.end()) return Invalid(absl::StrCat("import ", name, " is not in the sets"));
  if (!building->insert(name).second) return Invalid(absl::StrCat("import cycle at ", name));
  for (const std::string& dep : it->second.dependency()) {
    absl::Status s = BuildFile(dep, files, building, pool, built);
    if (!s.ok()) return s;
  }
  if (pool->BuildFile(it->second) == nullptr) {
    return Invalid(absl::StrCat("file ", name, " does not build"));
  }
  ++*built;
  return absl::OkStatus();
}

}  // namespace

ProtoDocs::ProtoDocs() : pool_(std::make_unique<google::protobuf::DescriptorPool>()) {}
ProtoDocs::~ProtoDocs() = default;
ProtoDocs::ProtoDocs(ProtoDocs&&) noexcept = default;
ProtoDocs& ProtoDocs::operator=(ProtoDocs&&) noexcept = default;

absl::StatusOr<ProtoDocs> ProtoDocs::FromDescriptorSets(const std::vector<std::string>& sets) {
  std::map<std::string, FileDescriptorProto> files;
  for (const std::string& bytes : sets) {
    google::protobuf::FileDescriptorSet set;
    if (!set.ParseFromString(bytes)) return Invalid("a descriptor set does not parse");
    for (FileDescriptorProto& file : *set.mutable_file()) {
      const std::string name = file.name();
      files.emplace(name, std::move(file));  // the first copy of a shared import wins
    }
  }
  ProtoDocs docs;
  std::set<std::string> building;
  for (const auto& [name, file] : files) {
    absl::Status s = BuildFile(name, files, &building, docs.pool_.get(), &docs.file_count_);
    if (!s.ok()) return s;
  }
  return docs;
}

std::string ProtoDocs::Comment(const google::protobuf::ServiceDescriptor* d) const {
  return CommentOf(pool_->FindServiceByName(d->full_name()));
}
std::string ProtoDocs::Comment(const google::protobuf::MethodDescriptor* d) const {
  return CommentOf(pool_->FindMethodByName(d->full_name()));
}
std::string ProtoDocs::Comment(const google::protobuf::Descriptor* d) const {
  return CommentOf(pool_->FindMessageTypeByName(d->full_name()));
}
std::string ProtoDocs::Comment(const google::protobuf::FieldDescriptor* d) const {
  if (d->is_extension()) return CommentOf(pool_->FindExtensionByName(d->full_name()));
  return CommentOf(pool_->FindFieldByName(d->full_name()));
}
std::string ProtoDocs::Comment(const google::protobuf::EnumDescriptor* d) const {
  return CommentOf(pool_->FindEnumTypeByName(d->full_name()));
}
std::string ProtoDocs::Comment(const google::protobuf::EnumValueDescriptor* d) const {
  return CommentOf(pool_->FindEnumValueByName(d->full_name()));
}

}  // namespace kaizen::gateway

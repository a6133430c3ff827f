#include "services/gateway/field_paths.h"

#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "google/rpc/error_details.pb.h"

namespace kaizen::gateway {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

std::string JsonFieldPath(absl::string_view path, const Descriptor* message) {
  std::vector<std::string> out;
  const Descriptor* current = message;
  for (absl::string_view segment : absl::StrSplit(path, '.')) {
    const size_t bracket = segment.find('[');
    const absl::string_view name = segment.substr(0, bracket);
    const absl::string_view suffix =
        bracket == absl::string_view::npos ? absl::string_view() : segment.substr(bracket);
    const FieldDescriptor* f = nullptr;
    if (current != nullptr) {
      f = current->FindFieldByName(std::string(name));
      if (f == nullptr) f = current->FindFieldByCamelcaseName(std::string(name));
    }
    if (f == nullptr) {
      current = nullptr;  // unknown from here on: keep the rest verbatim
      out.emplace_back(segment);
      continue;
    }
    out.push_back(f->json_name() + std::string(suffix));
    current = nullptr;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      current = f->message_type();
      if (f->is_map()) {
        // "labels[key].x": the suffix picked a value; "labels.key" has no
        // field below it.
        const FieldDescriptor* value = current->map_value();
        current = suffix.empty() || value->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE
                      ? nullptr
                      : value->message_type();
      }
    }
  }
  return absl::StrJoin(out, ".");
}

absl::Status WithJsonFieldPaths(const absl::Status& status, const Descriptor* request) {
  if (status.ok() || request == nullptr) return status;
  absl::Status out = status;
  if (std::optional<google::rpc::BadRequest> bad = errors::GetBadRequest(status)) {
    for (auto& v : *bad->mutable_field_violations()) {
      v.set_field(JsonFieldPath(v.field(), request));
    }
    out.SetPayload(errors::TypeUrl("google.rpc.BadRequest"), absl::Cord(bad->SerializeAsString()));
  }
  if (std::optional<google::rpc::ErrorInfo> info = errors::GetErrorInfo(status)) {
    auto it = info->mutable_metadata()->find("field");
    if (it != info->mutable_metadata()->end()) {
      it->second = JsonFieldPath(it->second, request);
      out.SetPayload(errors::TypeUrl("google.rpc.ErrorInfo"),
                     absl::Cord(info->SerializeAsString()));
    }
  }
  return out;
}

}  // namespace kaizen::gateway

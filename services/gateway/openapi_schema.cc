// The schemas of the OpenAPI document (openapi.h) from the protobuf
// descriptors: the methods of internal::Builder (openapi_schema.h), i.e. field
// and message schemas, well-known types in their JSON forms, component
// schemas and query parameters. The document around them is in openapi.cc.
#include "services/gateway/openapi_schema.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/api/field_behavior.pb.h"
#include "google/protobuf/descriptor.h"
#include "services/gateway/json.h"

namespace kaizen::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

constexpr int kMaxQueryDepth = 3;

std::string Ref(const Descriptor* d) {
  return absl::StrCat("#/components/schemas/", d->full_name());
}

bool HasBehavior(const FieldDescriptor* f, google::api::FieldBehavior behavior) {
  const auto& behaviors = f->options().GetRepeatedExtension(google::api::field_behavior);
  return std::find(behaviors.begin(), behaviors.end(), behavior) != behaviors.end();
}

}  // namespace

namespace internal {

Json Builder::PropertyForField(const FieldDescriptor* f) {
  Json schema = SchemaForField(f);
  std::string description = Doc(f);
  if (f->enum_type() != nullptr) {
    std::string values;
    for (int i = 0; i < f->enum_type()->value_count(); ++i) {
      const auto* v = f->enum_type()->value(i);
      const std::string doc = docs_ ? docs_->Comment(v) : "";
      if (doc.empty()) continue;
      absl::StrAppend(&values, "\n- `", v->name(), "`: ", absl::StrReplaceAll(doc, {{"\n", " "}}));
    }
    if (!values.empty()) absl::StrAppend(&description, description.empty() ? "" : "\n", values);
  }
  if (HasBehavior(f, google::api::IMMUTABLE)) {
    absl::StrAppend(&description, description.empty() ? "" : "\n\n",
                    "Immutable: set when the resource is created, not changed afterwards.");
  }
  const bool read_only = HasBehavior(f, google::api::OUTPUT_ONLY);
  if (description.empty() && !read_only) return schema;
  if (schema.Find("$ref") != nullptr) schema = Json::Object().Set("allOf", Json::Array().Push(std::move(schema)));
  if (!description.empty()) schema.Set("description", Json::Str(description));
  if (read_only) schema.Set("readOnly", Json::Bool(true));
  return schema;
}

Json Builder::SchemaForField(const FieldDescriptor* f) {
  if (f->is_map()) {
    return Json::Object()
        .Set("type", Json::Str("object"))
        .Set("additionalProperties", SchemaForSingle(f->message_type()->map_value()));
  }
  Json single = SchemaForSingle(f);
  if (!f->is_repeated()) return single;
  return Json::Object().Set("type", Json::Str("array")).Set("items", std::move(single));
}

Json Builder::SchemaForSingle(const FieldDescriptor* f) {
  auto typed = [](const char* type, const char* format = nullptr) {
    Json j = Json::Object().Set("type", Json::Str(type));
    if (format != nullptr) j.Set("format", Json::Str(format));
    return j;
  };
  switch (f->type()) {
    case FieldDescriptor::TYPE_DOUBLE:
      return typed("number", "double");
    case FieldDescriptor::TYPE_FLOAT:
      return typed("number", "float");
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return typed("string", "int64");
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      return typed("string", "uint64");
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return typed("integer", "int32");
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return typed("integer", "int64").Set("minimum", Json::Int(0));
    case FieldDescriptor::TYPE_BOOL:
      return typed("boolean");
    case FieldDescriptor::TYPE_STRING:
      return typed("string");
    case FieldDescriptor::TYPE_BYTES:
      return typed("string", "byte");
    case FieldDescriptor::TYPE_ENUM: {
      Json values = Json::Array();
      for (int i = 0; i < f->enum_type()->value_count(); ++i) {
        values.Push(Json::Str(f->enum_type()->value(i)->name()));
      }
      return typed("string").Set("enum", std::move(values));
    }
    case FieldDescriptor::TYPE_MESSAGE:
    case FieldDescriptor::TYPE_GROUP:
      return SchemaForMessage(f->message_type());
  }
  return Json::Object();
}

Json Builder::SchemaForMessage(const Descriptor* d) {
  const std::string& n = d->full_name();
  auto typed = [](const char* type, const char* format = nullptr) {
    Json j = Json::Object().Set("type", Json::Str(type));
    if (format != nullptr) j.Set("format", Json::Str(format));
    return j;
  };
  if (n == "google.protobuf.Timestamp") return typed("string", "date-time");
  if (n == "google.protobuf.Duration") {
    return typed("string").Set("pattern", Json::Str("^-?[0-9]+(\\.[0-9]{1,9})?s$"));
  }
  if (n == "google.protobuf.FieldMask") return typed("string");
  if (n == "google.protobuf.Struct") {
    return typed("object").Set("additionalProperties", Json::Bool(true));
  }
  if (n == "google.protobuf.Value") return Json::Object();
  if (n == "google.protobuf.ListValue") return typed("array").Set("items", Json::Object());
  if (n == "google.protobuf.Empty") return typed("object");
  if (n == "google.protobuf.Any") {
    return typed("object")
        .Set("properties",
             Json::Object().Set("@type", typed("string")))
        .Set("additionalProperties", Json::Bool(true));
  }
  if (absl::StartsWith(n, "google.protobuf.") && absl::EndsWith(n, "Value")) {
    return SchemaForSingle(d->FindFieldByName("value"));  // wrappers
  }
  if (seen_.insert(d).second) pending_.push_back(d);
  return Json::Object().Set("$ref", Json::Str(Ref(d)));
}

Json Builder::ComponentSchema(const Descriptor* d) {
  Json properties = Json::Object();
  Json required = Json::Array();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    properties.Set(f->json_name(), PropertyForField(f));
    if (HasBehavior(f, google::api::REQUIRED)) required.Push(Json::Str(f->json_name()));
  }
  std::string description = Doc(d);
  if (description.empty()) description = absl::StrCat("Protocol Buffers message ", d->full_name(), ".");
  Json schema = Json::Object()
                    .Set("type", Json::Str("object"))
                    .Set("description", Json::Str(description))
                    .Set("properties", std::move(properties));
  if (required.size() > 0) schema.Set("required", std::move(required));
  return schema;
}

void Builder::EmitComponents(Json* schemas) {
  while (!pending_.empty()) {
    const Descriptor* d = pending_.front();
    pending_.erase(pending_.begin());
    schemas->Set(d->full_name(), ComponentSchema(d));
  }
}

void Builder::QueryParameters(const Descriptor* d, const std::string& prefix,
                              const std::set<std::string>& bound, const FieldDescriptor* body_field,
                              int depth, Json* out) {
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (depth == 0 && f == body_field) continue;
    const std::string proto_path = absl::StrCat(prefix.empty() ? "" : prefix, f->name());
    if (bound.count(proto_path) > 0) continue;
    const std::string name = absl::StrCat(json_prefix_stack_.empty() ? "" : json_prefix_stack_.back(), f->json_name());
    if (f->is_map()) continue;
    const bool message = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (message && !IsStringForm(f->message_type())) {
      if (f->is_repeated() || depth + 1 >= kMaxQueryDepth) continue;
      if (!on_path_.insert(f->message_type()).second) continue;  // recursion
      json_prefix_stack_.push_back(name + ".");
      QueryParameters(f->message_type(), proto_path + ".", bound, body_field, depth + 1, out);
      json_prefix_stack_.pop_back();
      on_path_.erase(f->message_type());
      continue;
    }
    Json param = Json::Object()
                     .Set("name", Json::Str(name))
                     .Set("in", Json::Str("query"))
                     .Set("required", Json::Bool(depth == 0 && HasBehavior(f, google::api::REQUIRED)))
                     .Set("schema", SchemaForField(f));
    const std::string doc = Doc(f);
    if (!doc.empty()) param.Set("description", Json::Str(doc));
    out->Push(std::move(param));
  }
}

bool Builder::IsStringForm(const Descriptor* d) {
  const std::string& n = d->full_name();
  return n == "google.protobuf.Timestamp" || n == "google.protobuf.Duration" ||
         n == "google.protobuf.FieldMask" ||
         (absl::StartsWith(n, "google.protobuf.") && absl::EndsWith(n, "Value") &&
          n != "google.protobuf.Value" && n != "google.protobuf.ListValue");
}

}  // namespace internal
}  // namespace kaizen::gateway

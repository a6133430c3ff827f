// Internal to services/gateway:openapi. The schemas of the OpenAPI document,
// generated from the protobuf descriptors (openapi_schema.cc): internal::Builder
// turns fields and messages into JSON schemas and query parameters, with their
// comments and field behaviors, and collects a component schema for every
// message referenced. openapi.cc assembles the document around them (paths,
// operations, responses, tags, security).
#ifndef KAIZEN_SERVICES_GATEWAY_OPENAPI_SCHEMA_H_
#define KAIZEN_SERVICES_GATEWAY_OPENAPI_SCHEMA_H_

#include <set>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "services/gateway/json.h"
#include "services/gateway/proto_docs.h"

namespace kaizen::gateway {
namespace internal {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

class Builder {
 public:
  explicit Builder(const ProtoDocs* docs) : docs_(docs) {}

  std::string Doc(const FieldDescriptor* f) const { return docs_ ? docs_->Comment(f) : ""; }
  std::string Doc(const Descriptor* d) const { return docs_ ? docs_->Comment(d) : ""; }
  std::string Doc(const google::protobuf::MethodDescriptor* d) const {
    return docs_ ? docs_->Comment(d) : "";
  }
  std::string Doc(const google::protobuf::ServiceDescriptor* d) const {
    return docs_ ? docs_->Comment(d) : "";
  }

  // A property: the field's schema with its comment, readOnly for
  // OUTPUT_ONLY and a note for IMMUTABLE. A $ref cannot have siblings in
  // OpenAPI 3.0, so a documented message field is wrapped in allOf.
  Json PropertyForField(const FieldDescriptor* f);

  Json SchemaForField(const FieldDescriptor* f);

  // The schema of one value of `f` (ignoring repetition).
  Json SchemaForSingle(const FieldDescriptor* f);

  // Well-known types inline; other messages as a $ref (queued for components).
  Json SchemaForMessage(const Descriptor* d);

  Json ComponentSchema(const Descriptor* d);

  // Drains the queue of referenced messages into component schemas.
  void EmitComponents(Json* schemas);

  // Unbound scalar (and well-known string-form) fields as query parameters.
  void QueryParameters(const Descriptor* d, const std::string& prefix,
                       const std::set<std::string>& bound, const FieldDescriptor* body_field,
                       int depth, Json* out);

  static bool IsStringForm(const Descriptor* d);

 private:
  const ProtoDocs* docs_;
  std::set<const Descriptor*> seen_;
  std::vector<const Descriptor*> pending_;
  std::set<const Descriptor*> on_path_;
  std::vector<std::string> json_prefix_stack_;
};

}  // namespace internal
}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_OPENAPI_SCHEMA_H_

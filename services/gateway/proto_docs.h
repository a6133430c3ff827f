// The comments of the API protos, for the OpenAPI descriptions.
//
// The descriptors linked into the binary (DescriptorPool::generated_pool())
// carry no SourceCodeInfo, so protoc writes a FileDescriptorSet with
// --include_source_info at build time (tools/proto.bzl) and the gateway
// embeds it (linked_apis.bzl, LinkedApiDescriptorSets()). ProtoDocs loads
// those sets into a pool of its own and answers "what is the comment of
// this element" by full name, for elements of any pool (normally the
// generated one).
//
// Comments are the leading comment (else the trailing one) with the comment
// markers' single leading space removed, lines joined as written and the
// whole trimmed. An element that has none, or that is not in the sets,
// gives "".
#ifndef KAIZEN_SERVICES_GATEWAY_PROTO_DOCS_H_
#define KAIZEN_SERVICES_GATEWAY_PROTO_DOCS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"

namespace kaizen::gateway {

class ProtoDocs {
 public:
  // No comments at all (every lookup gives "").
  ProtoDocs();
  ~ProtoDocs();
  ProtoDocs(ProtoDocs&&) noexcept;
  ProtoDocs& operator=(ProtoDocs&&) noexcept;

  // From serialized FileDescriptorSets; a file in several sets (imports) is
  // loaded once. INVALID_ARGUMENT when a set does not parse or a file does
  // not build (a missing import).
  static absl::StatusOr<ProtoDocs> FromDescriptorSets(const std::vector<std::string>& sets);

  std::string Comment(const google::protobuf::ServiceDescriptor* d) const;
  std::string Comment(const google::protobuf::MethodDescriptor* d) const;
  std::string Comment(const google::protobuf::Descriptor* d) const;
  std::string Comment(const google::protobuf::FieldDescriptor* d) const;
  std::string Comment(const google::protobuf::EnumDescriptor* d) const;
  std::string Comment(const google::protobuf::EnumValueDescriptor* d) const;

  // Number of files loaded (tests).
  int file_count() const { return file_count_; }

 private:
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  int file_count_ = 0;
};

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_PROTO_DOCS_H_

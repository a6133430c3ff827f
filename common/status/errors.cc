#include "common/status/errors.h"

#include <cstdint>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace kaizen::errors {
namespace {

// Details are proto3 strings, which must be UTF-8: one invalid byte makes the
// whole detail unparseable and the client loses the reason. Errors name
// client bytes (an unknown query parameter, a path value), so each byte that
// is not part of valid UTF-8 becomes U+FFFD (found by json_transcode_fuzzer).
std::string Utf8(absl::string_view s) {
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    uint32_t code_point = n > 1 ? c & (0x7F >> n) : c;
    for (size_t k = 1; ok && k < n; ++k) {
      const unsigned char next = static_cast<unsigned char>(s[i + k]);
      ok = (next & 0xC0) == 0x80;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (ok && n > 1) {
      ok = code_point >= kMin[n] && code_point <= 0x10FFFF &&
           (code_point < 0xD800 || code_point > 0xDFFF);
    }
    if (ok) {
      out.append(s.data() + i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

template <typename Message>
void Attach(absl::Status& status, const Message& detail) {
  status.SetPayload(TypeUrl(Message::descriptor()->full_name()),
                    absl::Cord(detail.SerializeAsString()));
}

template <typename Message>
std::optional<Message> Get(const absl::Status& status) {
  auto payload =
      status.GetPayload(TypeUrl(Message::descriptor()->full_name()));
  if (!payload.has_value()) return std::nullopt;
  Message message;
  if (!message.ParseFromString(std::string(*payload))) return std::nullopt;
  return message;
}

absl::Status WithResource(absl::Status status, absl::string_view type,
                          absl::string_view name) {
  google::rpc::ResourceInfo info;
  info.set_resource_type(std::string(type));
  info.set_resource_name(Utf8(name));
  Attach(status, info);
  return status;
}

}  // namespace

std::string TypeUrl(absl::string_view full_message_name) {
  return absl::StrCat("type.googleapis.com/", full_message_name);
}

absl::Status Error(absl::StatusCode code, absl::string_view reason,
                   absl::string_view message, const Metadata& metadata) {
  absl::Status status(code, Utf8(message));
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(kDomain));
  for (const auto& [key, value] : metadata) (*info.mutable_metadata())[Utf8(key)] = Utf8(value);
  Attach(status, info);
  return status;
}

absl::Status InvalidArgument(absl::string_view reason,
                             const std::vector<FieldViolation>& violations,
                             absl::string_view message) {
  std::string text(message);
  if (text.empty()) {
    text = violations.empty()
               ? "the request is invalid"
               : absl::StrCat(violations.front().field, ": ",
                              violations.front().description);
  }
  Metadata metadata;
  if (!violations.empty()) metadata["field"] = violations.front().field;
  absl::Status status =
      Error(absl::StatusCode::kInvalidArgument, reason, text, metadata);
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations) {
    auto* out = bad_request.add_field_violations();
    out->set_field(Utf8(v.field));
    out->set_description(Utf8(v.description));
  }
  Attach(status, bad_request);
  return status;
}

absl::Status InvalidField(absl::string_view field, absl::string_view description,
                          absl::string_view reason) {
  return InvalidArgument(
      reason, {FieldViolation{std::string(field), std::string(description)}});
}

absl::Status NotFound(absl::string_view resource_type, absl::string_view name) {
  return WithResource(
      Error(absl::StatusCode::kNotFound, "NOT_FOUND",
            absl::StrCat(resource_type, " not found: ", name),
            {{"resource_type", std::string(resource_type)}}),
      resource_type, name);
}

absl::Status AlreadyExists(absl::string_view resource_type,
                           absl::string_view name, absl::string_view reason) {
  return WithResource(
      Error(absl::StatusCode::kAlreadyExists, reason,
            absl::StrCat(resource_type, " already exists: ", name),
            {{"resource_type", std::string(resource_type)}}),
      resource_type, name);
}

absl::Status FailedPrecondition(absl::string_view reason,
                                absl::string_view message,
                                const Metadata& metadata) {
  return Error(absl::StatusCode::kFailedPrecondition, reason, message, metadata);
}

absl::Status EtagMismatch(absl::string_view resource_name) {
  return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH",
               absl::StrCat(resource_name,
                            " was changed by someone else; read it again and "
                            "retry with the new etag"),
               {{"resource_name", std::string(resource_name)}});
}

absl::Status PermissionDenied(absl::string_view reason,
                              absl::string_view message) {
  return Error(absl::StatusCode::kPermissionDenied, reason, message);
}

absl::Status Unauthenticated(absl::string_view reason,
                             absl::string_view message) {
  return Error(absl::StatusCode::kUnauthenticated, reason, message);
}

absl::Status ResourceExhausted(absl::string_view reason,
                               absl::string_view message,
                               const Metadata& metadata) {
  return Error(absl::StatusCode::kResourceExhausted, reason, message, metadata);
}

absl::Status Unavailable(absl::string_view reason, absl::string_view message) {
  return Error(absl::StatusCode::kUnavailable, reason, message);
}

absl::Status Internal(absl::string_view message) {
  return Error(absl::StatusCode::kInternal, "INTERNAL", message);
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  google::rpc::RetryInfo info;
  const int64_t micros = absl::ToInt64Microseconds(delay);
  info.mutable_retry_delay()->set_seconds(micros / 1000000);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  Attach(status, info);
  return status;
}

std::optional<google::rpc::RetryInfo> GetRetryInfo(const absl::Status& status) {
  return Get<google::rpc::RetryInfo>(status);
}

std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status) {
  return Get<google::rpc::ErrorInfo>(status);
}

std::optional<google::rpc::BadRequest> GetBadRequest(const absl::Status& status) {
  return Get<google::rpc::BadRequest>(status);
}

std::optional<google::rpc::ResourceInfo> GetResourceInfo(
    const absl::Status& status) {
  return Get<google::rpc::ResourceInfo>(status);
}

std::string Reason(const absl::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

}  // namespace kaizen::errors

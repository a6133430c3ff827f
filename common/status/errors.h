// Named error factories: every error Kaizen returns is built here, so each one
// carries a stable machine-readable reason (google.rpc.ErrorInfo) and, for bad
// input, the offending fields (google.rpc.BadRequest).
//
// Details travel as absl::Status payloads keyed by their type URL
// ("type.googleapis.com/google.rpc.ErrorInfo"); common/status/grpc_status.h
// turns them into gRPC's status details and back. Domain code includes only
// this header, never gRPC.
//
// Which code when (docs/errors.md has the full table):
//   INVALID_ARGUMENT     the request itself is wrong, whatever the state
//   NOT_FOUND            the named resource does not exist (or is not visible)
//   ALREADY_EXISTS       a create collides with an existing resource
//   FAILED_PRECONDITION  the request is fine but the resource's state forbids it
//   ABORTED              etag mismatch or transaction conflict: re-read, retry
//   RESOURCE_EXHAUSTED   a limit or quota was hit
//   PERMISSION_DENIED    authenticated, but not allowed to do this
//   UNAUTHENTICATED      no valid credential
//   UNAVAILABLE          a dependency is down: retry later
//   INTERNAL             a bug or a storage failure; the message says nothing more
#ifndef KAIZEN_COMMON_STATUS_ERRORS_H_
#define KAIZEN_COMMON_STATUS_ERRORS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"

namespace kaizen::errors {

// ErrorInfo.domain for every Kaizen error.
inline constexpr absl::string_view kDomain = "kaizen";

// One wrong field of a request. `field` is the proto field path in
// lowerCamelCase-free snake form, e.g. "application.members[0].birth_date".
struct FieldViolation {
  std::string field;
  std::string description;
};

using Metadata = std::map<std::string, std::string>;

// The general factory: `reason` is UPPER_SNAKE_CASE and stable forever.
absl::Status Error(absl::StatusCode code, absl::string_view reason,
                   absl::string_view message, const Metadata& metadata = {});

// INVALID_ARGUMENT with one BadRequest violation per field. `message` defaults
// to the first violation's description.
absl::Status InvalidArgument(absl::string_view reason,
                             const std::vector<FieldViolation>& violations,
                             absl::string_view message = "");

// INVALID_ARGUMENT for a single field; reason defaults to INVALID_FIELD.
absl::Status InvalidField(absl::string_view field, absl::string_view description,
                          absl::string_view reason = "INVALID_FIELD");

// NOT_FOUND with ResourceInfo. Reason: NOT_FOUND.
absl::Status NotFound(absl::string_view resource_type, absl::string_view name);

// ALREADY_EXISTS with ResourceInfo.
absl::Status AlreadyExists(absl::string_view resource_type,
                           absl::string_view name,
                           absl::string_view reason = "ALREADY_EXISTS");

absl::Status FailedPrecondition(absl::string_view reason,
                                absl::string_view message,
                                const Metadata& metadata = {});

// ABORTED for an etag that no longer matches. Reason: ETAG_MISMATCH.
absl::Status EtagMismatch(absl::string_view resource_name);

absl::Status PermissionDenied(absl::string_view reason,
                              absl::string_view message);

absl::Status Unauthenticated(absl::string_view reason,
                             absl::string_view message);

absl::Status ResourceExhausted(absl::string_view reason,
                               absl::string_view message,
                               const Metadata& metadata = {});

absl::Status Unavailable(absl::string_view reason, absl::string_view message);

// INTERNAL with reason INTERNAL. The message is for people; keep it free of
// SQL, stack traces and personal data.
absl::Status Internal(absl::string_view message);

// Reading details back (tests, the gateway, clients of other services).
std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status);
std::optional<google::rpc::BadRequest> GetBadRequest(const absl::Status& status);
std::optional<google::rpc::ResourceInfo> GetResourceInfo(
    const absl::Status& status);

// ErrorInfo.reason, or "" when the status has none.
std::string Reason(const absl::Status& status);

// `status` with a google.rpc.RetryInfo detail: the caller may retry the same
// request after `delay` (an overloaded server, a rate limit).
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);
std::optional<google::rpc::RetryInfo> GetRetryInfo(const absl::Status& status);

// Type URL under which a detail message of this full name is stored.
std::string TypeUrl(absl::string_view full_message_name);

}  // namespace kaizen::errors

#endif  // KAIZEN_COMMON_STATUS_ERRORS_H_

#include "services/gateway/error_response.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/server/interceptors.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/util/json_util.h"
#include "services/gateway/gateway_errors.h"
#include "services/gateway/json.h"

namespace kaizen::gateway {

int HttpStatusForCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:  // INTERNAL, UNKNOWN, DATA_LOSS and anything new
      return 500;
  }
}

int HttpStatusFor(const absl::Status& status, bool if_match) {
  const std::string reason = errors::Reason(status);
  if (if_match && reason == "ETAG_MISMATCH") return 412;
  if (reason == kMethodNotAllowed) return 405;
  if (reason == kBodyTooLarge) return 413;
  if (reason == kHeadersTooLarge) return 431;
  return HttpStatusForCode(status.code());
}

std::string WwwAuthenticate(const absl::Status& status) {
  std::string challenge = "Bearer realm=\"kaizen\"";
  const std::string reason = errors::Reason(status);
  // RFC 6750 section 3.1: no error code when the request had no credential:
  // the gateway's TOKEN_MISSING, and a service's LOGIN_REQUIRED (an
  // anonymous call to a method that allows anonymous callers but needs an
  // account for this object).
  if (reason == kTokenMissing || reason == "LOGIN_REQUIRED") return challenge;
  const char* error = reason == kMultipleCredentials ? "invalid_request" : "invalid_token";
  std::string description;
  for (char c : status.message()) {  // RFC 6750 error_description characters
    if (c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e)) {
      description.push_back(c);
    }
  }
  absl::StrAppend(&challenge, ", error=\"", error, "\"");
  if (!description.empty()) absl::StrAppend(&challenge, ", error_description=\"", description, "\"");
  return challenge;
}

std::string ErrorJson(const absl::Status& status, bool if_match) {
  const int http_status = HttpStatusFor(status, if_match);
  Json details = Json::Array();
  google::rpc::Status rpc = ToRpcStatus(status);
  // ErrorInfo first, as Google APIs order it; the rest as they came.
  std::stable_partition(rpc.mutable_details()->begin(), rpc.mutable_details()->end(),
                        [](const google::protobuf::Any& any) {
                          return any.type_url() == "type.googleapis.com/google.rpc.ErrorInfo";
                        });
  for (const google::protobuf::Any& any : rpc.details()) {
    std::string json;
    if (google::protobuf::util::MessageToJsonString(any, &json).ok()) {
      details.Push(Json::Raw(std::move(json)));
    } else {
      details.Push(Json::Object().Set("@type", Json::Str(any.type_url())));
    }
  }
  Json error = Json::Object();
  error.Set("code", Json::Int(http_status));
  error.Set("status", Json::Str(server::GrpcCodeName(static_cast<int>(status.code()))));
  error.Set("message", Json::Str(status.message()));
  error.Set("details", std::move(details));
  return Json::Object().Set("error", std::move(error)).Serialize();
}

HttpResponse ErrorResponse(const absl::Status& status, bool if_match) {
  HttpResponse response;
  response.status = HttpStatusFor(status, if_match);
  response.SetHeader("Content-Type", "application/json; charset=utf-8");
  response.body = ErrorJson(status, if_match);
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    response.SetHeader("WWW-Authenticate", WwwAuthenticate(status));
  }
  if (auto info = errors::GetErrorInfo(status); info.has_value()) {
    // RATE_LIMITED (the gateway's own) and SERVER_OVERLOADED (a service's
    // full call queue) carry retry_after_seconds: the standard header.
    if (auto it = info->metadata().find("retry_after_seconds"); it != info->metadata().end()) {
      response.SetHeader("Retry-After", it->second);
    }
    if (info->reason() == kMethodNotAllowed) {
      auto it = info->metadata().find("allow");
      if (it != info->metadata().end()) response.SetHeader("Allow", it->second);
    }
  }
  return response;
}

}  // namespace kaizen::gateway

#include "services/gateway/openapi_errors.h"

#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/gateway/error_response.h"
#include "services/gateway/gateway_errors.h"

namespace kaizen::gateway {
namespace {

using absl::StatusCode;

const std::map<std::string, StatusCode>& CodesByName() {
  static const auto* codes = new std::map<std::string, StatusCode>{
      {"CANCELLED", StatusCode::kCancelled},
      {"UNKNOWN", StatusCode::kUnknown},
      {"INVALID_ARGUMENT", StatusCode::kInvalidArgument},
      {"DEADLINE_EXCEEDED", StatusCode::kDeadlineExceeded},
      {"NOT_FOUND", StatusCode::kNotFound},
      {"ALREADY_EXISTS", StatusCode::kAlreadyExists},
      {"PERMISSION_DENIED", StatusCode::kPermissionDenied},
      {"RESOURCE_EXHAUSTED", StatusCode::kResourceExhausted},
      {"FAILED_PRECONDITION", StatusCode::kFailedPrecondition},
      {"ABORTED", StatusCode::kAborted},
      {"OUT_OF_RANGE", StatusCode::kOutOfRange},
      {"UNIMPLEMENTED", StatusCode::kUnimplemented},
      {"INTERNAL", StatusCode::kInternal},
      {"UNAVAILABLE", StatusCode::kUnavailable},
      {"DATA_LOSS", StatusCode::kDataLoss},
      {"UNAUTHENTICATED", StatusCode::kUnauthenticated},
  };
  return *codes;
}

// A code's own reason when a service names the code without one:
// errors::NotFound and errors::AlreadyExists always use it.
const char* ImpliedReason(StatusCode code) {
  switch (code) {
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    default:
      return nullptr;
  }
}

bool IsWordChar(char c) { return absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '_'; }

}  // namespace

std::map<StatusCode, std::set<std::string>> ParseErrorsSentence(absl::string_view comment) {
  std::map<StatusCode, std::set<std::string>> out;
  const size_t start = comment.find("Errors:");
  if (start == absl::string_view::npos) return out;
  const absl::string_view text = comment.substr(start + 7);
  bool have_code = false;
  StatusCode code = StatusCode::kUnknown;
  int depth = 0;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) --depth;
    if (!IsWordChar(c) || (i > 0 && (absl::ascii_isalnum(text[i - 1]) || text[i - 1] == '_'))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && (IsWordChar(text[j]) || absl::ascii_islower(text[j]))) ++j;
    const std::string word(text.substr(i, j - i));
    i = j;
    bool all_caps = word.size() >= 3 && absl::ascii_isupper(word[0]);
    for (char w : word) all_caps = all_caps && IsWordChar(w);
    if (!all_caps) continue;
    auto named = CodesByName().find(word);
    if (named != CodesByName().end() && depth == 0) {
      code = named->second;
      have_code = true;
      out[code];
    } else if (have_code && depth > 0 && named == CodesByName().end()) {
      out[code].insert(word);
    }
  }
  return out;
}

std::map<int, ErrorResponseSpec> OperationErrors(const Route& route,
                                                 absl::string_view method_comment) {
  std::map<int, ErrorResponseSpec> out;
  auto gateway = [&out](int http, StatusCode code, std::vector<absl::string_view> reasons) {
    ErrorResponseSpec& spec = out[http];
    spec.codes.insert(code);
    for (absl::string_view r : reasons) spec.gateway_reasons.insert(std::string(r));
  };
  const MethodInfo& m = *route.method;
  std::vector<absl::string_view> bad = {kUnknownField, kInvalidFieldValue, kMalformedRequest,
                                        kInvalidMessageFraming};
  if (!route.path.variables().empty()) bad.push_back(kInvalidPath);
  if (!route.body.empty()) {
    bad.push_back(kInvalidJson);
    bad.push_back(kUnsupportedContentType);
  }
  if (!m.etag_field.empty()) bad.push_back(kInvalidIfMatch);
  gateway(400, StatusCode::kInvalidArgument, bad);
  std::vector<absl::string_view> unauthenticated = {kTokenInvalid, kTokenExpired, kApiKeyInvalid,
                                                    kMultipleCredentials};
  if (!m.allow_anonymous) unauthenticated.push_back(kTokenMissing);
  gateway(401, StatusCode::kUnauthenticated, unauthenticated);
  if (!m.accept_api_key) gateway(403, StatusCode::kPermissionDenied, {kApiKeyNotAccepted});
  if (!m.etag_field.empty()) {
    gateway(409, StatusCode::kAborted, {"ETAG_MISMATCH"});
    gateway(412, StatusCode::kAborted, {"ETAG_MISMATCH"});
  }
  if (!route.body.empty()) gateway(413, StatusCode::kResourceExhausted, {kBodyTooLarge});
  gateway(429, StatusCode::kResourceExhausted, {kRateLimited, kTooManyConnections});
  gateway(431, StatusCode::kResourceExhausted, {kHeadersTooLarge});
  // Every Kaizen service's shared faults (common/storage, the gRPC layer).
  gateway(500, StatusCode::kInternal, {"INTERNAL", "STORAGE_ERROR", "DATABASE_CORRUPT", kBackendError});
  gateway(503, StatusCode::kUnavailable,
          {kBackendUnavailable, kBackendOverloaded, "DATABASE_MISSING", "DATABASE_READ_ONLY"});
  gateway(504, StatusCode::kDeadlineExceeded, {kBackendDeadlineExceeded});

  for (const auto& [code, reasons] : ParseErrorsSentence(method_comment)) {
    ErrorResponseSpec& spec = out[HttpStatusForCode(code)];
    spec.codes.insert(code);
    spec.service_reasons.insert(reasons.begin(), reasons.end());
    if (reasons.empty() && ImpliedReason(code) != nullptr) {
      spec.service_reasons.insert(ImpliedReason(code));
    }
  }
  return out;
}

// The operation's error responses (openapi_errors.h), each with the shared
// Error schema and the ErrorInfo reasons in its description and in
// x-kaizen-reasons.
void AddErrorResponses(const Route& route, const std::string& comment, Json* responses) {
  for (const auto& [http, spec] : OperationErrors(route, comment)) {
    std::string description = HttpReasonPhrase(http);
    std::set<std::string> all = spec.gateway_reasons;
    all.insert(spec.service_reasons.begin(), spec.service_reasons.end());
    auto list = [](const std::set<std::string>& reasons) {
      std::string out;
      for (const std::string& r : reasons) absl::StrAppend(&out, out.empty() ? "" : ", ", "`", r, "`");
      return out;
    };
    if (!spec.service_reasons.empty()) {
      absl::StrAppend(&description, ". From the service: ", list(spec.service_reasons));
    }
    if (!spec.gateway_reasons.empty()) {
      absl::StrAppend(&description, ". From the gateway or any Kaizen service: ",
                      list(spec.gateway_reasons));
    }
    if (http == 400 && spec.codes.count(absl::StatusCode::kInvalidArgument) > 0) {
      absl::StrAppend(&description,
                      ". INVALID_ARGUMENT names the fields in a google.rpc.BadRequest "
                      "(JSON names, e.g. `members[0].birthDate`)");
    }
    if (http == 412) {
      absl::StrAppend(&description, ". The If-Match etag is not the resource's current one: "
                                    "read it again and retry with its ETag");
    }
    absl::StrAppend(&description, ".");
    Json reasons = Json::Array();
    for (const std::string& r : all) reasons.Push(Json::Str(r));
    Json response =
        Json::Object()
            .Set("description", Json::Str(description))
            .Set("content", Json::Object().Set(
                                "application/json",
                                Json::Object().Set("schema", Json::Object().Set(
                                                                 "$ref", Json::Str("#/components/schemas/Error")))))
            .Set("x-kaizen-reasons", std::move(reasons));
    if (http == 401) {
      response.Set("headers", Json::Object().Set(
                                  "WWW-Authenticate",
                                  Json::Object()
                                      .Set("description", Json::Str("RFC 6750 Bearer challenge."))
                                      .Set("schema", Json::Object().Set("type", Json::Str("string")))));
    }
    responses->Set(absl::StrCat(http), std::move(response));
  }
}

const char* HttpReasonPhrase(int http_status) {
  switch (http_status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 499: return "Client Closed Request";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

}  // namespace kaizen::gateway

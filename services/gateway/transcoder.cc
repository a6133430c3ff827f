#include "services/gateway/transcoder.h"

#include "common/validation/validation.h"

#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/type_resolver.h"
#include "google/protobuf/util/type_resolver_util.h"
#include "kaizen/type/http_body.pb.h"
#include "services/gateway/gateway_errors.h"
#include "services/gateway/json.h"
#include "services/gateway/response_json.h"
#include "services/gateway/url.h"

namespace kaizen::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr size_t kMaxEchoedNameLength = 100;

google::protobuf::util::TypeResolver* Resolver() {
  static google::protobuf::util::TypeResolver* resolver =
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          "type.googleapis.com", google::protobuf::DescriptorPool::generated_pool());
  return resolver;
}

std::string Truncated(absl::string_view s) {
  return std::string(s.substr(0, kMaxEchoedNameLength));
}

// Maps protobuf's JSON parser error text to a status naming the field.
// Texts (protobuf 3.21): "foo: Cannot find field.",
// "(a.b[0]) foo: Cannot find field.", "(a.b): invalid value ... for type ...";
// anything else is a syntax error.
absl::Status JsonError(absl::string_view text, absl::string_view prefix) {
  std::string path;
  absl::string_view rest = text;
  if (absl::ConsumePrefix(&rest, "(")) {
    const size_t close = rest.find(')');
    if (close == absl::string_view::npos) return InvalidJson();
    path = std::string(rest.substr(0, close));
    rest = rest.substr(close + 1);
    absl::ConsumePrefix(&rest, " ");
  }
  static constexpr absl::string_view kCannotFind = ": Cannot find field.";
  if (absl::EndsWith(rest, kCannotFind)) {
    absl::string_view name = rest.substr(0, rest.size() - kCannotFind.size());
    return UnknownField(
        Truncated(absl::StrCat(prefix, path, path.empty() ? "" : ".", name)));
  }
  if (!path.empty() && absl::StartsWith(rest, ":")) {
    return InvalidFieldValue(absl::StrCat(prefix, path),
                             "has a value of the wrong type or format");
  }
  return InvalidJson();
}

bool IsWellKnownStringMessage(const Descriptor* d) {
  const std::string& n = d->full_name();
  return n == "google.protobuf.Timestamp" || n == "google.protobuf.Duration" ||
         n == "google.protobuf.FieldMask" ||
         (absl::StartsWith(n, "google.protobuf.") && absl::EndsWith(n, "Value") &&
          n != "google.protobuf.Value" && n != "google.protobuf.ListValue");
}

absl::Status SetScalar(Message* m, const FieldDescriptor* f, absl::string_view v,
                       absl::string_view name) {
  const Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  auto bad = [&] { return InvalidFieldValue(Truncated(name), "has a value of the wrong type"); };
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string s(v);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        if (!absl::Base64Unescape(v, &s) && !absl::WebSafeBase64Unescape(v, &s)) return bad();
      } else if (!IsValidUtf8(s)) {
        return InvalidFieldValue(Truncated(name), "is not valid UTF-8");
      }
      rep ? r->AddString(m, f, std::move(s)) : r->SetString(m, f, std::move(s));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t x;
      if (!absl::SimpleAtoi(v, &x)) return bad();
      rep ? r->AddInt32(m, f, x) : r->SetInt32(m, f, x);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t x;
      if (!absl::SimpleAtoi(v, &x)) return bad();
      rep ? r->AddInt64(m, f, x) : r->SetInt64(m, f, x);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t x;
      if (!absl::SimpleAtoi(v, &x)) return bad();
      rep ? r->AddUInt32(m, f, x) : r->SetUInt32(m, f, x);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t x;
      if (!absl::SimpleAtoi(v, &x)) return bad();
      rep ? r->AddUInt64(m, f, x) : r->SetUInt64(m, f, x);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double x;
      if (!absl::SimpleAtod(v, &x)) return bad();
      rep ? r->AddDouble(m, f, x) : r->SetDouble(m, f, x);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      float x;
      if (!absl::SimpleAtof(v, &x)) return bad();
      rep ? r->AddFloat(m, f, x) : r->SetFloat(m, f, x);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool x;
      if (v == "true" || v == "1") {
        x = true;
      } else if (v == "false" || v == "0") {
        x = false;
      } else {
        return bad();
      }
      rep ? r->AddBool(m, f, x) : r->SetBool(m, f, x);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* value = f->enum_type()->FindValueByName(std::string(v));
      int number;
      if (value == nullptr && absl::SimpleAtoi(v, &number)) {
        value = f->enum_type()->FindValueByNumber(number);
      }
      if (value == nullptr) return InvalidFieldValue(Truncated(name), "is not a known value");
      rep ? r->AddEnum(m, f, value) : r->SetEnum(m, f, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!IsWellKnownStringMessage(f->message_type())) {
        return InvalidFieldValue(Truncated(name), "is a message; send it in the body");
      }
      Message* sub = rep ? r->AddMessage(m, f) : r->MutableMessage(m, f);
      google::protobuf::util::JsonParseOptions options;
      if (!google::protobuf::util::JsonStringToMessage(JsonQuote(v), sub, options).ok()) {
        return bad();
      }
      return absl::OkStatus();
    }
  }
  return bad();
}

}  // namespace


absl::Status ParseJson(absl::string_view json, absl::string_view field_prefix,
                       Message* message) {
  // protobuf's parser accepts single quotes, unquoted keys, trailing commas,
  // hex numbers and more: only strict RFC 8259 JSON reaches it.
  std::string why;
  if (!IsStrictJson(json, &why)) return InvalidJson(why);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (status.ok()) return absl::OkStatus();
  return JsonError(absl::string_view(status.message().data(), status.message().size()),
                   field_prefix);
}

absl::Status SetFieldFromString(Message* message, absl::string_view path,
                                absl::string_view value, absl::string_view display_name) {
  std::vector<const FieldDescriptor*> chain;
  const FieldDescriptor* leaf = FindFieldPath(message->GetDescriptor(), path, &chain);
  if (leaf == nullptr) return UnknownField(Truncated(display_name));
  Message* target = message;
  for (size_t k = 0; k + 1 < chain.size(); ++k) {
    target = target->GetReflection()->MutableMessage(target, chain[k]);
  }
  return SetScalar(target, leaf, value, display_name);
}

absl::Status BuildRequest(const Route& route, const PathBindings& bindings,
                          absl::string_view content_type, absl::string_view body,
                          absl::string_view query, Message* request) {
  const bool has_body = !absl::StripAsciiWhitespace(body).empty();
  if (has_body) {
    if (route.body.empty()) {
      return errors::Error(absl::StatusCode::kInvalidArgument, kInvalidJson,
                           "this route takes no request body");
    }
    absl::string_view media = content_type.substr(0, content_type.find(';'));
    media = absl::StripAsciiWhitespace(media);
    if (!media.empty() && !absl::EqualsIgnoreCase(media, "application/json")) {
      return UnsupportedContentType();
    }
    if (route.body == "*") {
      RETURN_IF_ERROR(ParseJson(body, "", request));
    } else {
      Message* target = request->GetReflection()->MutableMessage(request, route.body_field);
      RETURN_IF_ERROR(ParseJson(body, absl::StrCat(route.body_field->name(), "."), target));
    }
  }
  for (const auto& [field, value] : bindings) {
    absl::Status s = SetFieldFromString(request, field, value, field);
    if (!s.ok()) return InvalidPath(field);
  }
  if (query.empty()) return absl::OkStatus();
  auto params = ParseQuery(query);
  if (!params.has_value()) {
    return errors::Error(absl::StatusCode::kInvalidArgument, kMalformedRequest,
                         "the query string has a malformed %-escape");
  }
  for (const auto& [key, value] : *params) {
    if (route.body == "*") return UnknownField(Truncated(key));
    std::vector<const FieldDescriptor*> chain;
    if (FindFieldPath(request->GetDescriptor(), key, &chain) == nullptr) {
      return UnknownField(Truncated(key));
    }
    for (const auto& [bound, unused] : bindings) {
      std::vector<const FieldDescriptor*> bound_chain;
      FindFieldPath(request->GetDescriptor(), bound, &bound_chain);
      if (bound_chain == chain) {
        return InvalidFieldValue(Truncated(key), "is set by the URL path");
      }
    }
    if (route.body_field != nullptr && chain.front() == route.body_field) {
      return InvalidFieldValue(Truncated(key), "belongs in the request body");
    }
    RETURN_IF_ERROR(SetFieldFromString(request, key, value, key));
  }
  return absl::OkStatus();
}

bool CapPageSize(const MethodInfo& method, int max_page_size, Message* request) {
  if (method.page_size == nullptr) return false;
  const Reflection* r = request->GetReflection();
  if (r->GetInt32(*request, method.page_size) <= max_page_size) return false;
  r->SetInt32(request, method.page_size, max_page_size);
  return true;
}

absl::Status WriteResponse(const MethodInfo& method, const std::string& response_bytes,
                           HttpResponse* out) {
  out->status = 200;
  if (method.http_body_response) {
    kaizen::type::HttpBody body;
    if (!body.ParseFromString(response_bytes)) {
      return errors::Internal("the service sent a response the gateway cannot read");
    }
    out->SetHeader("Content-Type", body.content_type().empty() ? "application/octet-stream"
                                                               : body.content_type());
    if (!body.filename().empty()) {
      std::string ascii;
      for (char c : body.filename()) {
        ascii.push_back(absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_' ? c : '_');
      }
      out->SetHeader("Content-Disposition",
                     absl::StrCat("attachment; filename=\"", ascii, "\"; filename*=UTF-8''",
                                  PercentEncode(body.filename())));
    }
    out->body = std::move(*body.mutable_data());
    return absl::OkStatus();
  }
  // protobuf 3.21's BinaryToJsonString accepts truncated input without an
  // error, so the bytes are checked by a parse first.
  std::unique_ptr<Message> check(google::protobuf::MessageFactory::generated_factory()
                                     ->GetPrototype(method.descriptor->output_type())
                                     ->New());
  if (!check->ParseFromString(response_bytes)) {
    return errors::Internal("the service sent a response the gateway cannot read");
  }
  out->body.clear();
  // The same JSON, byte for byte, without protobuf's converter when the type
  // allows (response_json.h); protobuf's printer otherwise.
  if (!PrintResponseJson(*check, &out->body)) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = false;
    // Defaults are emitted (false, 0, "", [], {}, the zero enum): clients
    // need not know proto3's omissions. Unset messages are still left out.
    options.always_print_primitive_fields = true;
    const std::string type_url =
        absl::StrCat("type.googleapis.com/", method.descriptor->output_type()->full_name());
    auto status = google::protobuf::util::BinaryToJsonString(Resolver(), type_url,
                                                             response_bytes, &out->body, options);
    if (!status.ok()) {
      return errors::Internal("the service sent a response the gateway cannot read");
    }
  }
  out->SetHeader("Content-Type", "application/json; charset=utf-8");
  const std::string etag = ResponseEtag(*check);
  if (!etag.empty()) out->SetHeader("ETag", etag);
  return absl::OkStatus();
}

std::string ResponseEtag(const Message& response) {
  const google::protobuf::FieldDescriptor* f = response.GetDescriptor()->FindFieldByName("etag");
  if (f == nullptr || f->is_repeated() || f->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return "";
  }
  // Services make etags as RFC 9110 entity tags, quotes included
  // (common/util/etag.h): the header carries the body's value unchanged.
  std::string etag = response.GetReflection()->GetString(response, f);
  if (!IsStrongEntityTag(etag)) return "";
  return etag;
}

bool IsStrongEntityTag(absl::string_view etag) {
  return etag.size() >= 2 && etag.front() == '"' && etag.back() == '"' &&
         IsEntityTagText(etag.substr(1, etag.size() - 2));
}

bool IsEntityTagText(absl::string_view etag) {
  if (etag.empty() || etag.size() > 256) return false;
  for (char c : etag) {  // RFC 9110 etagc, ASCII only
    if (c < 0x21 || c > 0x7e || c == '"') return false;
  }
  return true;
}

absl::Status ApplyIfMatch(const MethodInfo& method, absl::string_view if_match, Message* request,
                          bool* applied) {
  *applied = false;
  if (if_match.empty()) return absl::OkStatus();
  if (method.etag_field.empty()) {
    return InvalidIfMatch("If-Match", "is not supported by this method (it takes no etag)");
  }
  absl::string_view v = absl::StripAsciiWhitespace(if_match);
  if (v == "*") return absl::OkStatus();  // any current version: nothing to compare
  if (!IsStrongEntityTag(v)) {
    return InvalidIfMatch("If-Match", "must be one strong entity tag in double quotes");
  }
  // The entity tag, quotes included, is exactly what the resource's etag
  // field holds (and what the ETag header carried).
  const std::string etag(v);
  Message* target = request;
  std::string json_path;
  for (size_t i = 0; i + 1 < method.etag_field.size(); ++i) {
    json_path += method.etag_field[i]->json_name() + ".";
    target = target->GetReflection()->MutableMessage(target, method.etag_field[i]);
  }
  const google::protobuf::FieldDescriptor* f = method.etag_field.back();
  json_path += f->json_name();
  const std::string current = target->GetReflection()->GetString(*target, f);
  if (!current.empty() && current != etag) {
    return InvalidIfMatch(json_path, "differs from the If-Match header; send one of them");
  }
  target->GetReflection()->SetString(target, f, etag);
  *applied = true;
  return absl::OkStatus();
}

}  // namespace kaizen::gateway

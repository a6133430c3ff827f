#include "services/gateway/route_table.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/api/annotations.pb.h"
#include "kaizen/api/annotations.pb.h"
#include "services/gateway/gateway_errors.h"

namespace kaizen::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

absl::Status BadRule(const MethodDescriptor* m, absl::string_view why) {
  return errors::Error(absl::StatusCode::kInvalidArgument, "INVALID_HTTP_RULE",
                       absl::StrCat(m->full_name(), ": ", why));
}

// The HTTP method and path of one rule, or ("", "") when it has none.
std::pair<std::string, std::string> MethodAndPath(const google::api::HttpRule& rule) {
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      return {"GET", rule.get()};
    case google::api::HttpRule::kPut:
      return {"PUT", rule.put()};
    case google::api::HttpRule::kPost:
      return {"POST", rule.post()};
    case google::api::HttpRule::kDelete:
      return {"DELETE", rule.delete_()};
    case google::api::HttpRule::kPatch:
      return {"PATCH", rule.patch()};
    case google::api::HttpRule::kCustom:
      return {rule.custom().kind(), rule.custom().path()};
    default:
      return {"", ""};
  }
}

bool IsScalar(const FieldDescriptor* f) {
  return !f->is_repeated() && f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE;
}

absl::StatusOr<Route> MakeRoute(const google::api::HttpRule& rule, const MethodInfo* info,
                                int binding) {
  const MethodDescriptor* m = info->descriptor;
  auto [verb, path] = MethodAndPath(rule);
  if (verb.empty() || path.empty()) return BadRule(m, "rule without a method and path");
  Route route;
  route.http_method = verb;
  route.method = info;
  route.binding = binding;
  route.body = rule.body();
  absl::StatusOr<PathTemplate> tmpl = PathTemplate::Parse(path);
  if (!tmpl.ok()) return BadRule(m, tmpl.status().message());
  route.path = *std::move(tmpl);
  for (const PathTemplate::Variable& v : route.path.variables()) {
    const FieldDescriptor* f = FindFieldPath(m->input_type(), v.field_path);
    if (f == nullptr || !IsScalar(f)) {
      return BadRule(m, absl::StrCat("path variable '", v.field_path,
                                     "' is not a singular scalar field of the request"));
    }
  }
  if (!route.body.empty() && route.body != "*") {
    route.body_field = m->input_type()->FindFieldByName(route.body);
    if (route.body_field == nullptr || route.body_field->is_repeated() ||
        route.body_field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      return BadRule(m, absl::StrCat("body '", route.body,
                                     "' is not a singular message field of the request"));
    }
  }
  if (!route.body.empty() && route.http_method == "GET") {
    return BadRule(m, "a GET route cannot take a body");
  }
  route.label = absl::StrCat(route.http_method, " ", route.path.text());
  return route;
}

}  // namespace

std::vector<const FieldDescriptor*> EtagFieldOf(const Descriptor* request) {
  auto is_etag = [](const FieldDescriptor* f) {
    return f != nullptr && f->name() == "etag" && !f->is_repeated() &&
           f->type() == FieldDescriptor::TYPE_STRING;
  };
  if (is_etag(request->FindFieldByName("etag"))) return {request->FindFieldByName("etag")};
  // The resource's own etag only for standard Update methods (AIP-134): a
  // Create carries a resource too, but has no version to match.
  if (!absl::StartsWith(request->name(), "Update")) return {};
  std::vector<const FieldDescriptor*> found;
  for (int i = 0; i < request->field_count(); ++i) {
    const FieldDescriptor* f = request->field(i);
    if (f->type() != FieldDescriptor::TYPE_MESSAGE || f->is_repeated()) continue;
    const FieldDescriptor* inner = f->message_type()->FindFieldByName("etag");
    if (!is_etag(inner)) continue;
    if (!found.empty()) return {};  // two candidates: ambiguous, no If-Match
    found = {f, inner};
  }
  return found;
}

const FieldDescriptor* FindFieldPath(const Descriptor* message, absl::string_view path,
                                     std::vector<const FieldDescriptor*>* chain) {
  if (chain != nullptr) chain->clear();
  const FieldDescriptor* field = nullptr;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (message == nullptr) return nullptr;
    field = message->FindFieldByName(std::string(part));
    for (int i = 0; field == nullptr && i < message->field_count(); ++i) {
      if (message->field(i)->json_name() == part) field = message->field(i);
    }
    if (field == nullptr) return nullptr;
    if (chain != nullptr) chain->push_back(field);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated()) {
      message = field->message_type();
    } else {
      message = nullptr;  // a further part cannot descend
    }
  }
  return field;
}

absl::StatusOr<std::unique_ptr<RouteTable>> RouteTable::Build(
    const std::vector<const ServiceDescriptor*>& services) {
  std::unique_ptr<RouteTable> table(new RouteTable());
  table->services_ = services;
  for (int s = 0; s < static_cast<int>(services.size()); ++s) {
    const ServiceDescriptor* service = services[s];
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* m = service->method(i);
      auto info = std::make_unique<MethodInfo>();
      info->descriptor = m;
      info->grpc_path = absl::StrCat("/", service->full_name(), "/", m->name());
      info->service_index = s;
      info->allow_anonymous = m->options().GetExtension(kaizen::api::allow_anonymous);
      info->accept_api_key = m->options().GetExtension(kaizen::api::accept_api_key);
      const auto& options = m->options();
      for (int k = 0; k < options.ExtensionSize(kaizen::api::response_media_types); ++k) {
        info->response_media_types.push_back(
            options.GetExtension(kaizen::api::response_media_types, k));
      }
      info->etag_field = EtagFieldOf(m->input_type());
      info->streaming = m->client_streaming() || m->server_streaming();
      const FieldDescriptor* page_size = m->input_type()->FindFieldByName("page_size");
      if (page_size != nullptr && !page_size->is_repeated() &&
          page_size->type() == FieldDescriptor::TYPE_INT32) {
        info->page_size = page_size;
      }
      info->http_body_response = m->output_type()->full_name() == "kaizen.type.HttpBody";
      if (!table->by_grpc_path_.emplace(info->grpc_path, info.get()).second) {
        return BadRule(m, "service configured twice");
      }
      table->methods_.push_back(std::move(info));
    }
  }
  for (const auto& info : table->methods_) {
    const MethodDescriptor* m = info->descriptor;
    if (!m->options().HasExtension(google::api::http)) continue;
    const google::api::HttpRule& rule = m->options().GetExtension(google::api::http);
    if (info->streaming) return BadRule(m, "streaming methods cannot have HTTP routes");
    ASSIGN_OR_RETURN(Route primary, MakeRoute(rule, info.get(), 0));
    table->routes_.push_back(std::move(primary));
    for (int b = 0; b < rule.additional_bindings_size(); ++b) {
      if (rule.additional_bindings(b).additional_bindings_size() > 0) {
        return BadRule(m, "additional_bindings cannot nest");
      }
      ASSIGN_OR_RETURN(Route extra, MakeRoute(rule.additional_bindings(b), info.get(), b + 1));
      table->routes_.push_back(std::move(extra));
    }
  }
  for (size_t a = 0; a < table->routes_.size(); ++a) {
    for (size_t b = a + 1; b < table->routes_.size(); ++b) {
      const Route& x = table->routes_[a];
      const Route& y = table->routes_[b];
      if (x.http_method == y.http_method && x.path.SameShape(y.path)) {
        return errors::Error(absl::StatusCode::kInvalidArgument, "ROUTE_CONFLICT",
                             absl::StrCat(x.method->descriptor->full_name(), " and ",
                                          y.method->descriptor->full_name(),
                                          " both route ", x.label));
      }
    }
  }
  return table;
}

absl::StatusOr<RouteTable::Match> RouteTable::Find(absl::string_view http_method,
                                                   absl::string_view path) const {
  std::optional<SplitPath> split = SplitRequestPath(path);
  if (!split.has_value()) return RouteNotFound();
  Match best;
  std::vector<std::string> allowed;
  PathBindings bindings;
  for (const Route& route : routes_) {
    if (!route.path.Match(*split, &bindings)) continue;
    if (route.http_method != http_method) {
      if (std::find(allowed.begin(), allowed.end(), route.http_method) == allowed.end()) {
        allowed.push_back(route.http_method);
      }
      continue;
    }
    if (best.route == nullptr || route.path.CompareSpecificity(best.route->path) < 0) {
      best.route = &route;
      best.bindings = bindings;
    }
  }
  if (best.route != nullptr) return best;
  if (!allowed.empty()) {
    std::sort(allowed.begin(), allowed.end());
    return MethodNotAllowed(absl::StrJoin(allowed, ", "));
  }
  return RouteNotFound();
}

const MethodInfo* RouteTable::FindMethod(absl::string_view grpc_path) const {
  auto it = by_grpc_path_.find(grpc_path);
  return it == by_grpc_path_.end() ? nullptr : it->second;
}

}  // namespace kaizen::gateway

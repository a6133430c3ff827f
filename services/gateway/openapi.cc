// The OpenAPI document (openapi.h): paths and their parameters, operations,
// responses, tags, servers and security schemes, assembled from the route
// table. The schemas of messages and fields come from openapi_schema.cc.
#include "services/gateway/openapi.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"
#include "services/gateway/json.h"
#include "services/gateway/openapi_errors.h"
#include "services/gateway/openapi_schema.h"

namespace kaizen::gateway {
namespace {

constexpr char kPartnerTag[] = "Partner";

using google::protobuf::FieldDescriptor;
using internal::Builder;

// "cohorts" -> "cohort", "supportSlots" -> "supportSlot", "policies" -> "policy".
std::string Singular(absl::string_view plural) {
  if (absl::EndsWith(plural, "ies")) return absl::StrCat(plural.substr(0, plural.size() - 3), "y");
  if (absl::EndsWith(plural, "s") && plural.size() > 1) {
    return std::string(plural.substr(0, plural.size() - 1));
  }
  return absl::StrCat(plural, "Id");
}

// The first sentence of a comment, for summaries: up to ". " or the end of
// the first paragraph, at most 120 characters.
std::string FirstSentence(const std::string& text) {
  std::string out = text.substr(0, text.find("\n\n"));
  const size_t stop = out.find(". ");
  if (stop != std::string::npos) out = out.substr(0, stop + 1);
  out = absl::StrReplaceAll(out, {{"\n", " "}});
  if (out.size() > 120) out = absl::StrCat(out.substr(0, 117), "...");
  return out;
}

// The OpenAPI path of a route and its path parameters.
std::string OpenApiPath(const Route& route, Builder* builder, Json* parameters) {
  const PathTemplate& t = route.path;
  const auto& segments = t.segments();
  std::vector<int> owner(segments.size(), -1);
  for (size_t v = 0; v < t.variables().size(); ++v) {
    for (int k = t.variables()[v].begin; k < t.variables()[v].end; ++k) owner[k] = static_cast<int>(v);
  }
  std::map<std::string, int> used;
  auto unique = [&](std::string name) {
    const int n = ++used[name];
    return n == 1 ? name : absl::StrCat(name, n);
  };
  std::string path;
  for (size_t k = 0; k < segments.size(); ++k) {
    const PathTemplate::Segment& s = segments[k];
    path += "/";
    if (s.kind == PathTemplate::SegmentKind::kLiteral) {
      path += s.literal;
      continue;
    }
    const int v = owner[k];
    const std::string field = v >= 0 ? t.variables()[v].field_path : "";
    const bool whole = v >= 0 && t.variables()[v].end - t.variables()[v].begin == 1;
    std::string name;
    if (whole || v < 0) {
      name = field.empty() ? "segment" : absl::StrReplaceAll(field, {{".", "_"}});
    } else if (k > 0 && segments[k - 1].kind == PathTemplate::SegmentKind::kLiteral) {
      name = Singular(segments[k - 1].literal);
    } else {
      name = absl::StrReplaceAll(field, {{".", "_"}});
    }
    name = unique(name);
    path += absl::StrCat("{", name, "}");
    std::string description;
    if (v >= 0 && !whole) {
      // Show the variable's pattern, e.g. cohorts/*/applications/*.
      std::string pattern;
      for (int j = t.variables()[v].begin; j < t.variables()[v].end; ++j) {
        if (j > t.variables()[v].begin) pattern += "/";
        pattern += segments[j].kind == PathTemplate::SegmentKind::kLiteral ? segments[j].literal
                                                                          : "*";
      }
      description = absl::StrCat("Part of the request field `", field, "` (`", pattern, "`).");
    } else if (v >= 0) {
      description = absl::StrCat("The request field `", field, "`.");
    }
    if (s.kind == PathTemplate::SegmentKind::kDoubleWildcard) {
      description += " May contain '/'.";
    }
    Json schema = Json::Object().Set("type", Json::Str("string"));
    if (whole && v >= 0) {
      const FieldDescriptor* f =
          FindFieldPath(route.method->descriptor->input_type(), field);
      if (f != nullptr) schema = builder->SchemaForSingle(f);
    }
    Json param = Json::Object()
                     .Set("name", Json::Str(name))
                     .Set("in", Json::Str("path"))
                     .Set("required", Json::Bool(true))
                     .Set("schema", std::move(schema));
    if (!description.empty()) param.Set("description", Json::Str(description));
    parameters->Push(std::move(param));
  }
  if (!t.verb().empty()) absl::StrAppend(&path, ":", t.verb());
  return path;
}

Json ErrorSchema() {
  auto typed = [](const char* type) { return Json::Object().Set("type", Json::Str(type)); };
  return Json::Object()
      .Set("type", Json::Str("object"))
      .Set("description", Json::Str("An error, as Google APIs return them (google.rpc.Status)."))
      .Set("required", Json::Array().Push(Json::Str("error")))
      .Set("properties",
           Json::Object().Set(
               "error",
               Json::Object()
                   .Set("type", Json::Str("object"))
                   .Set("required", Json::Array()
                                        .Push(Json::Str("code"))
                                        .Push(Json::Str("status"))
                                        .Push(Json::Str("message")))
                   .Set("properties",
                        Json::Object()
                            .Set("code", typed("integer").Set("description",
                                                              Json::Str("The HTTP status.")))
                            .Set("status", typed("string").Set(
                                               "description",
                                               Json::Str("The gRPC code name, e.g. NOT_FOUND.")))
                            .Set("message", typed("string"))
                            .Set("details",
                                 typed("array").Set(
                                     "items",
                                     typed("object")
                                         .Set("properties",
                                              Json::Object().Set("@type", typed("string")))
                                         .Set("additionalProperties", Json::Bool(true)))))));
}

Json Security(const MethodInfo& m) {
  Json security = Json::Array();
  if (m.allow_anonymous) security.Push(Json::Object());
  security.Push(Json::Object().Set("bearerAuth", Json::Array()));
  if (m.accept_api_key) security.Push(Json::Object().Set("apiKey", Json::Array()));
  if (m.allow_anonymous) security.Push(Json::Object().Set("applicationToken", Json::Array()));
  return security;
}

std::string SecurityNote(const MethodInfo& m) {
  std::string note = m.allow_anonymous
                         ? "Anonymous callers are accepted (a credential that is sent must be valid)."
                         : "Needs a bearer JWT.";
  if (m.accept_api_key) absl::StrAppend(&note, " Partner API keys (X-Api-Key) are accepted.");
  return note;
}

Json StringSchema() { return Json::Object().Set("type", Json::Str("string")); }

}  // namespace

std::string BuildOpenApi(const RouteTable& table, const OpenApiInfo& info) {
  Builder builder(info.docs);
  // operationIds: the RPC name, qualified when two services share it.
  std::map<std::string, std::set<const google::protobuf::MethodDescriptor*>> by_name;
  for (const Route& r : table.routes()) {
    by_name[r.method->descriptor->name()].insert(r.method->descriptor);
  }
  Json paths = Json::Object();
  std::set<const google::protobuf::ServiceDescriptor*> tagged;
  bool any_partner_route = false;
  for (const Route& route : table.routes()) {
    const auto* m = route.method->descriptor;
    // Routes partner API keys may call form their own tag (issue 14): the
    // partner integrator reads one section.
    const bool partner_route = route.method->accept_api_key;
    if (partner_route) {
      any_partner_route = true;
    } else {
      tagged.insert(m->service());
    }
    Json parameters = Json::Array();
    const std::string path = OpenApiPath(route, &builder, &parameters);
    std::set<std::string> bound;
    for (const auto& v : route.path.variables()) {
      std::vector<const FieldDescriptor*> chain;
      FindFieldPath(m->input_type(), v.field_path, &chain);
      std::string proto_path;
      for (const FieldDescriptor* f : chain) {
        if (!proto_path.empty()) proto_path += ".";
        proto_path += f->name();
      }
      bound.insert(proto_path);
    }
    if (route.body != "*") {
      builder.QueryParameters(m->input_type(), "", bound, route.body_field, 0, &parameters);
    }
    if (!route.method->etag_field.empty()) {
      parameters.Push(
          Json::Object()
              .Set("name", Json::Str("If-Match"))
              .Set("in", Json::Str("header"))
              .Set("required", Json::Bool(false))
              .Set("description",
                   Json::Str("The resource's ETag (`\"...\"`): the change applies only to that "
                             "version, else 412. Same as sending its etag in the request."))
              .Set("schema", StringSchema()));
    }
    std::string operation_id = by_name[m->name()].size() > 1
                                   ? absl::StrCat(m->service()->name(), "_", m->name())
                                   : m->name();
    if (route.binding > 0) absl::StrAppend(&operation_id, "_", route.binding + 1);

    const std::string comment = builder.Doc(m);
    Json op = Json::Object();
    op.Set("operationId", Json::Str(operation_id));
    op.Set("summary", Json::Str(comment.empty() ? absl::StrCat(m->service()->name(), ".", m->name())
                                                : FirstSentence(comment)));
    op.Set("description",
           Json::Str(absl::StrCat(comment.empty() ? "" : comment + "\n\n", SecurityNote(*route.method),
                                  " gRPC: `", route.method->grpc_path, "`.")));
    op.Set("tags", Json::Array().Push(Json::Str(partner_route ? kPartnerTag : m->service()->name())));
    if (parameters.size() > 0) op.Set("parameters", std::move(parameters));
    if (!route.body.empty()) {
      Json schema = route.body == "*" ? builder.SchemaForMessage(m->input_type())
                                      : builder.SchemaForMessage(route.body_field->message_type());
      op.Set("requestBody",
             Json::Object()
                 .Set("required", Json::Bool(true))
                 .Set("content", Json::Object().Set("application/json",
                                                    Json::Object().Set("schema", std::move(schema)))));
    }
    Json ok = Json::Object().Set("description", Json::Str("OK"));
    if (route.method->http_body_response) {
      Json content = Json::Object();
      std::vector<std::string> types = route.method->response_media_types;
      if (types.empty()) types.push_back("application/octet-stream");
      for (const std::string& type : types) {
        content.Set(type, Json::Object().Set("schema", StringSchema().Set("format", Json::Str("binary"))));
      }
      ok.Set("content", std::move(content));
    } else {
      ok.Set("content",
             Json::Object().Set("application/json",
                                Json::Object().Set("schema", builder.SchemaForMessage(m->output_type()))));
      const FieldDescriptor* etag = m->output_type()->FindFieldByName("etag");
      if (etag != nullptr && etag->type() == FieldDescriptor::TYPE_STRING && !etag->is_repeated()) {
        ok.Set("headers", Json::Object().Set(
                              "ETag", Json::Object()
                                          .Set("description",
                                               Json::Str("The resource's etag, quoted; send it back "
                                                         "as If-Match."))
                                          .Set("schema", StringSchema())));
      }
    }
    Json responses = Json::Object();
    responses.Set("200", std::move(ok));
    AddErrorResponses(route, comment, &responses);
    op.Set("responses", std::move(responses));
    op.Set("security", Security(*route.method));

    std::string verb = route.http_method;
    for (char& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[path].Set(verb, std::move(op));
  }

  Json schemas = Json::Object();
  schemas.Set("Error", ErrorSchema());
  builder.EmitComponents(&schemas);

  Json tags = Json::Array();
  for (const auto* service : table.services()) {
    if (tagged.count(service) == 0) continue;
    Json tag = Json::Object().Set("name", Json::Str(service->name()));
    std::string doc = builder.Doc(service);
    tag.Set("description", Json::Str(doc.empty() ? service->full_name() : doc));
    tags.Push(std::move(tag));
  }
  if (any_partner_route) {
    tags.Push(Json::Object()
                  .Set("name", Json::Str(kPartnerTag))
                  .Set("description",
                       Json::Str("For partner municipalities' HR systems: usable with an API key "
                                 "alone (X-Api-Key), bound to one municipality. Only the "
                                 "municipality's own staff, only what each consents to share now; "
                                 "every read of personal data writes a provision record "
                                 "(APPI Art. 29). Start with the change feed (ListChanges).")));
  }
  Json servers = Json::Array();
  for (const std::string& url : info.servers) servers.Push(Json::Object().Set("url", Json::Str(url)));
  if (info.servers.empty()) {
    servers.Push(Json::Object()
                     .Set("url", Json::Str("/"))
                     .Set("description", Json::Str("The gateway that serves this document.")));
  }

  Json doc = Json::Object();
  doc.Set("openapi", Json::Str("3.0.3"));
  doc.Set("info", Json::Object()
                      .Set("title", Json::Str(info.title))
                      .Set("version", Json::Str(info.version))
                      .Set("description", Json::Str(info.description)));
  doc.Set("servers", std::move(servers));
  doc.Set("tags", std::move(tags));
  doc.Set("paths", std::move(paths));
  doc.Set("components",
          Json::Object()
              .Set("schemas", std::move(schemas))
              .Set("securitySchemes",
                   Json::Object()
                       .Set("bearerAuth", Json::Object()
                                              .Set("type", Json::Str("http"))
                                              .Set("scheme", Json::Str("bearer"))
                                              .Set("bearerFormat", Json::Str("JWT")))
                       .Set("apiKey", Json::Object()
                                          .Set("type", Json::Str("apiKey"))
                                          .Set("in", Json::Str("header"))
                                          .Set("name", Json::Str("X-Api-Key"))
                                          .Set("description",
                                               Json::Str("A partner HR system's key; only where "
                                                         "an operation lists it.")))
                       .Set("applicationToken", Json::Object()
                                                    .Set("type", Json::Str("apiKey"))
                                                    .Set("in", Json::Str("header"))
                                                    .Set("name", Json::Str("X-Kaizen-Application-Token")))));
  return doc.Serialize();
}

}  // namespace kaizen::gateway

// The generated OpenAPI document: structurally valid (required fields, every
// $ref resolves, path parameters match the templates, unique operationIds),
// and valid against the official OpenAPI 3.0 JSON Schema when the machine
// has a validator (Debian: openapi-specification + python3-jsonschema).
#include "services/gateway/openapi.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "probe.pb.h"
#include "common/testing/readme.h"
#include "services/gateway/linked_apis.h"
#include "services/gateway/openapi_errors.h"

namespace kaizen::gateway {
namespace openapi_test {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kSchema[] = "/usr/share/openapi-specification/schemas/v3.0/schema.json";

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    (void)kaizen::enrollment::v1::Cohort::descriptor();
    auto table = RouteTable::Build(
        {google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
             "kaizen.enrollment.v1.EnrollmentService"),
         kaizen::gateway::testing::v1::Thing::descriptor()->file()->FindServiceByName(
             "ProbeService")});
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = std::move(*table);
    auto set = testkit::ReadRunfile("services/gateway/testdata/probe.descriptor_set.pb");
    ASSERT_TRUE(set.ok()) << set.status();
    auto docs = ProtoDocs::FromDescriptorSets({*set});
    ASSERT_TRUE(docs.ok()) << docs.status();
    docs_ = std::move(*docs);
    OpenApiInfo info;
    info.docs = &docs_;
    json_ = BuildOpenApi(*table_, info);
    google::protobuf::util::JsonParseOptions options;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json_, &doc_, options).ok());
  }

  const Value* At(const Struct& s, const std::string& key) {
    auto it = s.fields().find(key);
    return it == s.fields().end() ? nullptr : &it->second;
  }

  // Every "$ref" anywhere in the document.
  void CollectRefs(const Value& v, std::vector<std::string>* refs) {
    if (v.has_struct_value()) {
      for (const auto& [k, child] : v.struct_value().fields()) {
        if (k == "$ref") refs->push_back(child.string_value());
        CollectRefs(child, refs);
      }
    } else if (v.has_list_value()) {
      for (const Value& child : v.list_value().values()) CollectRefs(child, refs);
    }
  }

  std::unique_ptr<RouteTable> table_;
  ProtoDocs docs_;
  std::string json_;
  Struct doc_;
};

TEST_F(OpenApiTest, HasTheRequiredTopLevelFields) {
  ASSERT_NE(At(doc_, "openapi"), nullptr);
  EXPECT_TRUE(absl::StartsWith(At(doc_, "openapi")->string_value(), "3.0."));
  const Value* info = At(doc_, "info");
  ASSERT_NE(info, nullptr);
  EXPECT_FALSE(At(info->struct_value(), "title")->string_value().empty());
  EXPECT_FALSE(At(info->struct_value(), "version")->string_value().empty());
  ASSERT_NE(At(doc_, "paths"), nullptr);
  EXPECT_GT(At(doc_, "paths")->struct_value().fields_size(), 20);
}

TEST_F(OpenApiTest, EveryRefResolves) {
  std::vector<std::string> refs;
  Value root;
  *root.mutable_struct_value() = doc_;
  CollectRefs(root, &refs);
  ASSERT_FALSE(refs.empty());
  const Struct& schemas =
      At(At(doc_, "components")->struct_value(), "schemas")->struct_value();
  for (const std::string& ref : refs) {
    ASSERT_TRUE(absl::StartsWith(ref, "#/components/schemas/")) << ref;
    EXPECT_EQ(schemas.fields().count(ref.substr(strlen("#/components/schemas/"))), 1u) << ref;
  }
  EXPECT_EQ(schemas.fields().count("kaizen.enrollment.v1.Cohort"), 1u);
  EXPECT_EQ(schemas.fields().count("google.type.Money"), 1u);
  EXPECT_EQ(schemas.fields().count("Error"), 1u);
}

TEST_F(OpenApiTest, PathParametersMatchTheTemplatesAndOperationIdsAreUnique) {
  std::set<std::string> operation_ids;
  const std::regex param(R"(\{([^}]+)\})");
  int operations = 0;
  for (const auto& [path, item] : At(doc_, "paths")->struct_value().fields()) {
    std::set<std::string> in_template;
    for (auto it = std::sregex_iterator(path.begin(), path.end(), param);
         it != std::sregex_iterator(); ++it) {
      EXPECT_TRUE(in_template.insert((*it)[1]).second) << "repeated in " << path;
    }
    for (const auto& [verb, op] : item.struct_value().fields()) {
      ++operations;
      const std::string id = At(op.struct_value(), "operationId")->string_value();
      EXPECT_TRUE(operation_ids.insert(id).second) << "duplicate operationId " << id;
      ASSERT_NE(At(op.struct_value(), "responses"), nullptr) << id;
      std::set<std::string> declared;
      if (const Value* params = At(op.struct_value(), "parameters")) {
        for (const Value& p : params->list_value().values()) {
          if (At(p.struct_value(), "in")->string_value() != "path") continue;
          declared.insert(At(p.struct_value(), "name")->string_value());
          EXPECT_TRUE(At(p.struct_value(), "required")->bool_value()) << id;
        }
      }
      EXPECT_EQ(declared, in_template) << verb << " " << path;
    }
  }
  EXPECT_EQ(operations, static_cast<int>(table_->routes().size()));
}

TEST_F(OpenApiTest, DescribesRoutesAsClientsCallThem) {
  const Struct& paths = At(doc_, "paths")->struct_value();
  const Value* withdraw = At(paths, "/v1/cohorts/{cohort}/applications/{application}:withdraw");
  ASSERT_NE(withdraw, nullptr) << json_.substr(0, 2000);
  const Struct& post = At(withdraw->struct_value(), "post")->struct_value();
  EXPECT_EQ(At(post, "operationId")->string_value(), "WithdrawApplication");
  EXPECT_NE(At(post, "requestBody"), nullptr);
  // Anonymous methods accept no credential; others need one.
  const Struct& get_cohort =
      At(At(paths, "/v1/cohorts/{cohort}")->struct_value(), "get")->struct_value();
  EXPECT_EQ(At(get_cohort, "security")->list_value().values(0).struct_value().fields_size(), 0);
  const Struct& patch_cohort =
      At(At(paths, "/v1/cohorts/{cohort}")->struct_value(), "patch")->struct_value();
  EXPECT_EQ(At(patch_cohort, "security")->list_value().values(0).struct_value().fields().count(
                "bearerAuth"),
            1u);
  // Query parameters of a list, by JSON name.
  const Struct& list =
      At(At(paths, "/v1/cohorts/{cohort}/applications")->struct_value(), "get")->struct_value();
  std::set<std::string> names;
  for (const Value& p : At(list, "parameters")->list_value().values()) {
    names.insert(At(p.struct_value(), "name")->string_value());
  }
  EXPECT_EQ(names, (std::set<std::string>{"cohort", "pageSize", "pageToken", "state",
                                          "municipalityCode"}));
  // Field types: int64 as string, enums as strings, timestamps as date-time.
  EXPECT_TRUE(absl::StrContains(json_, R"("count":{"type":"string","format":"int64"})"));
  EXPECT_TRUE(absl::StrContains(json_, R"("createTime":{"type":"string","format":"date-time"})"));
  EXPECT_TRUE(absl::StrContains(
      json_, R"("state":{"type":"string","enum":["STATE_UNSPECIFIED","DRAFT","OPEN")"));
  // Non-JSON responses with the method's media type.
  EXPECT_TRUE(absl::StrContains(
      json_, R"("text/calendar":{"schema":{"type":"string","format":"binary"}})"));
  EXPECT_FALSE(absl::StrContains(json_, R"("*/*")"));
}

TEST_F(OpenApiTest, DocumentsItselfFromTheProtoComments) {
  const Struct& paths = At(doc_, "paths")->struct_value();
  auto op = [&](const std::string& path, const std::string& verb) -> const Struct& {
    return At(At(paths, path)->struct_value(), verb)->struct_value();
  };
  const Struct& get = op("/v1/shelves/{shelve}/things/{thing}", "get");
  EXPECT_EQ(At(get, "summary")->string_value(), "Path variable with a pattern; anonymous callers allowed.");
  EXPECT_TRUE(absl::StrContains(At(get, "description")->string_value(), "Anonymous callers"));
  // Schemas and fields carry their comments; field_behavior becomes
  // required / readOnly.
  const Struct& thing = At(At(At(doc_, "components")->struct_value(), "schemas")->struct_value(),
                           "kaizen.gateway.testing.v1.Thing")->struct_value();
  EXPECT_EQ(At(thing, "required")->list_value().values(0).string_value(), "owner");
  const Struct& etag = At(At(thing, "properties")->struct_value(), "etag")->struct_value();
  EXPECT_TRUE(absl::StartsWith(At(etag, "description")->string_value(), "AIP-154"));
  // Security as it is: keys only where accepted, none only for anonymous.
  auto schemes = [&](const Struct& operation) {
    std::set<std::string> out;
    for (const Value& v : At(operation, "security")->list_value().values()) {
      out.insert(v.struct_value().fields().empty() ? "(none)" : v.struct_value().fields().begin()->first);
    }
    return out;
  };
  EXPECT_EQ(schemes(get), (std::set<std::string>{"(none)", "bearerAuth", "apiKey", "applicationToken"}));
  EXPECT_EQ(schemes(op("/v1/shelves/{shelve}/things", "get")), (std::set<std::string>{"bearerAuth"}));
  // Error responses per status, with reasons; 401 without TOKEN_MISSING
  // where anonymous callers are served; 403 for keys where not accepted.
  auto reasons = [&](const Struct& operation, const std::string& status) {
    std::set<std::string> out;
    const Value* response = At(At(operation, "responses")->struct_value(), status);
    if (response == nullptr) return std::set<std::string>{"(no " + status + ")"};
    for (const Value& v : At(response->struct_value(), "x-kaizen-reasons")->list_value().values()) {
      out.insert(v.string_value());
    }
    return out;
  };
  EXPECT_EQ(reasons(get, "401").count("TOKEN_MISSING"), 0u);
  EXPECT_EQ(reasons(op("/v1/shelves/{shelve}/things", "get"), "401").count("TOKEN_MISSING"), 1u);
  EXPECT_EQ(reasons(op("/v1/shelves/{shelve}/things", "get"), "403").count("API_KEY_NOT_ACCEPTED"), 1u);
  EXPECT_EQ(reasons(get, "403"), std::set<std::string>{"(no 403)"});
  // Etags: If-Match and 412 where the request has one, ETag on the answer.
  const Struct& update = op("/v1/shelves/{shelve}/things/{thing}", "patch");
  EXPECT_EQ(reasons(update, "412"), std::set<std::string>{"ETAG_MISMATCH"});
  EXPECT_EQ(reasons(get, "412"), std::set<std::string>{"(no 412)"});
  EXPECT_TRUE(absl::StrContains(json_, R"("name":"If-Match","in":"header")"));
  EXPECT_TRUE(absl::StrContains(json_, R"("headers":{"ETag")"));
  // Servers and tags.
  EXPECT_EQ(At(doc_, "servers")->list_value().values(0).struct_value().fields().at("url").string_value(), "/");
  EXPECT_GE(At(doc_, "tags")->list_value().values_size(), 2);
  // Routes that accept partner API keys have their own tag (and only it).
  auto tags_of = [&](const Struct& operation) {
    std::vector<std::string> out;
    for (const Value& v : At(operation, "tags")->list_value().values()) out.push_back(v.string_value());
    return out;
  };
  EXPECT_EQ(tags_of(get), std::vector<std::string>{"Partner"});
  EXPECT_NE(tags_of(op("/v1/shelves/{shelve}/things", "get")), std::vector<std::string>{"Partner"});
  bool partner_tag_described = false;
  for (const Value& v : At(doc_, "tags")->list_value().values()) {
    if (v.struct_value().fields().at("name").string_value() == "Partner") {
      partner_tag_described = absl::StrContains(
          v.struct_value().fields().at("description").string_value(), "API key");
    }
  }
  EXPECT_TRUE(partner_tag_described);
}

TEST(OpenApiErrorsTest, ParsesTheErrorsSentence) {
  auto parsed = ParseErrorsSentence(
      "Creates it. Errors: INVALID_ARGUMENT (field named; rule in the reason),\n"
      "FAILED_PRECONDITION (COHORT_NOT_OPEN,\nAPPLICATION_WINDOW_CLOSED), ABORTED (etag), NOT_FOUND.");
  ASSERT_EQ(parsed.size(), 4u);
  EXPECT_TRUE(parsed[absl::StatusCode::kInvalidArgument].empty());
  EXPECT_EQ(parsed[absl::StatusCode::kFailedPrecondition],
            (std::set<std::string>{"COHORT_NOT_OPEN", "APPLICATION_WINDOW_CLOSED"}));
  EXPECT_TRUE(parsed[absl::StatusCode::kAborted].empty());
  EXPECT_TRUE(ParseErrorsSentence("No errors sentence. NOT_FOUND (X_Y)").empty());
}

// The official OpenAPI 3.0 JSON Schema (tools/setup.sh installs both
// packages, so their absence is a failure, not a skip).
TEST_F(OpenApiTest, ValidatesAgainstTheOpenApi30Schema) {
  ASSERT_EQ(std::system("/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1"), 0)
      << "needs /usr/bin/python3 with jsonschema (python3-jsonschema)";
  ASSERT_TRUE(std::ifstream(kSchema)) << kSchema << " missing (openapi-specification)";
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string doc_path = dir + "/openapi.json";
  std::ofstream(doc_path) << json_;
  const std::string script = dir + "/validate.py";
  std::ofstream(script) << "import json, sys, jsonschema\n"
                           "schema = json.load(open(sys.argv[1]))\n"
                           "doc = json.load(open(sys.argv[2]))\n"
                           "cls = jsonschema.validators.validator_for(schema)\n"
                           "errors = list(cls(schema).iter_errors(doc))\n"
                           "for e in errors[:10]:\n"
                           "    print(list(e.absolute_path), e.message[:300])\n"
                           "sys.exit(1 if errors else 0)\n";
  const std::string out = dir + "/validate.out";
  const int rc = std::system(
      absl::StrCat("/usr/bin/python3 ", script, " ", kSchema, " ", doc_path, " > ", out, " 2>&1")
          .c_str());
  std::ifstream in(out);
  std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << report;
}

// The document the gateway binary serves: every API linked into it
// (services/gateway/BUILD, `linked_apis`), so a service wired there shows up
// with its routes, e.g. plans and survey next to enrollment and scheduling.
TEST(LinkedApisOpenApiTest, DescribesEveryLinkedService) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  std::set<std::string> names;
  for (const std::string& file_name : LinkedApiFiles()) {
    const google::protobuf::FileDescriptor* file = pool->FindFileByName(file_name);
    ASSERT_NE(file, nullptr) << file_name;
    for (int i = 0; i < file->service_count(); ++i) {
      services.push_back(file->service(i));
      names.insert(file->service(i)->full_name());
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"kaizen.enrollment.v1.EnrollmentService",
                                          "kaizen.scheduling.v1.SchedulingService",
                                          "kaizen.plans.v1.PlansService",
                                          "kaizen.survey.v1.SurveyService"}));
  auto table = RouteTable::Build(services);
  ASSERT_TRUE(table.ok()) << table.status();
  auto docs = ProtoDocs::FromDescriptorSets(LinkedApiDescriptorSets());
  ASSERT_TRUE(docs.ok()) << docs.status();
  OpenApiInfo info;
  info.docs = &*docs;
  const std::string json = BuildOpenApi(**table, info);
  Struct doc;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &doc).ok());
  const Struct& paths = doc.fields().at("paths").struct_value();
  auto operation = [&](const std::string& path, const std::string& verb) -> std::string {
    auto item = paths.fields().find(path);
    if (item == paths.fields().end()) return "(no path " + path + ")";
    auto op = item->second.struct_value().fields().find(verb);
    if (op == item->second.struct_value().fields().end()) return "(no " + verb + " " + path + ")";
    return op->second.struct_value().fields().at("operationId").string_value();
  };
  // Scheduling, as before.
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/meetings:createSeries", "post"),
            "CreateMeetingSeries");
  // Plans: "/v1/{parent=cohorts/*}/plans" and friends, as clients call them.
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/plans", "post"), "CreatePlan");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/plans", "get"), "ListPlans");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/plans/{plan}", "get"), "GetPlan");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/plans/{plan}", "patch"), "UpdatePlan");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/plans/{plan}:commit", "post"), "CommitRevision");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/plans/{plan}:submitStage", "post"), "SubmitStage");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/plans/{plan}:diff", "get"), "DiffRevisions");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/plans/{plan}/feedback", "post"), "CreateFeedback");
  EXPECT_EQ(doc.fields().at("components").struct_value().fields().at("schemas")
                .struct_value().fields().count("kaizen.plans.v1.Plan"),
            1u);
  // Survey: waves and responses of a cohort, the three lenses, reliability
  // and free text, with AIP custom verbs after the resource path.
  EXPECT_EQ(operation("/v1/instruments", "get"), "ListInstruments");
  EXPECT_EQ(operation("/v1/instruments/{instrument}/versions/{version}:publish", "post"),
            "PublishInstrumentVersion");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/waves", "post"), "CreateWave");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/waves", "get"), "ListWaves");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/waves/{wave}", "get"), "GetWave");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/waves/{wave}", "patch"), "UpdateWave");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/waves/{wave}/responses:save", "post"),
            "SaveResponse");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/waves/{wave}/responses:mine", "get"),
            "GetMyResponse");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/waves/{wave}/responses", "get"), "ListResponses");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/waves/{wave}/responses:export", "get"),
            "ExportResponses");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/participants/{participant}:profile", "get"),
            "GetPersonProfile");
  EXPECT_EQ(operation("/v1/municipalities/{municipality_code}/profile", "get"),
            "GetMunicipalityProfile");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/change", "get"), "GetChange");
  EXPECT_EQ(operation("/v1/instruments/{instrument}/versions/{version}/reliability", "get"),
            "GetScaleReliability");
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/waves/{wave}/text", "get"), "AnalyzeText");
  EXPECT_EQ(operation("/v1/codingRules", "get"), "GetCodingRules");
  EXPECT_EQ(operation("/v1/codingRules", "put"), "UpdateCodingRules");
  // Enrollment's participant route keeps its own operation next to :profile.
  EXPECT_EQ(operation("/v1/cohorts/{cohort}/participants/{participant}", "get"),
            "GetParticipant");
  EXPECT_EQ(doc.fields().at("components").struct_value().fields().at("schemas")
                .struct_value().fields().count("kaizen.survey.v1.MunicipalityProfile"),
            1u);
  // One operation per route, and no operationId twice across the services.
  std::set<std::string> operation_ids;
  int operations = 0;
  for (const auto& [path, item] : paths.fields()) {
    for (const auto& [verb, op] : item.struct_value().fields()) {
      ++operations;
      const std::string id = op.struct_value().fields().at("operationId").string_value();
      EXPECT_TRUE(operation_ids.insert(id).second) << "duplicate operationId " << id;
    }
  }
  EXPECT_EQ(operations, static_cast<int>((*table)->routes().size()));

  // Every operation documents itself: a description from its comment and
  // error responses beside 200; every HttpBody method names its media type.
  for (const Route& route : (*table)->routes()) {
    const auto* m = route.method->descriptor;
    const std::string comment = docs->Comment(m);
    EXPECT_FALSE(comment.empty()) << m->full_name() << " has no comment";
    if (route.method->http_body_response) {
      EXPECT_FALSE(route.method->response_media_types.empty())
          << m->full_name() << " returns HttpBody: add option (kaizen.api.response_media_types)";
    }
  }
  for (const auto& [path, item] : paths.fields()) {
    for (const auto& [verb, op] : item.struct_value().fields()) {
      const auto& f = op.struct_value().fields();
      EXPECT_FALSE(f.at("description").string_value().empty()) << verb << " " << path;
      EXPECT_GE(f.at("responses").struct_value().fields_size(), 5) << verb << " " << path;
      EXPECT_EQ(f.at("responses").struct_value().fields().count("401"), 1u) << verb << " " << path;
    }
  }
}

}  // namespace
}  // namespace kaizen::gateway

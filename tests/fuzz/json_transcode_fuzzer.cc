// JSON/HTTP <-> protobuf transcoding of every route of the linked APIs
// (services/gateway/transcoder.h) and the gateway's own JSON writer
// (services/gateway/json.h).
//
// Input: Byte(mode) U16(route) then
//   mode % 3 == 0  Piece(content type) Piece(body) {Piece(path value)}... Rest(query):
//                  BuildRequest, as the HTTP front calls it
//   mode % 3 == 1  Rest(JSON): ParseJson into the route's request type
//   mode % 3 == 2  Rest(bytes): WriteResponse, as if a backend sent them
// Properties: every failure is INVALID_ARGUMENT with a reason (or INTERNAL
// for bytes that are not the backend's message); a request built from JSON
// prints as JSON that parses back to the same request; JsonQuote(s) parses
// back to s for UTF-8 s.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status/errors.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/gateway/json.h"
#include "services/gateway/route_table.h"
#include "services/gateway/transcoder.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/gateway_fuzz_env.h"

namespace {

using google::protobuf::Message;
using kaizen::fuzz::Input;
using kaizen::fuzz::InputWriter;
using kaizen::gateway::Route;

std::unique_ptr<Message> NewRequest(const Route& route) {
  return std::unique_ptr<Message>(google::protobuf::MessageFactory::generated_factory()
                                      ->GetPrototype(route.method->descriptor->input_type())
                                      ->New());
}

void CheckRefusal(const absl::Status& status) {
  KAIZEN_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument,
                    "bad input is INVALID_ARGUMENT: " + status.ToString());
  KAIZEN_FUZZ_CHECK(!kaizen::errors::Reason(status).empty(), "with a reason");
}

// A request that came in as JSON goes out as JSON and back unchanged.
void CheckJsonRoundTrip(const Message& request) {
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  if (!google::protobuf::util::MessageToJsonString(request, &json, print).ok()) return;
  std::unique_ptr<Message> back(request.New());
  const absl::Status parsed = kaizen::gateway::ParseJson(json, "", back.get());
  KAIZEN_FUZZ_CHECK(parsed.ok(), "printed JSON parses back: " + parsed.ToString());
  KAIZEN_FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(request, *back),
                    "and gives the same request");
}

void CheckQuote(const std::string& s) {
  const std::string quoted = kaizen::gateway::JsonQuote(s);
  if (!kaizen::fuzz::IsUtf8(s)) return;
  google::protobuf::Value value;
  const auto parsed = google::protobuf::util::JsonStringToMessage(quoted, &value);
  KAIZEN_FUZZ_CHECK(parsed.ok() && value.string_value() == s, "JsonQuote(s) reads back as s");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)kaizen::fuzz::GatewayRoutes();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const int mode = in.Byte() % 3;
  const auto& routes = kaizen::fuzz::GatewayRoutes().routes();
  const Route& route = routes[in.U16() % routes.size()];
  std::unique_ptr<Message> request = NewRequest(route);
  switch (mode) {
    case 0: {
      const std::string content_type = in.Piece(128);
      const std::string body = in.Piece(16384);
      kaizen::gateway::PathBindings bindings;
      for (const auto& variable : route.path.variables()) {
        bindings.emplace_back(variable.field_path, in.Piece(256));
      }
      const std::string query = in.Rest();
      const absl::Status built = kaizen::gateway::BuildRequest(route, bindings, content_type,
                                                               body, query, request.get());
      if (!built.ok()) return CheckRefusal(built), 0;
      kaizen::gateway::CapPageSize(*route.method, 500, request.get());
      CheckJsonRoundTrip(*request);
      break;
    }
    case 1: {
      const std::string json = in.Rest();
      const absl::Status parsed = kaizen::gateway::ParseJson(json, "", request.get());
      if (!parsed.ok()) return CheckRefusal(parsed), 0;
      CheckJsonRoundTrip(*request);
      CheckQuote(json);
      break;
    }
    case 2: {
      const std::string bytes = in.Rest();
      kaizen::gateway::HttpResponse response;
      const absl::Status written =
          kaizen::gateway::WriteResponse(*route.method, bytes, &response);
      if (!written.ok()) {
        KAIZEN_FUZZ_CHECK(written.code() == absl::StatusCode::kInternal, written.ToString());
      } else {
        KAIZEN_FUZZ_CHECK(response.status == 200, "a response is 200");
      }
      CheckQuote(bytes);
      break;
    }
  }
  return 0;
}

// Request bodies from services/gateway/{transcoder,gateway}_test.cc and
// tests/e2e, spread over the routes.
std::vector<std::string> KaizenFuzzSeeds() {
  const std::vector<std::string> bodies = {
      R"({"cohort":{"displayName":"FY2022 次世代改善リーダー","capacity":30}})",
      R"({"displayName":"x","capacity":"30","unknownField":1})",
      R"({"application":{"applicant":{"familyName":"山田","givenName":"太郎","municipalityCode":"242047","email":"taro@example.jp"}}})",
      R"({'single':1})", R"({unquoted:1})", R"({"a":1,})", R"({"n":0x10})",
      R"({"pageSize":-1,"pageToken":"!!"})", R"({"updateMask":"displayName,capacity"})",
      R"([1,2,3])", "", "null", R"({"startTime":"2022-07-01T10:00:00+09:00","duration":"3600s"})",
      "{\"s\":\"\\ud800\"}", std::string("{\"s\":\"\xff\xfe\"}"),
  };
  const std::vector<std::string> queries = {"", "pageSize=5&filter=state%3DOPEN",
                                            "pageSize=abc", "unknown=1", "a.b=1&a.b=2"};
  std::vector<std::string> seeds;
  const size_t n = kaizen::fuzz::GatewayRoutes().routes().size();
  for (size_t i = 0; i < bodies.size(); ++i) {
    const uint16_t route = static_cast<uint16_t>((i * 7) % n);
    seeds.push_back(InputWriter().Byte(0).Byte(route >> 8).Byte(route & 0xff)
                        .Piece("application/json").Piece(bodies[i]).Piece("fy2022")
                        .Piece("abc").Piece("m2").Rest(queries[i % queries.size()]).str());
    seeds.push_back(InputWriter().Byte(1).Byte(route >> 8).Byte(route & 0xff)
                        .Rest(bodies[i]).str());
  }
  seeds.push_back(InputWriter().Byte(2).Byte(0).Byte(1).Rest("\x0a\x03" "abc").str());
  seeds.push_back(InputWriter().Byte(2).Byte(0).Byte(2).Rest("\xff\xff\xff").str());
  seeds.push_back(InputWriter().Byte(0).Byte(0).Byte(3).Piece("text/plain").Piece("x").str());
  return seeds;
}

// "Protobuf bytes in -> handler -> status" for a service's domain class, the
// code behind each one-line gRPC adapter (KAIZEN_DEFINE_RPC).
//
// An input is a short session against a fresh in-memory store:
//   Byte(calls) { Byte(method) Byte(caller) Piece(request bytes) }...
// The request bytes are parsed as the method's request type (bytes that do
// not parse never reach a handler: gRPC refuses them first), and the handler
// runs as one of a fixed set of callers. Sessions let the fuzzer build state
// (a series, then a poll, then answers) while every input stays reproducible.
//
// Properties: no crash or sanitizer report; every refusal carries a reason
// (google.rpc.ErrorInfo); no input ends in INTERNAL or UNKNOWN (a handler
// that cannot cope with what a client sent); every RPC of the service is in
// the target's table (a new RPC fails the replay test until it is added).
#ifndef KAIZEN_TESTS_FUZZ_SERVICE_FUZZ_H_
#define KAIZEN_TESTS_FUZZ_SERVICE_FUZZ_H_

#include <functional>
#include <memory>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "kaizen/type/principal.pb.h"
#include "tests/fuzz/fuzz_util.h"

namespace kaizen::fuzz {

template <typename Domain>
using Rpc = std::function<absl::Status(Domain&, const kaizen::type::Principal&,
                                       const std::string& bytes, bool* parsed)>;

template <typename Domain, typename Request, typename Response>
Rpc<Domain> Bind(absl::StatusOr<Response> (Domain::*method)(const kaizen::type::Principal&,
                                                            const Request&)) {
  return [method](Domain& domain, const kaizen::type::Principal& caller, const std::string& bytes,
                  bool* parsed) {
    Request request;
    *parsed = request.ParseFromString(bytes);
    if (!*parsed) return absl::OkStatus();
    return (domain.*method)(caller, request).status();
  };
}

// Aborts unless `table` has exactly the methods of `service`.
template <typename Domain>
void CheckCoversService(const std::string& service,
                        const std::map<std::string, Rpc<Domain>>& table) {
  const auto* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  KAIZEN_FUZZ_CHECK(descriptor != nullptr, service);
  for (int i = 0; i < descriptor->method_count(); ++i) {
    KAIZEN_FUZZ_CHECK(table.count(descriptor->method(i)->name()) == 1,
                      absl::StrCat("add ", descriptor->method(i)->name(), " to the fuzz table"));
  }
  KAIZEN_FUZZ_CHECK(table.size() == static_cast<size_t>(descriptor->method_count()),
                    "the fuzz table names only RPCs of the service");
}

inline void CheckOutcome(const std::string& method, const absl::Status& status) {
  if (status.ok()) return;
  KAIZEN_FUZZ_CHECK(status.code() != absl::StatusCode::kInternal &&
                        status.code() != absl::StatusCode::kUnknown,
                    absl::StrCat(method, ": ", status.ToString()));
  KAIZEN_FUZZ_CHECK(!kaizen::errors::Reason(status).empty(),
                    absl::StrCat(method, " refuses with a reason: ", status.ToString()));
}

// Runs one session (see the top of this file) against `domain`.
template <typename Domain>
void RunSession(Input& in, Domain& domain, const std::map<std::string, Rpc<Domain>>& table,
                const std::vector<kaizen::type::Principal>& callers) {
  std::vector<const std::pair<const std::string, Rpc<Domain>>*> methods;
  for (const auto& entry : table) methods.push_back(&entry);
  const int calls = 1 + in.Byte() % 8;
  for (int i = 0; i < calls && !in.empty(); ++i) {
    const auto& [name, rpc] = *methods[in.Byte() % methods.size()];
    const kaizen::type::Principal& caller = callers[in.Byte() % callers.size()];
    const std::string bytes = in.Piece(8192);
    bool parsed = false;
    const absl::Status status = rpc(domain, caller, bytes, &parsed);
    if (parsed) CheckOutcome(name, status);
  }
}

// One call of a seed session: the method's index in the table (sorted by
// name), the caller's index and the request given in text format.
struct SeedCall {
  std::string method;
  int caller;
  std::string request_text;
};

template <typename Domain>
std::string SeedSession(const std::map<std::string, Rpc<Domain>>& table,
                        const std::string& service, const std::vector<SeedCall>& calls) {
  const auto* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  InputWriter w;
  w.Byte(static_cast<uint8_t>(calls.size() - 1));
  for (const SeedCall& call : calls) {
    int index = 0;
    for (const auto& entry : table) {
      if (entry.first == call.method) break;
      ++index;
    }
    KAIZEN_FUZZ_CHECK(index < static_cast<int>(table.size()), call.method);
    const auto* method = descriptor->FindMethodByName(call.method);
    std::unique_ptr<google::protobuf::Message> request(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method->input_type())
            ->New());
    KAIZEN_FUZZ_CHECK(google::protobuf::TextFormat::ParseFromString(call.request_text,
                                                                    request.get()),
                      call.request_text);
    w.Byte(static_cast<uint8_t>(index)).Byte(static_cast<uint8_t>(call.caller));
    w.Piece(request->SerializeAsString());
  }
  return w.str();
}

}  // namespace kaizen::fuzz

#endif  // KAIZEN_TESTS_FUZZ_SERVICE_FUZZ_H_

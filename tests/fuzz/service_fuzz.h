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
// Names the service made up (random ids) are reachable: after each call that
// succeeds, the resource names in the response (its top-level string fields
// holding a "/", and the `name` of the first entries of its top-level
// repeated messages) are remembered in first-seen order (at most 10); a
// string field of a later request that starts with "$<digit>" has those two
// characters replaced by remembered name <digit> (modulo their count). An
// `access_token` in a response adds one more caller: an anonymous principal
// holding the newest token (an applicant's link). A string field that is
// exactly "$e" becomes the newest `etag` a response carried (etags are
// required for most writes and cannot be guessed), and "$t" the newest
// `token` (a claim link's or a calendar feed's secret).
// KAIZEN_FUZZ_TRACE=1 prints each call's method, caller and status (to check
// that seeds build the state they mean to; never set in CI).
//
// Properties: no crash or sanitizer report; every refusal carries a reason
// (google.rpc.ErrorInfo); no input ends in INTERNAL or UNKNOWN (a handler
// that cannot cope with what a client sent); every RPC of the service is in
// the target's table (a new RPC fails the replay test until it is added).
#ifndef KAIZEN_TESTS_FUZZ_SERVICE_FUZZ_H_
#define KAIZEN_TESTS_FUZZ_SERVICE_FUZZ_H_

#include <cctype>
#include <cstdlib>
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
#include "google/protobuf/reflection.h"
#include "google/protobuf/text_format.h"
#include "kaizen/type/principal.pb.h"
#include "tests/fuzz/fuzz_util.h"

namespace kaizen::fuzz {

// What a session remembers between calls (see the top of this file).
struct Session {
  std::vector<std::string> names;
  std::vector<std::string> tokens;
  std::string etag;
  std::string secret;
};

namespace internal {

inline void RememberName(const std::string& name, std::vector<std::string>* names) {
  if (name.empty()) return;
  for (const std::string& known : *names) {
    if (known == name) return;  // first-seen order: "$k" stays put in a session
  }
  names->push_back(name);
  if (names->size() > 10) names->erase(names->begin());
}

// Records the resource names in a response (string fields holding a "/",
// in field order, and the `name` of the first entries of its repeated
// messages) and its access token.
inline void Remember(const google::protobuf::Message& response, Session* session) {
  using google::protobuf::FieldDescriptor;
  const auto* descriptor = response.GetDescriptor();
  const auto* reflection = response.GetReflection();
  auto remember = [session](const std::string& value) {
    if (value.find('/') != std::string::npos) RememberName(value, &session->names);
  };
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        const int n = reflection->FieldSize(response, field);
        for (int j = 0; j < n && j < 4; ++j) remember(reflection->GetRepeatedString(response, field, j));
      } else if (field->name() == "access_token") {
        RememberName(reflection->GetString(response, field), &session->tokens);
      } else if (field->name() == "token") {
        if (!reflection->GetString(response, field).empty()) {
          session->secret = reflection->GetString(response, field);
        }
      } else if (field->name() == "etag") {
        if (!reflection->GetString(response, field).empty()) {
          session->etag = reflection->GetString(response, field);
        }
      } else {
        remember(reflection->GetString(response, field));
      }
    } else if (field->is_repeated() && field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      const int n = reflection->FieldSize(response, field);
      for (int j = 0; j < n && j < 4; ++j) {
        const auto& entry = reflection->GetRepeatedMessage(response, field, j);
        const auto* name = entry.GetDescriptor()->FindFieldByName("name");
        if (name != nullptr && !name->is_repeated() && name->type() == FieldDescriptor::TYPE_STRING) {
          remember(entry.GetReflection()->GetString(entry, name));
        }
      }
    }
  }
}

inline void Resolve(const Session& session, std::string* value) {
  if (*value == "$e" || *value == "$t") {
    *value = *value == "$e" ? session.etag : session.secret;
    return;
  }
  if (session.names.empty() || value->size() < 2 || (*value)[0] != '$' ||
      !std::isdigit(static_cast<unsigned char>((*value)[1]))) {
    return;
  }
  const size_t index = static_cast<size_t>((*value)[1] - '0') % session.names.size();
  *value = session.names[index] + value->substr(2);
}

// Replaces "$<digit>" prefixes in every string field of `message`, nested
// messages included (see the top of this file).
inline void ResolveNames(const Session& session, google::protobuf::Message* message,
                         int depth = 0) {
  if ((session.names.empty() && session.etag.empty() && session.secret.empty()) || depth > 8) {
    return;
  }
  const auto* reflection = message->GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const auto* field : fields) {
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        for (int j = 0; j < reflection->FieldSize(*message, field); ++j) {
          std::string value = reflection->GetRepeatedString(*message, field, j);
          Resolve(session, &value);
          reflection->SetRepeatedString(message, field, j, value);
        }
      } else {
        std::string value = reflection->GetString(*message, field);
        Resolve(session, &value);
        reflection->SetString(message, field, value);
      }
    } else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int j = 0; j < reflection->FieldSize(*message, field); ++j) {
          ResolveNames(session, reflection->MutableRepeatedMessage(message, field, j), depth + 1);
        }
      } else {
        ResolveNames(session, reflection->MutableMessage(message, field), depth + 1);
      }
    }
  }
}

}  // namespace internal

template <typename Domain>
using Rpc = std::function<absl::Status(Domain&, const kaizen::type::Principal&,
                                       const std::string& bytes, Session& session,
                                       bool* parsed)>;

template <typename Domain, typename Request, typename Response>
Rpc<Domain> Bind(absl::StatusOr<Response> (Domain::*method)(const kaizen::type::Principal&,
                                                            const Request&)) {
  return [method](Domain& domain, const kaizen::type::Principal& caller, const std::string& bytes,
                  Session& session, bool* parsed) {
    Request request;
    *parsed = request.ParseFromString(bytes);
    if (!*parsed) return absl::OkStatus();
    internal::ResolveNames(session, &request);
    absl::StatusOr<Response> response = (domain.*method)(caller, request);
    if (response.ok()) internal::Remember(*response, &session);
    return response.status();
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
  static const bool trace = std::getenv("KAIZEN_FUZZ_TRACE") != nullptr;
  std::vector<const std::pair<const std::string, Rpc<Domain>>*> methods;
  for (const auto& entry : table) methods.push_back(&entry);
  Session session;
  const int calls = 1 + in.Byte() % 8;
  for (int i = 0; i < calls && !in.empty(); ++i) {
    const auto& [name, rpc] = *methods[in.Byte() % methods.size()];
    // One more caller once a response handed out an access token.
    const size_t choice = in.Byte() % (callers.size() + (session.tokens.empty() ? 0 : 1));
    kaizen::type::Principal bearer;
    if (choice == callers.size()) bearer.set_access_token(session.tokens.back());
    const kaizen::type::Principal& caller = choice < callers.size() ? callers[choice] : bearer;
    const std::string bytes = in.Piece(8192);
    bool parsed = false;
    const absl::Status status = rpc(domain, caller, bytes, session, &parsed);
    if (trace) {
      std::string names;
      for (size_t k = 0; k < session.names.size(); ++k) absl::StrAppend(&names, " $", k, "=", session.names[k]);
      std::fprintf(stderr, "fuzz: %s as caller %zu: %s;%s\n", name.c_str(), choice,
                   parsed ? status.ToString().c_str() : "(request does not parse)", names.c_str());
    }
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

// A request in text format, for SeedCall (seeds built with the tests' builders).
inline std::string Text(const google::protobuf::Message& request) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(request, &text);
  return text;
}

template <typename Domain>
std::string SeedSession(const std::map<std::string, Rpc<Domain>>& table,
                        const std::string& service, const std::vector<SeedCall>& calls) {
  const auto* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  KAIZEN_FUZZ_CHECK(!calls.empty() && calls.size() <= 8, "a session has 1 to 8 calls");
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

// Shared by the gateway's tests: secrets, tokens, JSON helpers and the probe
// backend (testdata/probe.proto), a real gRPC service that reports what the
// gateway forwarded to it.
#ifndef KAIZEN_SERVICES_GATEWAY_GATEWAY_TEST_UTIL_H_
#define KAIZEN_SERVICES_GATEWAY_GATEWAY_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/auth/principal.h"
#include "common/server/principal_context.h"
#include "common/server/server.h"
#include "common/status/errors.h"
#include "common/util/clock.h"
#include "common/util/crypto.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "probe.grpc.pb.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/jwt.h"

namespace kaizen::gateway::testing {

namespace probe = ::kaizen::gateway::testing::v1;

inline constexpr char kInternalSecret[] = "gateway-test-internal-secret-0123";
inline constexpr char kJwtSecret[] = "gateway-test-jwt-secret-0123456789abcdef";
inline constexpr char kIssuer[] = "https://login.kaizen.test";
inline constexpr char kAudience[] = "kaizen-api";

// Gateway options every test gateway shares: one backend (`service` at
// `address`), the test internal secret and the HS256 JWT settings above.
// Tests add their own limits, keys and deadlines.
inline GatewayOptions TestGatewayOptions(const std::string& service, const std::string& address) {
  GatewayOptions o;
  o.backends = {{service, address}};
  o.internal_secret = kInternalSecret;
  o.jwt.hs256_secret = kJwtSecret;
  o.jwt.issuer = kIssuer;
  o.jwt.audience = kAudience;
  return o;
}

// An HS256 token valid at `clock`'s time for `ttl`.
inline std::string UserToken(const Clock& clock, const std::string& subject,
                             std::vector<std::string> roles,
                             absl::Duration ttl = absl::Hours(1),
                             const std::string& secret = kJwtSecret) {
  JwtClaims claims;
  claims.subject = subject;
  claims.roles = std::move(roles);
  claims.issuer = kIssuer;
  claims.audience = kAudience;
  claims.issued_at = clock.Now();
  claims.expires_at = clock.Now() + ttl;
  return MintHs256Jwt(secret, claims);
}

inline std::pair<std::string, std::string> Bearer(const std::string& token) {
  return {"Authorization", "Bearer " + token};
}

// One API key file line for `key`.
inline std::string ApiKeyLine(const std::string& id, const std::string& key,
                              const std::string& municipality) {
  return absl::StrCat(id, " ", crypto::Hex(crypto::Sha256(key)), " ", municipality, "\n");
}

// JSON object -> Struct (fails the test's expectations on bad JSON).
inline google::protobuf::Struct ParseObject(const std::string& json) {
  google::protobuf::Struct s;
  google::protobuf::util::JsonParseOptions options;
  if (!google::protobuf::util::JsonStringToMessage(json, &s, options).ok()) s.Clear();
  return s;
}

inline const google::protobuf::Value* Member(const google::protobuf::Struct& s,
                                             const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? nullptr : &it->second;
}

// From an error body: the ErrorInfo reason / the first BadRequest field.
inline std::string ErrorDetail(const std::string& body, const std::string& type,
                               const std::string& key) {
  google::protobuf::Struct root = ParseObject(body);
  const auto* error = Member(root, "error");
  if (error == nullptr) return "";
  const auto* details = Member(error->struct_value(), "details");
  if (details == nullptr) return "";
  for (const auto& d : details->list_value().values()) {
    const auto* t = Member(d.struct_value(), "@type");
    if (t == nullptr || t->string_value() != "type.googleapis.com/google.rpc." + type) continue;
    if (type == "BadRequest") {
      const auto* v = Member(d.struct_value(), "fieldViolations");
      if (v == nullptr || v->list_value().values_size() == 0) return "";
      return Member(v->list_value().values(0).struct_value(), "field")->string_value();
    }
    const auto* value = Member(d.struct_value(), key);
    return value == nullptr ? "" : value->string_value();
  }
  return "";
}
inline std::string ErrorReason(const std::string& body) {
  return ErrorDetail(body, "ErrorInfo", "reason");
}
inline std::string ErrorField(const std::string& body) {
  return ErrorDetail(body, "BadRequest", "field");
}
inline std::string ErrorStatus(const std::string& body) {
  const google::protobuf::Struct root = ParseObject(body);
  const auto* error = Member(root, "error");
  if (error == nullptr) return "";
  const auto* status = Member(error->struct_value(), "status");
  return status == nullptr ? "" : status->string_value();
}

// The probe service: verifies the forwarded principal like every Kaizen
// service and echoes what it saw.
class ProbeBackend final : public probe::ProbeService::Service {
 public:
  explicit ProbeBackend(const auth::PrincipalSigner* signer) : signer_(signer) {}
  ~ProbeBackend() override { ReleaseWaiters(); }

  void ReleaseWaiters() {
    absl::MutexLock lock(&mu_);
    if (!release_.HasBeenNotified()) release_.Notify();
  }
  // True once a Wait call has reached the backend (within `timeout`).
  bool WaitEntered(absl::Duration timeout) {
    return wait_entered_.WaitForNotificationWithTimeout(timeout);
  }

  grpc::Status GetThing(grpc::ServerContext* ctx, const probe::GetThingRequest* req,
                        probe::Thing* resp) override {
    return server::Handle(ctx, *signer_, [&](const kaizen::type::Principal& p) {
      resp->set_name(req->name());
      resp->set_title("本の棚 📚");
      resp->set_count(1234567890123);
      Fill(ctx, p, "GetThing", resp->mutable_seen());
      return absl::OkStatus();
    });
  }
  grpc::Status Hidden(grpc::ServerContext* ctx, const probe::GetThingRequest* req,
                      probe::Thing* resp) override {
    return server::Handle(ctx, *signer_, [&](const kaizen::type::Principal& p) {
      resp->set_name(req->name());
      Fill(ctx, p, "Hidden", resp->mutable_seen());
      return absl::OkStatus();
    });
  }
  grpc::Status ListThings(grpc::ServerContext* ctx, const probe::ListThingsRequest* req,
                          probe::ListThingsResponse* resp) override {
    return server::Handle(ctx, *signer_, [&](const kaizen::type::Principal& p) {
      probe::Thing* t = resp->add_things();
      t->set_name(req->parent() + "/things/a");
      probe::Seen* seen = t->mutable_seen();
      Fill(ctx, p, "ListThings", seen);
      seen->set_page_size(req->page_size());
      *seen->mutable_options() = req->options();
      *seen->mutable_colors() = req->colors();
      seen->set_filter(req->filter());
      *seen->mutable_after() = req->after();
      *seen->mutable_within() = req->within();
      return absl::OkStatus();
    });
  }
  grpc::Status UpdateThing(grpc::ServerContext* ctx, const probe::UpdateThingRequest* req,
                           probe::Thing* resp) override {
    return server::Handle(ctx, *signer_, [&](const kaizen::type::Principal& p) {
      if (req->thing().etag() == "\"stale\"") return errors::EtagMismatch(req->thing().name());
      if (req->thing().title() == "bad-field") {  // a service names proto fields
        return errors::InvalidArgument(
            "INVALID_FIELD", {{"thing.create_time", "is in the future"}, {"thing.seen.page_size", "x"},
                              {"thing.no_such_field", "kept as is"}});
      }
      *resp = req->thing();
      resp->set_etag("\"v2\"");
      Fill(ctx, p, "UpdateThing", resp->mutable_seen());
      return absl::OkStatus();
    });
  }
  grpc::Status PokeThing(grpc::ServerContext* ctx, const probe::PokeThingRequest* req,
                         probe::Thing* resp) override {
    return server::Handle(ctx, *signer_, [&](const kaizen::type::Principal& p) {
      if (req->note() == "fail") {
        return errors::FailedPrecondition("THING_BUSY", "the thing is busy");
      }
      resp->set_name(req->name());
      resp->set_title(req->note());
      resp->set_count(req->count());
      Fill(ctx, p, "PokeThing", resp->mutable_seen());
      return absl::OkStatus();
    });
  }
  grpc::Status DeleteThing(grpc::ServerContext* ctx, const probe::DeleteThingRequest* req,
                           probe::Thing* resp) override {
    return server::Handle(ctx, *signer_, [&](const kaizen::type::Principal& p) {
      resp->set_name(req->name());
      Fill(ctx, p, "DeleteThing", resp->mutable_seen());
      return absl::OkStatus();
    });
  }
  grpc::Status GetFeed(grpc::ServerContext* ctx, const probe::GetFeedRequest* req,
                       kaizen::type::HttpBody* resp) override {
    return server::Handle(ctx, *signer_, [&](const kaizen::type::Principal&) {
      resp->set_content_type("text/calendar; charset=utf-8");
      resp->set_data("BEGIN:VCALENDAR\r\nSUMMARY:改善研究会 " + req->parent() +
                     "\r\nEND:VCALENDAR\r\n");
      resp->set_filename("研究会.ics");
      return absl::OkStatus();
    });
  }
  grpc::Status Browse(grpc::ServerContext* ctx, const probe::BrowseRequest* req,
                      probe::Thing* resp) override {
    return server::Handle(ctx, *signer_, [&](const kaizen::type::Principal& p) {
      Fill(ctx, p, "Browse", resp->mutable_seen());
      resp->mutable_seen()->set_path(req->path());
      return absl::OkStatus();
    });
  }
  grpc::Status Wait(grpc::ServerContext* ctx, const probe::WaitRequest*,
                    probe::Thing* resp) override {
    // Returns when released or when the caller gives up (deadline, cancel).
    {
      absl::MutexLock lock(&mu_);
      if (!wait_entered_.HasBeenNotified()) wait_entered_.Notify();
    }
    while (!release_.WaitForNotificationWithTimeout(absl::Milliseconds(20))) {
      if (ctx->IsCancelled()) return grpc::Status::CANCELLED;
    }
    resp->set_title("released");
    return grpc::Status::OK;
  }
  grpc::Status Watch(grpc::ServerContext*, const probe::GetThingRequest*,
                     grpc::ServerWriter<probe::Thing>*) override {
    return grpc::Status::OK;
  }

 private:
  static void Fill(grpc::ServerContext* ctx, const kaizen::type::Principal& p,
                   const std::string& method, probe::Seen* seen) {
    seen->set_method(method);
    seen->set_subject(p.subject());
    for (int r : p.roles()) seen->add_roles(kaizen::type::Role_Name(r));
    seen->set_municipality_code(p.municipality_code());
    seen->set_has_access_token(!p.access_token().empty());
    auto it = ctx->client_metadata().find("x-request-id");
    if (it != ctx->client_metadata().end()) {
      seen->set_request_id(std::string(it->second.data(), it->second.size()));
    }
    seen->set_deadline_ms(absl::ToInt64Milliseconds(absl::FromChrono(ctx->deadline()) - absl::Now()));
  }

  const auth::PrincipalSigner* signer_;
  absl::Mutex mu_;
  absl::Notification release_;
  absl::Notification wait_entered_;
};

// The probe backend on a real gRPC server on port 0.
struct ProbeServer {
  ProbeServer() : signer(kInternalSecret), backend(&signer) {
    server::ServerOptions options;
    options.service_name = "probe";
    options.drain_deadline = absl::Seconds(1);
    auto started = server::GrpcServer::Start(
        options, {{probe::ProbeService::service_full_name(), &backend}},
        [](const std::string&) {});
    if (started.ok()) server = std::move(*started);
  }
  ~ProbeServer() {
    backend.ReleaseWaiters();
    server.reset();
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", server->port()); }

  auth::PrincipalSigner signer;
  ProbeBackend backend;
  std::unique_ptr<server::GrpcServer> server;
};

}  // namespace kaizen::gateway::testing

#endif  // KAIZEN_SERVICES_GATEWAY_GATEWAY_TEST_UTIL_H_

#include "services/gateway/gateway.h"

#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/connection_options.h"
#include "common/server/process_metrics.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace kaizen::gateway {
namespace {

constexpr int kMaxStreamsPerConnection = 100;

}  // namespace

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(const GatewayOptions& options,
                                                        const Clock* clock,
                                                        server::LogSink access_log) {
  if (options.internal_secret.size() < 16) {
    return errors::InvalidField("internal_secret_file",
                                "an internal secret of at least 16 bytes is required",
                                "INVALID_FLAG");
  }
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const BackendConfig& b : options.backends) {
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(b.service);
    if (service == nullptr) {
      return errors::InvalidField(
          "backends",
          absl::StrCat(b.service,
                       " is not linked into the gateway; add its proto library to "
                       "linked_apis in services/gateway/BUILD"),
          "INVALID_FLAG");
    }
    services.push_back(service);
  }
  if (services.empty()) {
    return errors::InvalidField("backends", "at least one backend is required", "INVALID_FLAG");
  }

  std::unique_ptr<Gateway> g(new Gateway());
  g->options_ = options;
  // The signer reads the real clock, not `clock`: its credentials are checked
  // by the services against their own real clocks.
  auth::PrincipalSignerOptions signer_options;
  signer_options.lifetime = options.principal_lifetime;
  if (options.principal_lifetime <= absl::ZeroDuration() ||
      options.principal_lifetime > signer_options.max_lifetime) {
    return errors::InvalidField("principal_lifetime_seconds", "must be from 1 to 300 seconds",
                                "INVALID_FLAG");
  }
  g->signer_ = std::make_unique<auth::PrincipalSigner>(
      options.principal_keys.empty()
          ? auth::KeyRing::Derive({options.internal_secret},
                                  auth::KeyPurpose::kPrincipalForwarding)
          : options.principal_keys,
      signer_options);
  ASSIGN_OR_RETURN(g->routes_, RouteTable::Build(services));
  ASSIGN_OR_RETURN(g->jwt_, JwtVerifier::Create(options.jwt, clock));
  ASSIGN_OR_RETURN(ApiKeyStore keys, ApiKeyStore::Parse(options.api_keys));
  g->api_keys_ = std::make_unique<ApiKeyStore>(std::move(keys));
  g->authenticator_ = std::make_unique<Authenticator>(g->jwt_.get(), g->api_keys_.get());
  g->limiter_ = std::make_unique<RateLimiter>(options.rate_limit, clock);
  g->metrics_ = std::make_unique<GatewayMetrics>();
  server::AddProcessMetrics(&g->metrics_->registry());  // process_* on /metrics, as the services
  BackendPoolOptions pool_options;
  pool_options.max_reconnect_backoff = options.max_reconnect_backoff;
  pool_options.max_message_bytes = options.max_message_bytes;
  pool_options.tls = options.backend_tls;
  g->backends_ = std::make_unique<BackendPool>(options.backends, g->signer_.get(), pool_options);

  HttpFrontendOptions frontend_options;
  frontend_options.cors_origins = options.cors_origins;
  frontend_options.backend_deadline = options.backend_deadline;
  frontend_options.readiness_timeout = options.readiness_timeout;
  frontend_options.max_page_size = options.max_page_size;
  if (options.api_descriptor_sets != nullptr) {
    ASSIGN_OR_RETURN(ProtoDocs docs, ProtoDocs::FromDescriptorSets(*options.api_descriptor_sets));
    g->docs_ = std::make_unique<ProtoDocs>(std::move(docs));
  }
  frontend_options.openapi.docs = g->docs_.get();
  frontend_options.openapi.servers = options.openapi_servers;
  g->frontend_ = std::make_unique<HttpFrontend>(frontend_options, g->routes_.get(),
                                                g->authenticator_.get(), g->limiter_.get(),
                                                g->backends_.get(), g->metrics_.get(), access_log);

  HttpServerOptions http_options;
  http_options.listen_address = options.http_listen;
  http_options.io_threads = options.io_threads;
  http_options.max_body_bytes = options.max_body_bytes;
  http_options.max_header_bytes = options.max_header_bytes;
  http_options.max_connections = options.max_connections;
  http_options.idle_timeout = options.http_idle_timeout;
  http_options.max_connections_per_ip = options.max_connections_per_ip;
  http_options.header_timeout = options.http_header_timeout;
  HttpFrontend* frontend = g->frontend_.get();
  ASSIGN_OR_RETURN(g->http_server_,
                   HttpServer::Start(http_options, [frontend](HttpRequest r, HttpResponder w) {
                     frontend->Handle(std::move(r), std::move(w));
                   }));
  g->http_port_ = g->http_server_->port();

  if (!options.grpc_listen.empty()) {
    GrpcProxyOptions proxy_options;
    proxy_options.backend_deadline = options.backend_deadline;
    proxy_options.max_page_size = options.max_page_size;
    g->proxy_ = std::make_unique<GrpcProxy>(proxy_options, g->routes_.get(),
                                            g->authenticator_.get(), g->limiter_.get(),
                                            g->backends_.get(), g->metrics_.get(), access_log);
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(options.grpc_listen, grpc::InsecureServerCredentials(),
                             &g->grpc_port_);
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    // Keepalive, idle and age limits, as on the services' ports (documented
    // defaults in common/server/connection_options.h).
    server::ApplyConnectionOptions(server::ConnectionOptions{}, &builder);
    // Bounded like the HTTP side: calls in flight per client connection.
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, kMaxStreamsPerConnection);
    builder.SetMaxReceiveMessageSize(options.max_message_bytes);
    builder.SetMaxSendMessageSize(options.max_message_bytes);
    builder.RegisterCallbackGenericService(g->proxy_.get());
    g->grpc_server_ = builder.BuildAndStart();
    if (g->grpc_server_ == nullptr || g->grpc_port_ == 0) {
      return errors::Unavailable("PORT_IN_USE", absl::StrCat("cannot listen on ",
                                                             options.grpc_listen,
                                                             " (is the port taken?)"));
    }
    g->grpc_server_->GetHealthCheckService()->SetServingStatus(true);
  }
  return g;
}

Gateway::~Gateway() { Shutdown(); }

void Gateway::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  const absl::Duration drain = options_.drain_deadline;
  std::thread grpc_drain;
  if (grpc_server_ != nullptr) {
    if (auto* health = grpc_server_->GetHealthCheckService(); health != nullptr) {
      health->SetServingStatus(false);
    }
    grpc_drain = std::thread([this, drain] {
      grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + drain));
      grpc_server_->Wait();
    });
  }
  if (http_server_ != nullptr) http_server_->Shutdown(drain);
  if (grpc_drain.joinable()) grpc_drain.join();
}

absl::Status WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr || std::fprintf(f, "%d\n", port) < 0 || std::fclose(f) != 0 ||
      std::rename(tmp.c_str(), path.c_str()) != 0) {
    return errors::Unavailable("PORT_FILE", "cannot write the port file");
  }
  return absl::OkStatus();
}

}  // namespace kaizen::gateway

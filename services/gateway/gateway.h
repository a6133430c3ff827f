// The gateway as one object: both front doors (JSON/HTTP on Beast, gRPC
// proxy), the route table read from the linked descriptors, authentication,
// limits, backends, metrics. main.cc and the tests start it the same way.
//
// Start looks every configured backend's service up in the generated
// descriptor pool, so a service's proto library must be linked into the
// binary (services/gateway/BUILD, linked_apis) and named in `backends`.
#ifndef KAIZEN_SERVICES_GATEWAY_GATEWAY_H_
#define KAIZEN_SERVICES_GATEWAY_GATEWAY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"
#include "common/server/interceptors.h"
#include "common/util/clock.h"
#include "grpcpp/server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/authenticator.h"
#include "services/gateway/backend_pool.h"
#include "services/gateway/gateway_metrics.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/grpc_proxy.h"
#include "services/gateway/http_frontend.h"
#include "services/gateway/http_server.h"
#include "services/gateway/jwt.h"
#include "services/gateway/proto_docs.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/route_table.h"

namespace kaizen::gateway {

class Gateway {
 public:
  // Builds everything and starts listening. INVALID_ARGUMENT (INVALID_FLAG,
  // INVALID_HTTP_RULE, ROUTE_CONFLICT) for bad configuration, UNAVAILABLE
  // PORT_IN_USE when a port cannot be bound. `clock` (JWT expiry, rate
  // limits) is not owned and must outlive the gateway; `access_log` may be
  // null.
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(const GatewayOptions& options,
                                                        const Clock* clock,
                                                        server::LogSink access_log);
  // Shutdown(), then waits for every backend call to finish.
  ~Gateway();

  int http_port() const { return http_port_; }
  int grpc_port() const { return grpc_port_; }  // 0 when there is no gRPC port

  // Graceful stop of both doors in parallel: listeners close, requests in
  // flight finish until drain_deadline, the rest are cancelled. Idempotent.
  void Shutdown();

  GatewayMetrics& metrics() { return *metrics_; }
  const RouteTable& routes() const { return *routes_; }
  const std::string& openapi_json() const { return frontend_->openapi_json(); }

 private:
  Gateway() = default;

  GatewayOptions options_;
  std::unique_ptr<auth::PrincipalSigner> signer_;
  std::unique_ptr<RouteTable> routes_;
  std::unique_ptr<JwtVerifier> jwt_;
  std::unique_ptr<ApiKeyStore> api_keys_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<GatewayMetrics> metrics_;
  std::unique_ptr<ProtoDocs> docs_;  // read only while the frontend is built
  // Destroyed in reverse order: the gRPC server (its reactors use the pool),
  // then the pool (waits for backend calls, whose callbacks reach the HTTP
  // sessions), then the HTTP server, then the frontend they all call.
  std::unique_ptr<HttpFrontend> frontend_;
  std::unique_ptr<HttpServer> http_server_;
  std::unique_ptr<BackendPool> backends_;
  std::unique_ptr<GrpcProxy> proxy_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int http_port_ = 0;
  int grpc_port_ = 0;
  bool shut_down_ = false;
};

// Writes `port` to `path` atomically (write, then rename). For supervisors
// and tests that start the gateway on port 0.
absl::Status WritePortFile(const std::string& path, int port);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_GATEWAY_H_

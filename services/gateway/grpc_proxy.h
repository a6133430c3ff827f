// The gRPC front door for partner systems: a generic proxy that forwards any
// unary method of the configured Kaizen services to its backend, byte for
// byte, with the same authentication (metadata `authorization: Bearer ...`,
// `x-api-key`, `x-kaizen-application-token`), rate limits, page size cap
// and deadlines as the HTTP side.
//
//   unknown method             UNIMPLEMENTED METHOD_NOT_FOUND
//   no message, or bytes that   INVALID_ARGUMENT MALFORMED_REQUEST (parsed
//   do not parse as the input   here, so the backend never answers INTERNAL
//   type                        for a client's garbage)
//   streaming method           UNIMPLEMENTED STREAMING_NOT_SUPPORTED
//   credentials                as authenticator.h (UNAUTHENTICATED)
//   rate limit                 RESOURCE_EXHAUSTED RATE_LIMITED
//   deadline                   the caller's, if shorter than the configured
//                              backend deadline
//   backend errors             passed through with their details
//                              (grpc-status-details-bin); errors gRPC made
//                              itself are sanitized (gateway_errors.h)
// The client's own x-kaizen-principal-* metadata is never forwarded: every
// backend call carries only the principal the gateway signed.
//
// Threading: gRPC's callback API. The reactor never blocks; the backend call
// completes on a gRPC thread, which finishes the client's call.
#ifndef KAIZEN_SERVICES_GATEWAY_GRPC_PROXY_H_
#define KAIZEN_SERVICES_GATEWAY_GRPC_PROXY_H_

#include "absl/time/time.h"
#include "common/server/interceptors.h"
#include "grpcpp/generic/async_generic_service.h"
#include "services/gateway/authenticator.h"
#include "services/gateway/backend_pool.h"
#include "services/gateway/gateway_metrics.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/route_table.h"

namespace kaizen::gateway {

struct GrpcProxyOptions {
  absl::Duration backend_deadline = absl::Seconds(5);
  int max_page_size = 500;
};

class GrpcProxy final : public grpc::CallbackGenericService {
 public:
  // Nothing is owned; everything must outlive the proxy's server.
  GrpcProxy(GrpcProxyOptions options, const RouteTable* routes,
            const Authenticator* authenticator, RateLimiter* limiter, BackendPool* backends,
            GatewayMetrics* metrics, server::LogSink access_log)
      : options_(options),
        routes_(routes),
        authenticator_(authenticator),
        limiter_(limiter),
        backends_(backends),
        metrics_(metrics),
        access_log_(std::move(access_log)) {}

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* context) override;

 private:
  friend class ProxyReactor;

  const GrpcProxyOptions options_;
  const RouteTable* routes_;
  const Authenticator* authenticator_;
  RateLimiter* limiter_;
  BackendPool* backends_;
  GatewayMetrics* metrics_;
  const server::LogSink access_log_;
};

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_GRPC_PROXY_H_

// HTTP/2 connection management for Kaizen's gRPC ports (services and the
// gateway's gRPC port): keepalive pings find dead peers, idle connections
// are closed, and every connection is recycled after a maximum age so that
// clients re-resolve and spread over replicas. Defaults are below; gRPC
// adds +-10% jitter to the maximum age.
#ifndef KAIZEN_COMMON_SERVER_CONNECTION_OPTIONS_H_
#define KAIZEN_COMMON_SERVER_CONNECTION_OPTIONS_H_

#include "absl/time/time.h"

namespace grpc {
class ServerBuilder;
}  // namespace grpc

namespace kaizen::server {

struct ConnectionOptions {
  // The server pings a connection quiet for this long (GRPC_ARG_KEEPALIVE_TIME_MS;
  // gRPC's default is 2 h) and closes it when no ack comes within
  // keepalive_timeout (GRPC_ARG_KEEPALIVE_TIMEOUT_MS).
  absl::Duration keepalive_time = absl::Seconds(60);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // Clients may ping this often without calls in flight before the server
  // answers GOAWAY ENHANCE_YOUR_CALM
  // (GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS; gRPC: 5 min).
  absl::Duration min_client_ping_interval = absl::Seconds(10);
  // A connection with no call for this long is closed with GOAWAY
  // (GRPC_ARG_MAX_CONNECTION_IDLE_MS; gRPC: never).
  absl::Duration max_connection_idle = absl::Minutes(5);
  // Every connection gets GOAWAY after this age (GRPC_ARG_MAX_CONNECTION_AGE_MS;
  // gRPC: never); calls in flight then have max_connection_age_grace to
  // finish (GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS) before it is closed.
  absl::Duration max_connection_age = absl::Minutes(30);
  absl::Duration max_connection_age_grace = absl::Minutes(1);
};

// Sets the channel arguments above on `builder`.
void ApplyConnectionOptions(const ConnectionOptions& options, grpc::ServerBuilder* builder);

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_CONNECTION_OPTIONS_H_

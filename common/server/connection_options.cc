#include "common/server/connection_options.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "grpcpp/server_builder.h"

namespace kaizen::server {
namespace {

int Ms(absl::Duration d) {
  return static_cast<int>(std::clamp<int64_t>(absl::ToInt64Milliseconds(d), 1,
                                              std::numeric_limits<int>::max()));
}

}  // namespace

void ApplyConnectionOptions(const ConnectionOptions& o, grpc::ServerBuilder* builder) {
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, Ms(o.keepalive_time));
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Ms(o.keepalive_timeout));
  // Keep pinging connections without calls too: those are the ones that die
  // silently (a NAT or a crashed peer).
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                              Ms(o.min_client_ping_interval));
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, Ms(o.max_connection_idle));
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, Ms(o.max_connection_age));
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                              Ms(o.max_connection_age_grace));
}

}  // namespace kaizen::server

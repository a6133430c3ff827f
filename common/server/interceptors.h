// Server interceptors installed on every Kaizen server:
//  * request ids: the caller's `x-request-id` (validated: 1-64 chars of
//    [A-Za-z0-9._-]) or a new one, echoed in the response's initial metadata;
//  * one JSON access-log line per call: time, service, method, code,
//    latency_ms, request_id. Never metadata values, messages or principals:
//    no personal data or secrets reach the log;
//  * metrics (common/server/metrics.h): calls by method and code, latency, and
//    the in-flight gauge (up when the call's interceptor is created, down
//    when its status is sent or, for a call that never sends one, when the
//    interceptor is destroyed).
#ifndef KAIZEN_COMMON_SERVER_INTERCEPTORS_H_
#define KAIZEN_COMMON_SERVER_INTERCEPTORS_H_

#include <functional>
#include <memory>
#include <string>

#include "common/server/metrics.h"
#include "grpcpp/support/server_interceptor.h"

namespace kaizen::server {

inline constexpr char kRequestIdKey[] = "x-request-id";

// Receives finished log lines (without newline). Must be thread-safe.
using LogSink = std::function<void(const std::string&)>;

// `metrics` must outlive the server. A null `sink` disables the access log.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservabilityInterceptorFactory(std::string service_name, Metrics* metrics,
                                    LogSink sink);

// Writes each line to stderr atomically.
LogSink StderrSink();

// Canonical upper-case gRPC code name, e.g. "NOT_FOUND".
const char* GrpcCodeName(int code);

// True for request ids we accept from callers.
bool IsValidRequestId(const std::string& id);

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_INTERCEPTORS_H_

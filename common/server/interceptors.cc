#include "common/server/interceptors.h"

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/util/ids.h"

namespace kaizen::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

class ObservabilityInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservabilityInterceptor(grpc::experimental::ServerRpcInfo* info,
                           const std::string* service, Metrics* metrics,
                           const LogSink* sink)
      : method_(info->method() == nullptr ? "" : info->method()),
        service_(service),
        metrics_(metrics),
        sink_(sink),
        start_(absl::Now()) {
    if (metrics_ != nullptr) metrics_->CallStarted();
  }

  // A call cancelled before it sent a status (client gone, server drained)
  // still leaves the in-flight gauge.
  ~ObservabilityInterceptor() override { LeaveInFlight(); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      auto it = md->find(kRequestIdKey);
      if (it != md->end()) {
        std::string id(it->second.data(), it->second.size());
        if (IsValidRequestId(id)) request_id_ = std::move(id);
      }
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kRequestIdKey, RequestId());
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finish(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  const std::string& RequestId() {
    if (request_id_.empty()) request_id_ = NewId();
    return request_id_;
  }

  void LeaveInFlight() {
    if (metrics_ != nullptr && !left_in_flight_) metrics_->CallFinished();
    left_in_flight_ = true;
  }

  void Finish(int code) {
    const absl::Duration latency = absl::Now() - start_;
    const char* code_name = GrpcCodeName(code);
    if (metrics_ != nullptr) metrics_->Record(method_, code_name, latency);
    // Before the status goes out, so a client that has its answer never sees
    // its own call still counted.
    LeaveInFlight();
    if (*sink_) {
      (*sink_)(absl::StrFormat(
          "{\"time\":\"%s\",\"service\":\"%s\",\"method\":\"%s\",\"code\":\"%s\","
          "\"latency_ms\":%.3f,\"request_id\":\"%s\"}",
          absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                           absl::UTCTimeZone()),
          *service_, method_, code_name, absl::ToDoubleMilliseconds(latency),
          RequestId()));
    }
  }

  const std::string method_;
  const std::string* service_;
  Metrics* metrics_;
  const LogSink* sink_;
  const absl::Time start_;
  std::string request_id_;
  bool left_in_flight_ = false;
};

class Factory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  Factory(std::string service, Metrics* metrics, LogSink sink)
      : service_(std::move(service)), metrics_(metrics), sink_(std::move(sink)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ObservabilityInterceptor(info, &service_, metrics_, &sink_);
  }

 private:
  const std::string service_;
  Metrics* metrics_;
  const LogSink sink_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservabilityInterceptorFactory(std::string service_name, Metrics* metrics,
                                    LogSink sink) {
  return std::make_unique<Factory>(std::move(service_name), metrics,
                                   std::move(sink));
}

LogSink StderrSink() {
  return [](const std::string& line) {
    std::string out = line + "\n";
    std::fwrite(out.data(), 1, out.size(), stderr);  // one write: lines stay whole
  };
}

const char* GrpcCodeName(int code) {
  static constexpr const char* kNames[] = {
      "OK",          "CANCELLED",         "UNKNOWN",
      "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS",   "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED",       "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",         "UNAVAILABLE",
      "DATA_LOSS",     "UNAUTHENTICATED"};
  if (code < 0 || code > 16) return "UNKNOWN";
  return kNames[code];
}

bool IsValidRequestId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

}  // namespace kaizen::server

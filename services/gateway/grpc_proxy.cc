#include "services/gateway/grpc_proxy.h"

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/util/ids.h"
#include "google/protobuf/message.h"
#include "services/gateway/gateway_errors.h"
#include "services/gateway/transcoder.h"

namespace kaizen::gateway {

namespace {

std::string Metadata(const grpc::GenericCallbackServerContext& context, const char* key) {
  const auto& md = context.client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// "ipv4:127.0.0.1:5555" -> "127.0.0.1", "ipv6:[::1]:5555" -> "[::1]".
std::string PeerHost(const std::string& peer) {
  std::string rest = peer.substr(peer.find(':') + 1);
  const size_t colon = rest.rfind(':');
  return colon == std::string::npos ? rest : rest.substr(0, colon);
}

}  // namespace

class ProxyReactor final : public grpc::ServerGenericBidiReactor {
 public:
  ProxyReactor(GrpcProxy* proxy, grpc::GenericCallbackServerContext* context)
      : proxy_(proxy), context_(context), start_(absl::Now()), route_(context->method()) {
    const std::string request_id = Metadata(*context, server::kRequestIdKey);
    request_id_ = server::IsValidRequestId(request_id) ? request_id : NewId();
    method_ = proxy_->routes_->FindMethod(context->method());
    if (method_ == nullptr) {
      route_ = "unmatched";
      Fail(MethodNotFound());
      return;
    }
    if (method_->streaming) {
      Fail(StreamingNotSupported());
      return;
    }
    const std::string authorization = Metadata(*context, kAuthorizationHeader);
    const std::string api_key = Metadata(*context, kApiKeyHeader);
    const std::string token = Metadata(*context, kApplicationTokenHeader);
    absl::StatusOr<kaizen::type::Principal> principal = proxy_->authenticator_->Authenticate(
        {authorization, api_key, token}, method_->allow_anonymous, method_->accept_api_key);
    if (!principal.ok()) {
      Fail(principal.status());
      return;
    }
    principal_ = *std::move(principal);
    absl::Status limited = proxy_->limiter_->Acquire(
        principal_.subject().empty() ? absl::StrCat("ip:", PeerHost(context->peer()))
                                     : principal_.subject());
    if (!limited.ok()) {
      Fail(limited);
      return;
    }
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      return Fail(errors::Error(absl::StatusCode::kInvalidArgument, kMalformedRequest,
                                "the call carried no request message"));
    }
    // Every request is parsed here, so a malformed message is the caller's
    // INVALID_ARGUMENT rather than the backend's INTERNAL "failed to parse".
    std::unique_ptr<google::protobuf::Message> message(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method_->descriptor->input_type())
            ->New());
    if (!message->ParseFromString(ByteBufferToString(request_))) {
      return Fail(MalformedMessage(method_->descriptor->input_type()->full_name()));
    }
    if (CapPageSize(*method_, proxy_->options_.max_page_size, message.get())) {
      request_ = StringToByteBuffer(message->SerializeAsString());
    }
    BackendPool::Call call;
    call.backend = method_->service_index;
    call.method = method_->grpc_path;
    call.request = std::move(request_);
    call.principal = std::move(principal_);
    call.request_id = request_id_;
    call.deadline = std::min(absl::Now() + proxy_->options_.backend_deadline,
                             absl::FromChrono(context_->deadline()));
    auto handle = proxy_->backends_->Start(
        std::move(call),
        [this](const grpc::Status& status, grpc::ByteBuffer* response) {
          OnBackendDone(status, response);
        });
    absl::MutexLock lock(&mu_);
    handle_ = std::move(handle);
    if (cancelled_) handle_->Cancel();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    if (handle_ != nullptr) handle_->Cancel();
  }

  void OnDone() override {
    const absl::Duration latency = absl::Now() - start_;
    const char* code = server::GrpcCodeName(static_cast<int>(code_));
    proxy_->metrics_->Record("grpc", route_, code, latency);
    if (proxy_->access_log_) {
      proxy_->access_log_(
          AccessLogLine(absl::Now(), "grpc", "POST", route_, 0, code, latency, request_id_));
    }
    {
      // The backend call may still hold its handle; drop ours.
      absl::MutexLock lock(&mu_);
      handle_.reset();
    }
    delete this;
  }

 private:
  void OnBackendDone(const grpc::Status& status, grpc::ByteBuffer* response) {
    context_->AddInitialMetadata(server::kRequestIdKey, request_id_);
    if (status.ok()) {
      code_ = grpc::StatusCode::OK;
      response_ = std::move(*response);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
      return;
    }
    const absl::Status from_backend = FromGrpcStatus(status);
    if (errors::GetErrorInfo(from_backend).has_value()) {
      code_ = status.error_code();
      Finish(status);  // the service's own error, details untouched
      return;
    }
    Fail(SanitizeBackendError(from_backend, method_->descriptor->service()->name()), false);
  }

  void Fail(const absl::Status& status, bool add_request_id = true) {
    if (add_request_id) context_->AddInitialMetadata(server::kRequestIdKey, request_id_);
    code_ = static_cast<grpc::StatusCode>(status.code());
    Finish(ToGrpcStatus(status));
  }

  GrpcProxy* proxy_;
  grpc::GenericCallbackServerContext* context_;
  const absl::Time start_;
  std::string route_;
  std::string request_id_;
  const MethodInfo* method_ = nullptr;
  kaizen::type::Principal principal_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::StatusCode code_ = grpc::StatusCode::UNKNOWN;
  absl::Mutex mu_;
  std::shared_ptr<BackendCallHandle> handle_ ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

grpc::ServerGenericBidiReactor* GrpcProxy::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  return new ProxyReactor(this, context);
}

}  // namespace kaizen::gateway

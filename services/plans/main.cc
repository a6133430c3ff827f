// The plans server: flags -> Options -> store -> enrollment and scheduling
// clients -> domain -> gRPC.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "clients/enrollment/grpc_roster_source.h"
#include "clients/partner/grpc_provision_recorder.h"
#include "clients/partner/shared_read.h"
#include "clients/scheduling/grpc_meeting_source.h"
#include "common/auth/principal.h"
#include "common/auth/tls.h"
#include "common/server/options.h"
#include "common/server/server.h"
#include "common/util/clock.h"
#include "grpcpp/create_channel.h"
#include "services/plans/grpc_service.h"
#include "services/plans/outcomes.h"
#include "services/plans/plans.h"
#include "services/plans/plans_store.h"

ABSL_FLAG(std::string, enrollment, "",
          "host:port of the enrollment service (env KAIZEN_ENROLLMENT_ADDR; "
          "default 127.0.0.1:50051)");
ABSL_FLAG(std::string, scheduling, "",
          "host:port of the scheduling service (env KAIZEN_SCHEDULING_ADDR; "
          "default 127.0.0.1:50052)");
ABSL_FLAG(int, client_deadline_ms, 2000,
          "deadline for calls to enrollment and scheduling (50..60000)");

namespace {

// Flag, else environment variable, else the default.
std::string Address(const std::string& flag, const char* env, const char* fallback) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(env);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace server = kaizen::server;
  namespace plans = kaizen::plans;

  absl::StatusOr<server::ServerOptions> options = server::ServerOptionsFromFlags("plans", 50054);
  if (!options.ok()) {
    std::fprintf(stderr, "plans: %s\n", std::string(options.status().message()).c_str());
    return 2;
  }
  const std::string enrollment =
      Address(absl::GetFlag(FLAGS_enrollment), "KAIZEN_ENROLLMENT_ADDR", "127.0.0.1:50051");
  const std::string scheduling =
      Address(absl::GetFlag(FLAGS_scheduling), "KAIZEN_SCHEDULING_ADDR", "127.0.0.1:50052");
  const int deadline_ms = absl::GetFlag(FLAGS_client_deadline_ms);
  if (deadline_ms < 50 || deadline_ms > 60000) {
    std::fprintf(stderr, "plans: --client_deadline_ms must be 50..60000\n");
    return 2;
  }

  kaizen::storage::DatabaseOptions db;
  db.path = options->database_path;
  db.init = options->init_database;  // --init; else only a first run creates it
  db.buffer_wal_writes = options->wal_buffer;  // --wal_buffer
  auto store = plans::PlansStore::Open(db);
  if (!store.ok()) {
    std::fprintf(stderr, "plans: cannot open %s: %s\n", db.path.c_str(),
                 std::string(store.status().message()).c_str());
    return 1;
  }
  // Principal credentials: keys for that purpose (current + previous),
  // --principal_lifetime_seconds for the calls this service makes.
  kaizen::auth::PrincipalSignerOptions signer_options;
  signer_options.lifetime = options->principal_lifetime;
  kaizen::auth::PrincipalSigner signer(options->keys.principal_forwarding, signer_options);
  // TLS to the other services when --backend_tls_ca_file is given.
  const std::shared_ptr<grpc::ChannelCredentials> backend_credentials =
      kaizen::auth::ChannelCredentialsFor(options->backend_tls);
  const std::shared_ptr<grpc::Channel> enrollment_channel =
      grpc::CreateChannel(enrollment, backend_credentials);
  kaizen::enrollment_client::GrpcRosterSource roster(enrollment_channel, &signer, "plans",
                                                     absl::Milliseconds(deadline_ms));
  // Partner reads: the roster decides, enrollment's RecordProvision records
  // (the APPI Art. 29 record), both within --client_deadline_ms.
  kaizen::partner_client::GrpcProvisionRecorder recorder("plans", enrollment_channel, &signer,
                                                         absl::Milliseconds(deadline_ms));
  kaizen::partner_client::SharedReadGate gate(&roster, &recorder);
  kaizen::scheduling_client::GrpcMeetingSource meetings(
      grpc::CreateChannel(scheduling, backend_credentials), &signer, "plans",
      absl::Milliseconds(deadline_ms));
  // No survey service yet: outcomes list the actions per wall, without scores.
  plans::NoSurveyOutcomeSource outcomes;
  plans::Plans domain(store->get(), &roster, &meetings, &outcomes, kaizen::Clock::Real(),
                      plans::PlansConfig{options->page_token_key}, &gate);
  plans::PlansGrpcService service(&domain, &signer);
  return server::ServeUntilSignal(
      *options, {{kaizen::plans::v1::PlansService::service_full_name(), &service}});
}

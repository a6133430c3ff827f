// The survey server: flags -> Options -> store -> enrollment and scheduling
// clients, the partner gate (roster + enrollment's RecordProvision), MeCab
// -> domain (built-in instrument and coding rules) -> gRPC.
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
#include "services/survey/grpc_service.h"
#include "services/survey/survey.h"
#include "services/survey/survey_store.h"
#include "services/survey/text.h"

ABSL_FLAG(std::string, enrollment, "",
          "host:port of the enrollment service (env KAIZEN_ENROLLMENT_ADDR; "
          "default 127.0.0.1:50051)");
ABSL_FLAG(std::string, scheduling, "",
          "host:port of the scheduling service (env KAIZEN_SCHEDULING_ADDR; "
          "default 127.0.0.1:50052)");
ABSL_FLAG(int, client_deadline_ms, 2000,
          "deadline for calls to enrollment and scheduling (50..60000)");
ABSL_FLAG(int, min_group_size, 5,
          "k: the smallest group an aggregate outside a cohort's staff covers (3..1000; env "
          "KAIZEN_MIN_GROUP_SIZE)");

namespace {

std::string FlagOrEnv(const std::string& flag, const char* env, const char* fallback) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(env);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace server = kaizen::server;
  namespace survey = kaizen::survey;

  absl::StatusOr<server::ServerOptions> options = server::ServerOptionsFromFlags("survey", 50053);
  if (!options.ok()) {
    std::fprintf(stderr, "survey: %s\n", std::string(options.status().message()).c_str());
    return 2;
  }
  const std::string enrollment =
      FlagOrEnv(absl::GetFlag(FLAGS_enrollment), "KAIZEN_ENROLLMENT_ADDR", "127.0.0.1:50051");
  const std::string scheduling =
      FlagOrEnv(absl::GetFlag(FLAGS_scheduling), "KAIZEN_SCHEDULING_ADDR", "127.0.0.1:50052");
  const int deadline_ms = absl::GetFlag(FLAGS_client_deadline_ms);
  int k = absl::GetFlag(FLAGS_min_group_size);
  if (const char* env = std::getenv("KAIZEN_MIN_GROUP_SIZE"); env != nullptr && k == 5) {
    k = std::atoi(env);
  }
  if (deadline_ms < 50 || deadline_ms > 60000) {
    std::fprintf(stderr, "survey: --client_deadline_ms must be 50..60000\n");
    return 2;
  }
  if (k < 3 || k > 1000) {
    std::fprintf(stderr, "survey: --min_group_size must be 3..1000 (never below 3)\n");
    return 2;
  }

  auto tokenizer = survey::text::Tokenizer::Create();
  if (!tokenizer.ok()) {
    std::fprintf(stderr, "survey: %s\n", std::string(tokenizer.status().message()).c_str());
    return 1;
  }
  kaizen::storage::DatabaseOptions db;
  db.path = options->database_path;
  db.init = options->init_database;  // --init; else only a first run creates it
  db.buffer_wal_writes = options->wal_buffer;  // --wal_buffer
  auto store = survey::SurveyStore::Open(db);
  if (!store.ok()) {
    std::fprintf(stderr, "survey: cannot open %s: %s\n", db.path.c_str(),
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
  kaizen::enrollment_client::GrpcRosterSource roster(enrollment_channel, &signer, "survey",
                                                     absl::Milliseconds(deadline_ms));
  // Partner reads (GetSharedSurveyProfile): the same roster decides, and
  // enrollment records every provision before anything leaves.
  kaizen::partner_client::GrpcProvisionRecorder provision("survey", enrollment_channel, &signer,
                                                          absl::Milliseconds(deadline_ms));
  kaizen::partner_client::SharedReadGate shared_reads(&roster, &provision);
  kaizen::scheduling_client::GrpcMeetingSource meetings(
      grpc::CreateChannel(scheduling, backend_credentials), &signer, "survey",
      absl::Milliseconds(deadline_ms));
  survey::Survey domain(store->get(), &roster, &meetings, tokenizer->get(), kaizen::Clock::Real(),
                        survey::SurveyConfig{options->page_token_key, k}, &shared_reads);
  if (absl::Status s = domain.EnsureBuiltins(); !s.ok()) {
    std::fprintf(stderr, "survey: cannot create the built-in questionnaire: %s\n",
                 std::string(s.message()).c_str());
    return 1;
  }
  survey::SurveyGrpcService service(&domain, &signer);
  return server::ServeUntilSignal(
      *options, {{kaizen::survey::v1::SurveyService::service_full_name(), &service}});
}

// The enrollment server: flags -> Options -> store -> domain -> gRPC.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/synchronization/notification.h"
#include "clients/partner/grpc_result_change_source.h"
#include "clients/purge/grpc_purge_target.h"
#include "common/auth/principal.h"
#include "common/auth/tls.h"
#include "common/server/options.h"
#include "common/server/server.h"
#include "common/util/clock.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/grpc_service.h"
#include "grpcpp/create_channel.h"

// Where a purge or an erasure reaches (services/enrollment/purge.h), and
// whose result-change logs the partner feed merges (result_feed.h). Empty
// (and no environment variable): that service is reported NOT_CONFIGURED in
// every purge report, never skipped silently, and is not part of the feed.
ABSL_FLAG(std::string, scheduling_address, "",
          "host:port of the scheduling service, for purges and the partner feed "
          "(env KAIZEN_SCHEDULING_ADDR)");
ABSL_FLAG(std::string, survey_address, "",
          "host:port of the survey service, for purges and the partner feed "
          "(env KAIZEN_SURVEY_ADDR)");
ABSL_FLAG(std::string, plans_address, "",
          "host:port of the plans service, for purges and the partner feed "
          "(env KAIZEN_PLANS_ADDR)");
ABSL_FLAG(int, purge_deadline_ms, 3000,
          "deadline of each PurgePersonalData call to another service (50..60000); "
          "the calls run in parallel, so keep it under the gateway's 5 s: a service "
          "that is down then shows FAILED in the report instead of a 504");
ABSL_FLAG(int, result_feed_deadline_ms, 1500,
          "deadline of each ListResultChanges call the partner feed makes to scheduling, "
          "plans and survey (50..60000); the three run in parallel, so keep it under the "
          "gateway's 5 s: a service that is down is then skipped for that page and named "
          "in unavailable_sources");

namespace {

// Flag, else environment variable, else "" (not configured).
std::string FlagOrEnv(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(env);
  return value != nullptr ? value : "";
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace server = kaizen::server;
  namespace enrollment = kaizen::enrollment;

  absl::StatusOr<server::ServerOptions> options =
      server::ServerOptionsFromFlags("enrollment", 50051);
  if (!options.ok()) {
    std::fprintf(stderr, "enrollment: %s\n", std::string(options.status().message()).c_str());
    return 2;
  }
  kaizen::storage::DatabaseOptions db;
  db.path = options->database_path;
  db.init = options->init_database;  // --init; else only a first run creates it
  auto store = enrollment::EnrollmentStore::Open(db);
  if (!store.ok()) {
    std::fprintf(stderr, "enrollment: cannot open %s: %s\n", db.path.c_str(),
                 std::string(store.status().message()).c_str());
    return 1;
  }
  const int purge_deadline_ms = absl::GetFlag(FLAGS_purge_deadline_ms);
  if (purge_deadline_ms < 50 || purge_deadline_ms > 60000) {
    std::fprintf(stderr, "enrollment: --purge_deadline_ms must be 50..60000\n");
    return 2;
  }
  const int result_feed_deadline_ms = absl::GetFlag(FLAGS_result_feed_deadline_ms);
  if (result_feed_deadline_ms < 50 || result_feed_deadline_ms > 60000) {
    std::fprintf(stderr, "enrollment: --result_feed_deadline_ms must be 50..60000\n");
    return 2;
  }
  // Principal credentials: keys for that purpose (current + previous),
  // --principal_lifetime_seconds for the calls this service makes.
  kaizen::auth::PrincipalSignerOptions signer_options;
  signer_options.lifetime = options->principal_lifetime;
  kaizen::auth::PrincipalSigner signer(options->keys.principal_forwarding, signer_options);
  // Purge targets, with TLS when --backend_tls_ca_file is given (as the
  // other services' clients).
  const std::shared_ptr<grpc::ChannelCredentials> backend_credentials =
      kaizen::auth::ChannelCredentialsFor(options->backend_tls);
  std::vector<std::unique_ptr<kaizen::purge_client::GrpcPurgeTarget>> purge_targets;
  // The same channels feed the partner change feed (ListResultChanges).
  std::vector<std::unique_ptr<kaizen::partner_client::GrpcResultChangeSource>> result_sources;
  const struct {
    const char* service;
    std::string address;
    absl::string_view method;
    absl::string_view result_changes_method;
  } downstream[] = {
      {"scheduling", FlagOrEnv(absl::GetFlag(FLAGS_scheduling_address), "KAIZEN_SCHEDULING_ADDR"),
       kaizen::purge_client::kSchedulingPurgeMethod,
       kaizen::partner_client::kSchedulingResultChangesMethod},
      {"survey", FlagOrEnv(absl::GetFlag(FLAGS_survey_address), "KAIZEN_SURVEY_ADDR"),
       kaizen::purge_client::kSurveyPurgeMethod,
       kaizen::partner_client::kSurveyResultChangesMethod},
      {"plans", FlagOrEnv(absl::GetFlag(FLAGS_plans_address), "KAIZEN_PLANS_ADDR"),
       kaizen::purge_client::kPlansPurgeMethod, kaizen::partner_client::kPlansResultChangesMethod},
  };
  enrollment::EnrollmentConfig config{
      options->page_token_key, options->keys.applicant_links.current(),
      options->keys.claim_links.current(),
      // Links issued under a previous secret still redeem during the overlap.
      std::vector<std::string>(options->keys.claim_links.all().begin() + 1,
                               options->keys.claim_links.all().end())};
  for (const auto& d : downstream) {
    if (d.address.empty()) {
      std::fprintf(stderr,
                   "{\"service\":\"enrollment\",\"event\":\"purge_target_not_configured\","
                   "\"target\":\"%s\"}\n",
                   d.service);
      continue;
    }
    const std::shared_ptr<grpc::Channel> channel =
        grpc::CreateChannel(d.address, backend_credentials);
    purge_targets.push_back(std::make_unique<kaizen::purge_client::GrpcPurgeTarget>(
        d.service, std::string(d.method), channel, &signer,
        absl::Milliseconds(purge_deadline_ms)));
    config.purge_targets.push_back(purge_targets.back().get());
    result_sources.push_back(std::make_unique<kaizen::partner_client::GrpcResultChangeSource>(
        d.service, std::string(d.result_changes_method), channel, &signer,
        absl::Milliseconds(result_feed_deadline_ms)));
    config.result_change_sources.push_back(result_sources.back().get());
  }
  enrollment::Enrollment domain(store->get(), kaizen::Clock::Real(), std::move(config));
  enrollment::EnrollmentGrpcService service(&domain, &signer);

  // Lapsed offers are also expired by every write to their cohort; the
  // sweeper makes reads and the change feed catch up without one. Every
  // other pass (about once a minute) it also retries incomplete purge and
  // erasure reports (at most kPurgeRetryBatch per pass, resuming where the
  // last stopped), logging counts only: never a name or a subject. Reports
  // run one after another, each up to --purge_deadline_ms (3 s), so a pass
  // delays a shutdown by at most ~15 s with the defaults, inside a
  // container's usual 30 s grace period.
  constexpr int kPurgeRetryBatch = 5;
  absl::Notification stop;
  std::thread sweeper([&] {
    std::pair<std::string, std::string> purge_cursor;
    for (int pass = 1; !stop.WaitForNotificationWithTimeout(absl::Seconds(30)); ++pass) {
      absl::StatusOr<int> expired = domain.ExpireLapsedOffers();
      if (!expired.ok()) {
        std::fprintf(stderr, "{\"service\":\"enrollment\",\"event\":\"sweep_failed\",\"code\":%d}\n",
                     static_cast<int>(expired.status().code()));
      }
      if (pass % 2 != 0) continue;
      auto retried = domain.RetryIncompletePurges(kPurgeRetryBatch, purge_cursor);
      if (!retried.ok()) {
        std::fprintf(stderr,
                     "{\"service\":\"enrollment\",\"event\":\"purge_retry_failed\","
                     "\"code\":%d}\n",
                     static_cast<int>(retried.status().code()));
        continue;
      }
      purge_cursor = retried->next;
      if (retried->reports > 0) {
        std::fprintf(stderr,
                     "{\"service\":\"enrollment\",\"event\":\"purge_retry\",\"reports\":%d,"
                     "\"completed\":%d,\"errors\":%d}\n",
                     retried->reports, retried->completed, retried->errors);
      }
    }
  });
  const int code = server::ServeUntilSignal(
      *options, {{kaizen::enrollment::v1::EnrollmentService::service_full_name(), &service}});
  stop.Notify();
  sweeper.join();
  return code;
}

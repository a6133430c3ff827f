// The enrollment server: flags -> Options -> store -> domain -> gRPC.
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/synchronization/notification.h"
#include "common/auth/principal.h"
#include "common/server/options.h"
#include "common/server/server.h"
#include "common/util/clock.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/grpc_service.h"

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
  enrollment::Enrollment domain(
      store->get(), kaizen::Clock::Real(),
      enrollment::EnrollmentConfig{
          options->page_token_key, options->keys.applicant_links.current(),
          options->keys.claim_links.current(),
          // Links issued under a previous secret still redeem during the overlap.
          std::vector<std::string>(options->keys.claim_links.all().begin() + 1,
                                   options->keys.claim_links.all().end())});
  // Principal credentials: keys for that purpose (current + previous),
  // --principal_lifetime_seconds for the calls this service makes.
  kaizen::auth::PrincipalSignerOptions signer_options;
  signer_options.lifetime = options->principal_lifetime;
  kaizen::auth::PrincipalSigner signer(options->keys.principal_forwarding, signer_options);
  enrollment::EnrollmentGrpcService service(&domain, &signer);

  // Lapsed offers are also expired by every write to their cohort; the
  // sweeper makes reads and the change feed catch up without one.
  absl::Notification stop;
  std::thread sweeper([&] {
    while (!stop.WaitForNotificationWithTimeout(absl::Seconds(30))) {
      absl::StatusOr<int> expired = domain.ExpireLapsedOffers();
      if (!expired.ok()) {
        std::fprintf(stderr, "{\"service\":\"enrollment\",\"event\":\"sweep_failed\",\"code\":%d}\n",
                     static_cast<int>(expired.status().code()));
      }
    }
  });
  const int code = server::ServeUntilSignal(
      *options, {{kaizen::enrollment::v1::EnrollmentService::service_full_name(), &service}});
  stop.Notify();
  sweeper.join();
  return code;
}

// The scheduling server: flags -> Options -> store -> roster client -> domain
// -> gRPC; beside it the outbox's Deliverer (hand-over to enrollment) and the
// task-due reminder sweep (services/scheduling/README.md, Notifications).
#include <cstdio>
#include <memory>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/synchronization/notification.h"
#include "clients/enrollment/notification_handover.h"
#include "clients/enrollment/grpc_roster_source.h"
#include "clients/partner/grpc_provision_recorder.h"
#include "clients/partner/shared_read.h"
#include "common/auth/principal.h"
#include "common/auth/tls.h"
#include "common/notify/deliverer.h"
#include "common/server/options.h"
#include "common/server/server.h"
#include "common/util/clock.h"
#include "grpcpp/create_channel.h"
#include "services/scheduling/grpc_service.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"

ABSL_FLAG(std::string, enrollment, "",
          "host:port of the enrollment service (env KAIZEN_ENROLLMENT_ADDR; "
          "default 127.0.0.1:50051)");
ABSL_FLAG(int, roster_deadline_ms, 2000, "deadline for roster calls to enrollment");
ABSL_FLAG(bool, notify_handover, true,
          "hand the outbox's messages (meeting changes, polls, task reminders) to enrollment, "
          "which e-mails them; false keeps them PENDING in the outbox");
ABSL_FLAG(int, handover_deadline_ms, 5000, "deadline for one hand-over call to enrollment");
ABSL_FLAG(int, task_reminder_interval_s, 300,
          "how often the task-due reminder sweep runs (seconds, 10..3600)");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace server = kaizen::server;
  namespace scheduling = kaizen::scheduling;

  absl::StatusOr<server::ServerOptions> options =
      server::ServerOptionsFromFlags("scheduling", 50052);
  if (!options.ok()) {
    std::fprintf(stderr, "scheduling: %s\n", std::string(options.status().message()).c_str());
    return 2;
  }
  std::string enrollment = absl::GetFlag(FLAGS_enrollment);
  if (enrollment.empty() && std::getenv("KAIZEN_ENROLLMENT_ADDR") != nullptr) {
    enrollment = std::getenv("KAIZEN_ENROLLMENT_ADDR");
  }
  if (enrollment.empty()) enrollment = "127.0.0.1:50051";
  const int deadline_ms = absl::GetFlag(FLAGS_roster_deadline_ms);
  if (deadline_ms < 50 || deadline_ms > 60000) {
    std::fprintf(stderr, "scheduling: --roster_deadline_ms must be 50..60000\n");
    return 2;
  }
  const int handover_ms = absl::GetFlag(FLAGS_handover_deadline_ms);
  if (handover_ms < 100 || handover_ms > 60000) {
    std::fprintf(stderr, "scheduling: --handover_deadline_ms must be 100..60000\n");
    return 2;
  }
  const int sweep_s = absl::GetFlag(FLAGS_task_reminder_interval_s);
  if (sweep_s < 10 || sweep_s > 3600) {
    std::fprintf(stderr, "scheduling: --task_reminder_interval_s must be 10..3600\n");
    return 2;
  }

  kaizen::storage::DatabaseOptions db;
  db.path = options->database_path;
  db.init = options->init_database;  // --init; else only a first run creates it
  db.buffer_wal_writes = options->wal_buffer;  // --wal_buffer
  auto store = scheduling::SchedulingStore::Open(db);
  if (!store.ok()) {
    std::fprintf(stderr, "scheduling: cannot open %s: %s\n", db.path.c_str(),
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
  kaizen::enrollment_client::GrpcRosterSource roster(enrollment_channel, &signer, "scheduling",
                                                     absl::Milliseconds(deadline_ms));
  // Partner reads: the roster decides, enrollment's RecordProvision records
  // (the APPI Art. 29 record), both within --roster_deadline_ms.
  kaizen::partner_client::GrpcProvisionRecorder recorder(
      "scheduling", enrollment_channel, &signer, absl::Milliseconds(deadline_ms));
  kaizen::partner_client::SharedReadGate gate(&roster, &recorder);
  // Page tokens and calendar-feed secrets: keys of their own purposes
  // (common/auth/keys.h), the same on every replica.
  scheduling::SchedulingConfig config;
  config.page_token_key = options->page_token_key;
  config.calendar_feed_keys = options->keys.calendar_feeds;
  scheduling::Scheduling domain(store->get(), &roster, kaizen::Clock::Real(), std::move(config),
                                &gate);
  scheduling::SchedulingGrpcService service(&domain, &signer);

  // The outbox: every meeting change, poll opening and task reminder is
  // written in the transaction of its change; this thread hands each row to
  // enrollment (EnqueueNotification, keyed "scheduling:<row id>"), retrying
  // with backoff while enrollment is away. Logs ids, kinds and codes only.
  kaizen::enrollment_client::NotificationHandover handover(
      enrollment_channel, &signer, "scheduling", absl::Milliseconds(handover_ms));
  kaizen::notify::DelivererOptions deliverer_options;
  deliverer_options.service = "scheduling";
  std::unique_ptr<kaizen::notify::Deliverer> deliverer;
  if (absl::GetFlag(FLAGS_notify_handover)) {
    deliverer = std::make_unique<kaizen::notify::Deliverer>(
        (*store)->database(), &handover, kaizen::Clock::Real(), deliverer_options);
    deliverer->Start();
  } else {
    std::fprintf(stderr,
                 "{\"service\":\"scheduling\",\"event\":\"notify_handover_off\","
                 "\"detail\":\"messages stay PENDING in the outbox (kaizen_outbox lists them)\"}\n");
  }
  // Task reminders: once per task and due time, whatever the interval.
  absl::Notification stop;
  std::thread sweeper([&] {
    do {
      auto swept = domain.SweepTaskReminders();
      if (!swept.ok()) {
        std::fprintf(stderr,
                     "{\"service\":\"scheduling\",\"event\":\"task_reminders_failed\","
                     "\"code\":\"%s\"}\n",
                     absl::StatusCodeToString(swept.status().code()).c_str());
      } else if (swept->enqueued > 0 || swept->deferred > 0) {
        std::fprintf(stderr,
                     "{\"service\":\"scheduling\",\"event\":\"task_reminders\","
                     "\"enqueued\":%d,\"deferred\":%d}\n",
                     swept->enqueued, swept->deferred);
        if (deliverer != nullptr) deliverer->Poke();
      }
    } while (!stop.WaitForNotificationWithTimeout(absl::Seconds(sweep_s)));
  });
  const int code = server::ServeUntilSignal(
      *options, {{kaizen::scheduling::v1::SchedulingService::service_full_name(), &service}});
  // Drained: no more writes. Stop the sweep, then the deliverer (an attempt
  // in progress finishes within --handover_deadline_ms; what is left stays
  // PENDING for the next start).
  stop.Notify();
  sweeper.join();
  if (deliverer != nullptr) deliverer->Stop();
  return code;
}

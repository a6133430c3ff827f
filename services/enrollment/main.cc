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
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "clients/partner/grpc_result_change_source.h"
#include "clients/purge/grpc_purge_target.h"
#include "common/auth/principal.h"
#include "common/auth/tls.h"
#include "common/server/options.h"
#include "common/notify/deliverer.h"
#include "common/notify/smtp.h"
#include "common/notify/smtp_rules.h"
#include "common/server/server.h"
#include "common/util/clock.h"
#include "common/util/crypto.h"
#include "common/validation/validation.h"
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


constexpr char kDefaultMailFrom[] = "noreply@kaizen.localdomain";
constexpr char kDefaultMailFromName[] = "次世代改善リーダー事例研究会 事務局";
constexpr char kDefaultPublicBaseUrl[] = "http://localhost:8080";

// E-mail (services/enrollment/README.md, "Notifications"). Every message is
// written to the outbox in the transaction that causes it; with
// --smtp_host a delivery thread in this process sends them to that relay;
// without it the thread still runs with a transport that fails transiently
// ("no relay configured"), so rows go DEAD after the retry budget (about 2 h;
// kaizen_outbox retry sends them once a relay is configured) and their
// recipient and payload are cleared after --mail_keep_dead_days. A flag
// left at its default yields to its variable.
ABSL_FLAG(std::string, smtp_host, "",
          "SMTP relay to deliver e-mail to; empty: messages stay in the outbox "
          "(env KAIZEN_SMTP_HOST)");
ABSL_FLAG(int, smtp_port, 25, "SMTP relay port, 1..65535 (env KAIZEN_SMTP_PORT)");
ABSL_FLAG(bool, smtp_starttls, false,
          "require STARTTLS with the relay, verifying its certificate "
          "(env KAIZEN_SMTP_STARTTLS=true)");
ABSL_FLAG(std::string, smtp_ca_file, "",
          "PEM CA bundle for the relay's certificate; empty: the system store "
          "(env KAIZEN_SMTP_CA_FILE)");
ABSL_FLAG(bool, smtp_allow_plaintext, false,
          "allow delivery without STARTTLS to a relay that is not loopback; for a relay on a "
          "private network only: messages carry secret links (env "
          "KAIZEN_SMTP_ALLOW_PLAINTEXT=true)");
ABSL_FLAG(int, mail_keep_dead_days, 30,
          "days a DEAD (undeliverable) message keeps its recipient and body for an operator "
          "to retry; then both are cleared, 1..365");
ABSL_FLAG(std::string, smtp_credentials_file, "",
          "file with the relay's AUTH PLAIN user name and password, one per line, "
          "mode 600 (env KAIZEN_SMTP_CREDENTIALS_FILE)");
ABSL_FLAG(std::string, mail_from, kDefaultMailFrom,
          "sender address (header From and envelope); its domain ends every "
          "Message-ID (env KAIZEN_MAIL_FROM)");
ABSL_FLAG(std::string, mail_from_name, kDefaultMailFromName,
          "sender's display name, also the messages' signature (env KAIZEN_MAIL_FROM_NAME)");
ABSL_FLAG(std::string, public_base_url, kDefaultPublicBaseUrl,
          "the frontend's base URL for links in e-mail, http(s)://host[:port][/path] "
          "(env KAIZEN_PUBLIC_BASE_URL)");
ABSL_FLAG(std::string, require_email_confirmation, "true",
          "true: an application without a verified identity waits for every member "
          "to confirm their address before it is admitted; false only for tests "
          "(env KAIZEN_REQUIRE_EMAIL_CONFIRMATION)");
ABSL_FLAG(int, confirmation_window_hours, 48,
          "how long an unconfirmed application waits before it expires, 1..336 "
          "(env KAIZEN_CONFIRMATION_WINDOW_HOURS)");

namespace {

// Flag, else environment variable, else "" (not configured).
std::string FlagOrEnv(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(env);
  return value != nullptr ? value : "";
}


// The flag unless it is at its default, else the variable, else the default.
std::string StringSetting(const std::string& flag, const std::string& default_value,
                          const char* env) {
  if (flag != default_value) return flag;
  const char* value = std::getenv(env);
  return value != nullptr && *value != '\0' ? value : flag;
}

bool IntSetting(int flag, int default_value, const char* env, int* out) {
  *out = flag;
  if (flag != default_value) return true;
  const char* value = std::getenv(env);
  if (value == nullptr || *value == '\0') return true;
  return absl::SimpleAtoi(value, out);
}

// true/1, false/0; anything else is refused.
bool ParseBool(const std::string& text, bool* out) {
  if (text == "true" || text == "1") *out = true;
  else if (text == "false" || text == "0") *out = false;
  else return false;
  return true;
}

int Refuse(const std::string& message) {
  std::fprintf(stderr, "enrollment: %s\n", message.c_str());
  return 2;
}

// E-mail settings from the flags: the domain's NotifyConfig and
// confirmation rule, and the relay (empty host: none). The unsubscribe key
// is derived from the applicant-links key under its own label, so it
// rotates with it (links in older reminders then stop working; the
// reminders that follow carry new ones).
struct MailSettings {
  kaizen::enrollment::NotifyConfig notify;
  bool require_email_confirmation = true;
  absl::Duration confirmation_window;
  kaizen::notify::SmtpOptions smtp;
  int keep_dead_days = 30;
};

// 0 with `out` filled, else the exit code after the message.
int ReadMailSettings(const std::string& applicant_links_key, MailSettings* out) {
  out->smtp.host = StringSetting(absl::GetFlag(FLAGS_smtp_host), "", "KAIZEN_SMTP_HOST");
  if (!IntSetting(absl::GetFlag(FLAGS_smtp_port), 25, "KAIZEN_SMTP_PORT", &out->smtp.port) ||
      out->smtp.port < 1 || out->smtp.port > 65535) {
    return Refuse("--smtp_port (KAIZEN_SMTP_PORT) must be a port number, 1..65535");
  }
  bool starttls_env = false;
  const std::string starttls = StringSetting("", "", "KAIZEN_SMTP_STARTTLS");
  if (!starttls.empty() && !ParseBool(starttls, &starttls_env)) {
    return Refuse("KAIZEN_SMTP_STARTTLS must be true or false");
  }
  out->smtp.starttls = absl::GetFlag(FLAGS_smtp_starttls) || starttls_env;
  bool plaintext_env = false;
  const std::string plaintext = StringSetting("", "", "KAIZEN_SMTP_ALLOW_PLAINTEXT");
  if (!plaintext.empty() && !ParseBool(plaintext, &plaintext_env)) {
    return Refuse("KAIZEN_SMTP_ALLOW_PLAINTEXT must be true or false");
  }
  out->smtp.allow_plaintext = absl::GetFlag(FLAGS_smtp_allow_plaintext) || plaintext_env;
  out->keep_dead_days = absl::GetFlag(FLAGS_mail_keep_dead_days);
  if (out->keep_dead_days < 1 || out->keep_dead_days > 365) {
    return Refuse("--mail_keep_dead_days must be 1..365");
  }
  out->smtp.ca_file = StringSetting(absl::GetFlag(FLAGS_smtp_ca_file), "", "KAIZEN_SMTP_CA_FILE");
  const std::string credentials = StringSetting(absl::GetFlag(FLAGS_smtp_credentials_file), "",
                                                "KAIZEN_SMTP_CREDENTIALS_FILE");
  if (out->smtp.host.empty() && (out->smtp.starttls || !out->smtp.ca_file.empty() ||
                                 !credentials.empty())) {
    return Refuse("--smtp_starttls, --smtp_ca_file and --smtp_credentials_file need --smtp_host");
  }
  if (!credentials.empty()) {
    absl::Status read = kaizen::notify::ReadCredentialsFile(credentials, &out->smtp);
    if (!read.ok()) return Refuse(absl::StrCat("--smtp_credentials_file: ", read.message()));
  }
  const std::string from =
      StringSetting(absl::GetFlag(FLAGS_mail_from), kDefaultMailFrom, "KAIZEN_MAIL_FROM");
  if (!kaizen::ValidateEmail("mail_from", from).ok()) {
    return Refuse("--mail_from (KAIZEN_MAIL_FROM) must be an e-mail address, "
                  "e.g. noreply@kaizen.example.jp");
  }
  out->notify.from.address = from;
  out->notify.from.display_name =
      StringSetting(absl::GetFlag(FLAGS_mail_from_name), kDefaultMailFromName,
                    "KAIZEN_MAIL_FROM_NAME");
  if (out->notify.from.display_name.find_first_of("\r\n") != std::string::npos) {
    return Refuse("--mail_from_name (KAIZEN_MAIL_FROM_NAME) must be one line");
  }
  out->notify.message_id_domain = from.substr(from.rfind('@') + 1);
  out->smtp.envelope_from = from;
  if (!out->smtp.host.empty()) {
    absl::Status smtp = kaizen::notify::ValidateSmtpOptions(out->smtp);
    if (!smtp.ok()) return Refuse(absl::StrCat("SMTP settings: ", smtp.message()));
  }
  std::string base = StringSetting(absl::GetFlag(FLAGS_public_base_url), kDefaultPublicBaseUrl,
                                   "KAIZEN_PUBLIC_BASE_URL");
  while (absl::EndsWith(base, "/")) base.pop_back();
  const bool scheme = absl::StartsWith(base, "https://") || absl::StartsWith(base, "http://");
  if (!scheme || base.find_first_of("#? \t\r\n") != std::string::npos ||
      base.size() <= std::string("https://").size()) {
    return Refuse("--public_base_url (KAIZEN_PUBLIC_BASE_URL) must be http(s)://host[:port][/path] "
                  "without ? or #, e.g. https://kaizen.example.jp");
  }
  out->notify.public_base_url = base;
  const std::string require = StringSetting(absl::GetFlag(FLAGS_require_email_confirmation),
                                            "true", "KAIZEN_REQUIRE_EMAIL_CONFIRMATION");
  if (!ParseBool(require, &out->require_email_confirmation)) {
    return Refuse("--require_email_confirmation (KAIZEN_REQUIRE_EMAIL_CONFIRMATION) must be "
                  "true or false");
  }
  int hours = 48;
  if (!IntSetting(absl::GetFlag(FLAGS_confirmation_window_hours), 48,
                  "KAIZEN_CONFIRMATION_WINDOW_HOURS", &hours) ||
      hours < 1 || hours > 336) {
    return Refuse("--confirmation_window_hours (KAIZEN_CONFIRMATION_WINDOW_HOURS) must be "
                  "1..336 (up to two weeks)");
  }
  out->confirmation_window = absl::Hours(hours);
  out->notify.unsubscribe_key =
      kaizen::crypto::HmacSha256(applicant_links_key, "kaizen-enrollment-unsubscribe-links-v1");
  return 0;
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
  db.buffer_wal_writes = options->wal_buffer;  // --wal_buffer
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
  MailSettings mail;
  if (int refused = ReadMailSettings(options->keys.applicant_links.current(), &mail)) {
    return refused;
  }
  config.notify = mail.notify;
  config.require_email_confirmation = mail.require_email_confirmation;
  config.confirmation_window = mail.confirmation_window;
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
      // Each step logs its own failure and the next still runs.
      const struct {
        const char* step;
        absl::StatusOr<int> result;
      } steps[] = {{"expire_offers", domain.ExpireLapsedOffers()},
                   {"expire_unconfirmed", domain.ExpireUnconfirmedApplications()},
                   {"offer_reminders", domain.SendOfferReminders()}};
      for (const auto& step : steps) {
        if (step.result.ok()) continue;
        std::fprintf(stderr,
                     "{\"service\":\"enrollment\",\"event\":\"sweep_failed\",\"step\":\"%s\","
                     "\"code\":%d}\n",
                     step.step, static_cast<int>(step.result.status().code()));
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
  // Delivery: one thread in this process (common/notify/deliverer.h), so
  // a message leaves with the service that wrote it and needs no second
  // process to deploy; it holds the writer lock only to record outcomes.
  // Without a relay the thread runs too (NoRelayTransport): rows go DEAD
  // after the retry budget and are cleared after keep_dead, so nothing
  // piles up forever.
  std::unique_ptr<kaizen::notify::Transport> transport;
  if (mail.smtp.host.empty()) {
    std::fprintf(stderr,
                 "{\"service\":\"enrollment\",\"event\":\"mail_delivery_not_configured\"}\n");
    transport = std::make_unique<kaizen::notify::NoRelayTransport>();
  } else {
    transport = std::make_unique<kaizen::notify::SmtpTransport>(mail.smtp);
  }
  kaizen::notify::DelivererOptions delivery;
  delivery.service = "enrollment";
  delivery.keep_dead = absl::Hours(24) * mail.keep_dead_days;
  auto deliverer = std::make_unique<kaizen::notify::Deliverer>(
      &(*store)->database(), transport.get(), kaizen::Clock::Real(), delivery);
  deliverer->Start();
  const int code = server::ServeUntilSignal(
      *options, {{kaizen::enrollment::v1::EnrollmentService::service_full_name(), &service}});
  stop.Notify();
  sweeper.join();
  // After the server drained (the last requests' messages are in the
  // outbox; what this thread does not reach is sent after the next start).
  deliverer->Stop();
  return code;
}

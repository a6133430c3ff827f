// The SMTP transport against a scripted server on loopback (port 0):
// replies, dot-stuffing, failures and their classes, timeouts, STARTTLS
// with the repo's test certificates, AUTH PLAIN, the configuration rules,
// and an end to end run with the Deliverer.
#include "common/notify/smtp.h"

#include <chrono>
#include <thread>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "SQLiteCpp/Database.h"
#include "absl/strings/match.h"
#include "common/notify/deliverer.h"
#include "common/notify/fake_smtp_server.h"
#include "common/notify/mail.h"
#include "common/notify/mail_decode.h"
#include "common/notify/outbox.h"
#include "common/notify/smtp_rules.h"
#include "common/storage/database.h"
#include "common/util/clock.h"
#include "gtest/gtest.h"

namespace kaizen::notify {
namespace smtp_test {

using testing::FakeSmtpOptions;
using testing::FakeSmtpServer;

constexpr char kCerts[] = "common/auth/testdata/";
constexpr char kRecipient[] = "hanako@example.jp";

std::unique_ptr<FakeSmtpServer> StartServer(FakeSmtpOptions options = {}) {
  auto server = FakeSmtpServer::Start(std::move(options));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

SmtpOptions Options(int port, const std::string& host = "127.0.0.1") {
  SmtpOptions o;
  o.host = host;
  o.port = port;
  o.envelope_from = "bounce@kaizen.example.jp";
  o.timeout = absl::Seconds(20);
  return o;
}

OutboxMessage Message(std::string payload = "Subject: hi\r\n\r\nhello\r\n") {
  OutboxMessage m;
  m.id = "m1";
  m.kind = "test";
  m.recipient = kRecipient;
  m.payload = std::move(payload);
  return m;
}

FakeSmtpOptions Failing(const std::string& verb, int code) {
  FakeSmtpOptions o;
  o.fail = [verb, code](const std::string& v, int) { return v == verb ? code : 0; };
  return o;
}

TEST(SmtpTest, DeliversWithDotStuffingAndCrlf) {
  auto server = StartServer();
  SmtpTransport smtp(Options(server->port()));
  const std::string payload = "Subject: x\n\n.\n..two\n.three\r\nlast line without end";
  ASSERT_TRUE(smtp.Deliver(Message(payload)).ok());
  const auto got = server->messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].mail_from, "bounce@kaizen.example.jp");
  EXPECT_EQ(got[0].rcpt_to, std::vector<std::string>{kRecipient});
  EXPECT_EQ(got[0].data, "Subject: x\r\n\r\n.\r\n..two\r\n.three\r\nlast line without end\r\n");
  EXPECT_FALSE(got[0].tls);
}

TEST(SmtpTest, TransientRepliesAreUnavailableWithoutTheRecipient) {
  for (const auto& [verb, code] : std::vector<std::pair<std::string, int>>{
           {"GREETING", 421}, {"MAIL", 451}, {"RCPT", 450}, {"DATA", 451}, {"END", 452},
           // A 5xx before RCPT TO is the relay's or the configuration's problem.
           {"GREETING", 554}, {"MAIL", 550}, {"DATA", 554}}) {
    auto server = StartServer(Failing(verb, code));
    SmtpTransport smtp(Options(server->port()));
    const absl::Status s = smtp.Deliver(Message());
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << verb << " " << s;
    EXPECT_TRUE(absl::StrContains(s.message(), std::to_string(code))) << s;
    EXPECT_FALSE(absl::StrContains(s.message(), kRecipient)) << s;
    EXPECT_TRUE(server->messages().empty());
  }
}

TEST(SmtpTest, PermanentRepliesAreInvalidArgument) {
  // Only where the 5xx is about this message (its recipient, its content).
  for (const std::string& verb : std::vector<std::string>{"RCPT", "END"}) {
    auto server = StartServer(Failing(verb, 550));
    SmtpTransport smtp(Options(server->port()));
    const absl::Status s = smtp.Deliver(Message());
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << verb << " " << s;
    EXPECT_TRUE(absl::StrContains(s.message(), "550")) << s;
    EXPECT_FALSE(IsTransient(s));
  }
}

TEST(SmtpTest, ConnectionRefusedIsUnavailable) {
  // A bound socket that does not listen: connecting is refused.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  SmtpTransport smtp(Options(ntohs(addr.sin_port)));
  const absl::Status s = smtp.Deliver(Message());
  close(fd);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
}

// A relay that trickles its greeting one byte at a time, each well inside
// the step timeout, cannot hold the delivery longer than the delivery's own
// bound (8 steps before DATA): the thread is free again for other messages.
TEST(SmtpTest, TricklingRelayIsBoundedByTheWholeDelivery) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  socklen_t len = sizeof(addr);
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::thread relay([listener] {
    const int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) return;
    // 100 bytes of a greeting line that never ends, one per 30 ms (3 s).
    for (int i = 0; i < 100; ++i) {
      if (send(fd, "2", 1, MSG_NOSIGNAL) != 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    close(fd);
  });
  SmtpOptions o = Options(ntohs(addr.sin_port));
  o.timeout = absl::Milliseconds(100);  // each byte comes well inside this
  const absl::Time start = absl::Now();
  const absl::Status s = SmtpTransport(o).Deliver(Message());
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  // 8 x 100 ms; the relay would have gone on for 3 s.
  EXPECT_LT(took, absl::Seconds(2)) << took;
  relay.join();
  close(listener);
}

TEST(SmtpTest, SilentServerTimesOut) {
  FakeSmtpOptions silent;
  silent.silent = true;
  auto server = StartServer(silent);
  SmtpOptions o = Options(server->port());
  o.timeout = absl::Milliseconds(200);
  const absl::Time start = absl::Now();
  const absl::Status s = SmtpTransport(o).Deliver(Message());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "timed out")) << s;
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST(SmtpTest, StartTlsRequiredButNotOfferedIsUnavailable) {
  auto server = StartServer();
  SmtpOptions o = Options(server->port());
  o.starttls = true;
  o.ca_file = std::string(kCerts) + "ca.pem";
  const absl::Status s = SmtpTransport(o).Deliver(Message());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "STARTTLS")) << s;
  EXPECT_TRUE(server->messages().empty());
}

FakeSmtpOptions Tls(const std::string& cert = "server") {
  FakeSmtpOptions o;
  o.offer_starttls = true;
  o.cert_file = std::string(kCerts) + cert + ".pem";
  o.key_file = std::string(kCerts) + cert + ".key";
  return o;
}

TEST(SmtpTest, StartTlsVerifiesAndAuthenticates) {
  FakeSmtpOptions fake = Tls();
  fake.offer_auth = true;
  fake.username = "kaizen";
  fake.password = "s3cret pass";
  auto server = StartServer(fake);
  for (const std::string& host : std::vector<std::string>{"localhost", "127.0.0.1"}) {
    SmtpOptions o = Options(server->port(), host);
    o.starttls = true;
    o.ca_file = std::string(kCerts) + "ca.pem";
    o.username = "kaizen";
    o.password = "s3cret pass";
    const absl::Status s = SmtpTransport(o).Deliver(Message());
    ASSERT_TRUE(s.ok()) << host << " " << s;
  }
  const auto got = server->messages();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].tls);
  EXPECT_EQ(got[0].auth_user, "kaizen");
}

TEST(SmtpTest, UntrustedCertificateIsRefused) {
  auto server = StartServer(Tls("other"));  // signed by another CA
  SmtpOptions o = Options(server->port(), "localhost");
  o.starttls = true;
  o.ca_file = std::string(kCerts) + "ca.pem";
  const absl::Status s = SmtpTransport(o).Deliver(Message());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "certificate")) << s;
  EXPECT_TRUE(server->messages().empty());
}

TEST(SmtpTest, AuthOnLoopbackWithoutTlsAndWrongPassword) {
  FakeSmtpOptions fake;
  fake.offer_auth = true;
  fake.username = "kaizen";
  fake.password = "right";
  auto server = StartServer(fake);
  SmtpOptions o = Options(server->port());
  o.username = "kaizen";
  o.password = "right";
  ASSERT_TRUE(SmtpTransport(o).Deliver(Message()).ok());
  EXPECT_EQ(server->messages().at(0).auth_user, "kaizen");
  o.password = "wrong";
  // 535 is the configuration's problem, not this message's: retried, so a
  // password rotation does not dead-letter the whole outbox in one pass.
  const absl::Status s = SmtpTransport(o).Deliver(Message());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_TRUE(IsTransient(s));
  EXPECT_FALSE(absl::StrContains(s.message(), "wrong")) << s;
}

TEST(SmtpRulesTest, AuthWithoutTlsOnlyToLoopback) {
  for (const char* host : {"localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "::1",
                           "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"smtp.example.jp", "128.0.0.1", "10.0.0.1", "::2", "localhost.evil.jp",
                           "", "127.0.0.1.example.jp"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
  SmtpOptions o = Options(25, "smtp.example.jp");
  o.username = "u";
  o.password = "p";
  const absl::Status s = ValidateSmtpOptions(o);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(s.message(), "STARTTLS")) << s;
  // Deliver refuses before connecting anywhere.
  EXPECT_EQ(SmtpTransport(o).Deliver(Message()).code(), absl::StatusCode::kFailedPrecondition);
  o.starttls = true;
  EXPECT_TRUE(ValidateSmtpOptions(o).ok());
  o.host = "127.0.0.1";
  o.starttls = false;
  EXPECT_TRUE(ValidateSmtpOptions(o).ok());
  o.password = "";
  EXPECT_FALSE(ValidateSmtpOptions(o).ok());
  o = Options(0);
  EXPECT_FALSE(ValidateSmtpOptions(o).ok());
  o = Options(25, "bad host");
  EXPECT_FALSE(ValidateSmtpOptions(o).ok());
  o = Options(25);
  o.envelope_from = "x\r\nRCPT TO:<a@b.jp>";
  EXPECT_FALSE(ValidateSmtpOptions(o).ok());
}

TEST(SmtpRulesTest, PlaintextOnlyToLoopbackUnlessAllowed) {
  // No AUTH, no STARTTLS, a remote relay: bodies carry secret links.
  SmtpOptions o = Options(25, "smtp.example.jp");
  const absl::Status s = ValidateSmtpOptions(o);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "STARTTLS")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "private network")) << s;
  EXPECT_EQ(SmtpTransport(o).Deliver(Message()).code(), absl::StatusCode::kFailedPrecondition);
  o.allow_plaintext = true;
  EXPECT_TRUE(ValidateSmtpOptions(o).ok());
  o.allow_plaintext = false;
  o.starttls = true;
  EXPECT_TRUE(ValidateSmtpOptions(o).ok());
  EXPECT_TRUE(ValidateSmtpOptions(Options(25, "localhost")).ok());
  EXPECT_TRUE(ValidateSmtpOptions(Options(25, "::1")).ok());
}

TEST(SmtpTest, RecipientIsValidatedBeforeConnecting) {
  SmtpTransport smtp(Options(1));
  OutboxMessage m = Message();
  m.recipient = "a@example.jp>\r\nRCPT TO:<b@example.jp";
  EXPECT_EQ(smtp.Deliver(m).code(), absl::StatusCode::kInvalidArgument);
}

std::string WriteFile(const std::string& name, const std::string& content, mode_t mode) {
  const std::string path = std::string(getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << content;
  chmod(path.c_str(), mode);
  return path;
}

TEST(CredentialsFileTest, PermissionsAndFormat) {
  SmtpOptions o;
  const std::string open = WriteFile("open", "user\npass\n", 0644);
  const absl::Status s = ReadCredentialsFile(open, &o);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(s.message(), "chmod 600")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), open)) << s;
  EXPECT_EQ(o.username, "");
  ASSERT_TRUE(ReadCredentialsFile(WriteFile("ok", "user\npass word\n", 0600), &o).ok());
  EXPECT_EQ(o.username, "user");
  EXPECT_EQ(o.password, "pass word");
  ASSERT_TRUE(ReadCredentialsFile(WriteFile("crlf", "u2\r\np2", 0400), &o).ok());
  EXPECT_EQ(o.password, "p2");
  for (const std::string& bad : std::vector<std::string>{"", "only-user\n", "u\np\nextra\n", "\npass\n"}) {
    EXPECT_EQ(ReadCredentialsFile(WriteFile("bad", bad, 0600), &o).code(),
              absl::StatusCode::kFailedPrecondition)
        << bad;
  }
  EXPECT_EQ(ReadCredentialsFile("/nonexistent/creds", &o).code(),
            absl::StatusCode::kFailedPrecondition);
}

// The relay fails twice, then accepts: the Deliverer retries on its
// schedule and the message arrives exactly once, its Japanese subject intact.
TEST(SmtpEndToEndTest, RelayRecoversMessageArrivesOnce) {
  FakeSmtpOptions fake;
  fake.fail = [](const std::string& verb, int connection) {
    return verb == "MAIL" && connection < 2 ? 451 : 0;
  };
  auto server = StartServer(fake);
  auto db = storage::Database::OpenInMemory({kOutboxTableSql});
  ASSERT_TRUE(db.ok());
  FakeClock clock;
  MailMessage mail;
  mail.from = {"次世代改善リーダー事務局", "noreply@kaizen.example.jp"};
  mail.to = {"松阪 花子", kRecipient};
  mail.subject = "【次世代改善リーダー】参加申込を受け付けました";
  mail.body = "松阪 花子 様\n.\nお申込みを受け付けました。\n";
  mail.message_id = MessageIdFor("application-received/a1", "kaizen.example.jp");
  mail.date = clock.Now();
  auto rendered = RenderMail(mail);
  ASSERT_TRUE(rendered.ok()) << rendered.status();
  OutboxMessage m;
  m.id = "application-received/a1";
  m.kind = "application_received";
  m.subject_ref = "cohorts/c1/applications/a1";
  m.recipient = kRecipient;
  m.payload = *rendered;
  ASSERT_TRUE((*db)->RunInTransaction([&](SQLite::Database& c) {
                   return Enqueue(c, m, clock.Now()).status();
                 }).ok());
  SmtpTransport smtp(Options(server->port()));
  DelivererOptions options;
  options.service = "test";
  Deliverer deliverer(db->get(), &smtp, &clock, options);
  int sent = 0;
  for (int pass = 0; pass < 10 && sent == 0; ++pass) {
    auto r = deliverer.RunOnce();
    ASSERT_TRUE(r.ok()) << r.status();
    sent += r->sent;
    clock.Advance(absl::Minutes(1));  // past any backoff so far
  }
  EXPECT_EQ(sent, 1);
  EXPECT_EQ(server->connections(), 3);
  auto again = deliverer.RunOnce();
  EXPECT_EQ(again->sent + again->retried, 0);
  const auto got = server->messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, *rendered);
  const auto entity = testing::SplitEntity(got[0].data);
  EXPECT_EQ(testing::DecodeWords(*testing::HeaderValue(entity.headers, "Subject")), mail.subject);
  EXPECT_EQ(testing::DecodeBase64Lines(entity.body),
            "松阪 花子 様\r\n.\r\nお申込みを受け付けました。\r\n");
}

}  // namespace
}  // namespace kaizen::notify

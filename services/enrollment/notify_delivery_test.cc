// Enrollment's e-mail from end to end, in process: the real domain writes
// its outbox, the Deliverer main.cc runs sends it with the real SMTP
// transport to a scripted SMTP server on loopback, and the message is read
// back with an independent decoder. The relay failing and recovering
// mid-way still delivers each message once; a refused request sends
// nothing.
#include <functional>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "common/notify/deliverer.h"
#include "common/notify/fake_smtp_server.h"
#include "common/notify/mail_decode.h"
#include "common/notify/smtp.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace notify_delivery_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT
namespace smtp_testing = ::kaizen::notify::testing;

class NotifyDeliveryTest : public ::testing::Test {
 protected:
  void Start(std::function<int(const std::string&, int)> fail) {
    smtp_testing::FakeSmtpOptions relay_options;
    relay_options.fail = std::move(fail);
    auto relay = smtp_testing::FakeSmtpServer::Start(relay_options);
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = std::move(*relay);
    auto store = EnrollmentStore::Open(storage::DatabaseOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    EnrollmentConfig config{"page-token-key-0123456789", "access-key-0123456789",
                            "claim-key-0123456789"};
    config.notify.public_base_url = "https://kaizen.example.jp";
    config.notify.from = {"改善研究会 事務局", "noreply@kaizen.example.jp"};
    enrollment_ = std::make_unique<Enrollment>(store_.get(), &clock_, config);
    notify::SmtpOptions smtp;
    smtp.host = "127.0.0.1";
    smtp.port = relay_->port();
    smtp.envelope_from = "noreply@kaizen.example.jp";
    smtp.timeout = absl::Seconds(5);
    transport_ = std::make_unique<notify::SmtpTransport>(smtp);
    notify::DelivererOptions delivery;
    delivery.service = "enrollment";
    deliverer_ = std::make_unique<notify::Deliverer>(&store_->database(), transport_.get(),
                                                     &clock_, delivery);
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.set_cohort_id("fy2022");
    auto cohort = enrollment_->CreateCohort(Secretariat(), create);
    ASSERT_TRUE(cohort.ok()) << cohort.status();
    v1::TransitionCohortRequest open;
    open.set_name(cohort->name());
    open.set_state(v1::Cohort::OPEN);
    ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
    cohort_ = cohort->name();
  }

  FakeClock clock_;
  std::unique_ptr<smtp_testing::FakeSmtpServer> relay_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
  std::unique_ptr<notify::SmtpTransport> transport_;
  std::unique_ptr<notify::Deliverer> deliverer_;
  std::string cohort_;
};

TEST_F(NotifyDeliveryTest, TheConfirmationMailArrivesOnceThroughAFailingRelay) {
  // The relay refuses the first connection's MAIL with a 451 (try later).
  Start([](const std::string& verb, int connection) {
    return verb == "MAIL" && connection == 0 ? 451 : 0;
  });
  // A refused request (a member from another town) writes nothing.
  v1::CreateApplicationRequest bad = Apply(cohort_, 9, kTowns[0], 2);
  bad.mutable_application()->mutable_members(1)->set_municipality_code(kTowns[1]);
  EXPECT_FALSE(enrollment_->CreateApplication(Anonymous(), bad).ok());
  auto app = enrollment_->CreateApplication(Anonymous(), Apply(cohort_, 1, kTowns[2]));
  ASSERT_TRUE(app.ok()) << app.status();
  EXPECT_EQ(app->state(), v1::Application::SUBMITTED);  // waits for the address

  auto first = deliverer_->RunOnce();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->sent, 0);
  EXPECT_EQ(first->retried, 1);
  EXPECT_TRUE(relay_->messages().empty());
  clock_.Advance(absl::Seconds(5));  // past the first backoff (2 s +-20%)
  auto second = deliverer_->RunOnce();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->sent, 1);
  clock_.Advance(absl::Minutes(30));
  auto third = deliverer_->RunOnce();
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->sent, 0);  // nothing twice

  const auto received = relay_->messages();
  ASSERT_EQ(received.size(), 1u);
  ASSERT_EQ(received[0].rcpt_to.size(), 1u);
  EXPECT_EQ(received[0].rcpt_to[0], "person100@city.example.jp");
  EXPECT_EQ(received[0].mail_from, "noreply@kaizen.example.jp");
  const smtp_testing::MimeEntity mail = smtp_testing::SplitEntity(received[0].data);
  auto subject = smtp_testing::HeaderValue(mail.headers, "Subject");
  ASSERT_TRUE(subject.has_value());
  auto decoded = smtp_testing::DecodeWords(*subject);
  ASSERT_TRUE(decoded.has_value()) << *subject;
  EXPECT_TRUE(absl::StrContains(*decoded, "メールアドレスの確認をお願いします")) << *decoded;
  auto body = smtp_testing::DecodeBase64Lines(mail.body);
  ASSERT_TRUE(body.has_value());
  // Not confirmed yet: a neutral greeting, no name the caller typed.
  EXPECT_TRUE(absl::StartsWith(*body, "次世代改善リーダー事例研究会へのお申込みについてのご案内です。"))
      << *body;
  EXPECT_FALSE(absl::StrContains(*body, "山田")) << *body;
  EXPECT_TRUE(absl::StrContains(*body, "https://kaizen.example.jp/applications/confirm#name=" +
                                           app->name() + "&member=0&token="));
  EXPECT_TRUE(absl::StrContains(*body, "確認の期限: 2022年6月3日(金) 00:00")) << *body;
}

}  // namespace
}  // namespace kaizen::enrollment

// The Notifier on real (in-memory) SQLite: rows exist only when the
// transaction commits, ids are idempotent, reminders honour the setting and
// carry List-Unsubscribe, the rendered message decodes back to the Japanese
// text, and unsubscribe tokens check out.
#include "services/enrollment/notify.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/notify/mail.h"
#include "common/notify/outbox.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/notify_sql.h"

namespace kaizen::enrollment {
namespace notify_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT
using ::testing::HasSubstr;
using ::testing::Not;

// ---- a small reader of what RenderMail wrote (RFC 2047 words, base64 parts)

std::string DecodeWords(std::string value) {
  std::string out;
  size_t i = 0;
  bool last_was_word = false;
  while (i < value.size()) {
    const size_t start = value.find("=?UTF-8?B?", i);
    if (start == std::string::npos) {
      out += value.substr(i);
      break;
    }
    std::string between = value.substr(i, start - i);
    // Whitespace between two encoded words is not part of the text.
    if (!(last_was_word && between.find_first_not_of(" \t") == std::string::npos)) out += between;
    const size_t end = value.find("?=", start + 10);
    std::string decoded;
    absl::Base64Unescape(value.substr(start + 10, end - start - 10), &decoded);
    out += decoded;
    i = end + 2;
    last_was_word = true;
  }
  return out;
}

struct Parsed {
  std::vector<std::pair<std::string, std::string>> headers;  // raw (unfolded)
  std::string body;                                          // decoded, "\n" lines
  std::string raw;

  std::string Header(absl::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (absl::EqualsIgnoreCase(k, name)) return DecodeWords(v);
    }
    return "";
  }
  bool Has(absl::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (absl::EqualsIgnoreCase(k, name)) return true;
    }
    return false;
  }
};

std::vector<std::pair<std::string, std::string>> ParseHeaders(absl::string_view block) {
  const std::string unfolded =
      absl::StrReplaceAll(block, {{"\r\n ", " "}, {"\r\n\t", " "}});
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view line : absl::StrSplit(unfolded, "\r\n", absl::SkipEmpty())) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    out.emplace_back(std::string(line.substr(0, colon)),
                     std::string(absl::StripLeadingAsciiWhitespace(line.substr(colon + 1))));
  }
  return out;
}

std::string DecodeBase64Body(absl::string_view text) {
  std::string compact = absl::StrReplaceAll(text, {{"\r", ""}, {"\n", ""}});
  std::string decoded;
  EXPECT_TRUE(absl::Base64Unescape(compact, &decoded));
  return absl::StrReplaceAll(decoded, {{"\r\n", "\n"}});
}

Parsed ParseMail(const std::string& raw) {
  Parsed p;
  p.raw = raw;
  const size_t split = raw.find("\r\n\r\n");
  p.headers = ParseHeaders(absl::string_view(raw).substr(0, split));
  std::string body = raw.substr(split + 4);
  const std::string type = p.Header("Content-Type");
  if (absl::StartsWith(type, "multipart/")) {
    const size_t b = type.find("boundary=");
    std::string boundary = type.substr(b + 9);
    absl::StripAsciiWhitespace(&boundary);
    if (!boundary.empty() && boundary.front() == '"') {
      boundary = boundary.substr(1, boundary.size() - 2);
    }
    const std::string delimiter = absl::StrCat("--", boundary, "\r\n");
    const size_t first = body.find(delimiter) + delimiter.size();
    const size_t next = body.find(absl::StrCat("\r\n--", boundary), first);
    const std::string part = body.substr(first, next - first);
    const size_t psplit = part.find("\r\n\r\n");
    body = part.substr(psplit + 4);
  }
  p.body = DecodeBase64Body(body);
  return p;
}

// ---- fixture

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = EnrollmentStore::Open(storage::DatabaseOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    config_.public_base_url = "https://kaizen.example.jp";
    config_.from = {"改善研究会 事務局", "noreply@kaizen.example.jp"};
    config_.message_id_domain = "kaizen.example.jp";
    config_.unsubscribe_key = "unsubscribe-key-0123456789";
    notifier_ = std::make_unique<Notifier>(config_);
    CohortRecord c;
    c.id = "c1";
    c.revision = 1;
    c.cohort = Fy2022Cohort();
    c.cohort.set_name("cohorts/c1");
    ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) { return tx.InsertCohort(&c); }).ok());
  }

  v1::Application Team(int members) {
    v1::Application app;
    app.set_name("cohorts/c1/applications/a1");
    for (int i = 0; i < members; ++i) *app.add_members() = Person(i, kTowns[2]);
    auto* h = app.add_history();
    h->set_state(v1::Application::SUBMITTED);
    app.set_state(v1::Application::SUBMITTED);
    *app.mutable_confirm_expire_time() = ToProto(June1() + absl::Hours(48));
    return app;
  }

  void Move(v1::Application& app, v1::Application::State state) {
    app.add_history()->set_state(state);
    app.set_state(state);
  }

  std::vector<notify::OutboxMessage> Pending() {
    std::vector<notify::OutboxMessage> rows;
    EXPECT_TRUE(store_->database()
                    .RunInTransaction([&](SQLite::Database& db) -> absl::Status {
                      auto due = notify::Due(db, June1() + absl::Hours(24 * 365), 1000);
                      if (!due.ok()) return due.status();
                      rows = *std::move(due);
                      return absl::OkStatus();
                    })
                    .ok());
    return rows;
  }

  const notify::OutboxMessage* Find(const std::vector<notify::OutboxMessage>& rows,
                                    absl::string_view id) {
    for (const auto& r : rows) {
      if (r.id == id) return &r;
    }
    return nullptr;
  }

  const notify::OutboxMessage* FindRef(const std::vector<notify::OutboxMessage>& rows,
                                       absl::string_view subject_ref) {
    for (const auto& r : rows) {
      if (r.subject_ref == subject_ref) return &r;
    }
    return nullptr;
  }

  NotifyConfig config_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(NotifyTest, SchemaCarriesTheSharedOutboxTableVerbatim) {
  // Migration 7 (6 -> 7) is common/notify's outbox table, then enrollment's.
  EXPECT_TRUE(absl::StartsWith(EnrollmentStore::Migrations().at(6), notify::kOutboxTableSql));
}

TEST_F(NotifyTest, NoRowWhenTheTransactionRollsBack) {
  const v1::Application app = Team(2);
  absl::Status s = store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    absl::Status written = notifier_->ApplicationReceived(tx, app, "tok", {}, {}, June1());
    if (!written.ok()) return written;
    return absl::AbortedError("the change failed after the message was written");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(Pending().empty());
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->ApplicationReceived(tx, app, "tok", {}, {}, June1());
  }).ok());
  EXPECT_EQ(Pending().size(), 2u);
}

TEST_F(NotifyTest, IdsAreIdempotentAndSkippedMembersGetNothing) {
  v1::Application app = Team(3);
  for (auto& m : *app.mutable_members()) m.set_email_confirmed(true);  // signed-in path
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
      return notifier_->ApplicationReceived(tx, app, "tok", {}, {1}, June1());
    }).ok());
  }
  auto rows = Pending();
  ASSERT_EQ(rows.size(), 2u);
  const notify::OutboxMessage* first =
      Find(rows, "application-received/cohorts/c1/applications/a1/0");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->kind, "application_received");
  EXPECT_EQ(first->subject_ref, "cohorts/c1/applications/a1/members/0");
  EXPECT_EQ(first->recipient, "person0@city.example.jp");
  EXPECT_EQ(Find(rows, "application-received/cohorts/c1/applications/a1/1"), nullptr);
}

TEST_F(NotifyTest, AtMostThreeConfirmationMailsPerAddressAndTokyoDay) {
  // Five applications name person0's address on one Tokyo day: three mails.
  for (int n = 0; n < 5; ++n) {
    v1::Application app = Team(1);
    app.set_name(absl::StrCat("cohorts/c1/applications/a", n));
    ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
      return notifier_->ApplicationReceived(tx, app, "tok", {"conf"}, {}, June1());
    }).ok());
  }
  auto rows = Pending();
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) {
    EXPECT_EQ(r.kind, "confirm_email");
    EXPECT_TRUE(absl::StartsWith(r.id, "confirm-email/")) << r.id;
    EXPECT_THAT(r.id, Not(HasSubstr("person0")));
  }
  // The next Tokyo day has room again (June1() is 00:00 JST... +1 day).
  v1::Application next = Team(1);
  next.set_name("cohorts/c1/applications/a9");
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->ApplicationReceived(tx, next, "tok", {"conf"}, {},
                                          June1() + absl::Hours(24));
  }).ok());
  EXPECT_EQ(Pending().size(), 4u);
}

TEST_F(NotifyTest, TheRenderedMessageDecodesToTheJapaneseText) {
  const v1::Application app = Team(2);
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->ApplicationReceived(tx, app, "secret-token", {"conf0", "conf1"}, {},
                                          June1());
  }).ok());
  auto rows = Pending();
  const auto* row = FindRef(rows, "cohorts/c1/applications/a1/members/1");
  ASSERT_NE(row, nullptr);
  Parsed mail = ParseMail(row->payload);
  EXPECT_THAT(mail.Header("Subject"), HasSubstr("メールアドレスの確認をお願いします"));
  EXPECT_THAT(mail.Header("Subject"), HasSubstr("2022年度 次世代改善リーダー事例研究会"));
  // Not confirmed yet: no name the caller typed, in To or in the greeting.
  EXPECT_THAT(mail.Header("To"), HasSubstr("person1@city.example.jp"));
  EXPECT_THAT(mail.Header("To"), Not(HasSubstr("山田")));
  EXPECT_THAT(mail.Header("From"), HasSubstr("改善研究会 事務局"));
  EXPECT_EQ(mail.Header("Auto-Submitted"), "auto-generated");
  EXPECT_FALSE(mail.Has("List-Unsubscribe"));  // transactional
  EXPECT_EQ(mail.Header("Message-ID"), notify::MessageIdFor(row->id, "kaizen.example.jp"));
  EXPECT_TRUE(absl::StartsWith(
      mail.body, "次世代改善リーダー事例研究会へのお申込みについてのご案内です。\n"))
      << mail.body;
  EXPECT_THAT(mail.body, Not(HasSubstr("山田")));
  // A team mate gets their own confirmation link, never the application's
  // secret view link (M2').
  EXPECT_THAT(mail.body, Not(HasSubstr("secret-token")));
  EXPECT_THAT(mail.body, Not(HasSubstr("applications/view")));
  EXPECT_THAT(mail.body, HasSubstr("https://kaizen.example.jp/applications/confirm#name=cohorts/"
                                   "c1/applications/a1&member=1&token=conf1"));
  EXPECT_THAT(mail.body, HasSubstr("確認の期限: 2022年6月3日(金) 00:00"));
  // Nobody else's data: not the other member's name, address or link.
  EXPECT_THAT(row->payload, Not(HasSubstr("person0@")));
  EXPECT_THAT(mail.body, Not(HasSubstr("conf0")));
  EXPECT_THAT(mail.body, Not(HasSubstr("同僚を巻き込んで")));  // motivation
  EXPECT_THAT(mail.body, Not(HasSubstr("行政改革課")));  // department
  // Member 0 (the contact) has the view link.
  const auto* contact = FindRef(rows, "cohorts/c1/applications/a1/members/0");
  ASSERT_NE(contact, nullptr);
  EXPECT_THAT(ParseMail(contact->payload).body,
              HasSubstr("https://kaizen.example.jp/applications/view#name=cohorts/c1/"
                        "applications/a1&token=secret-token"));
}

TEST_F(NotifyTest, AlreadyAppliedOncePerDayNeutralWithoutLinks) {
  v1::Application existing = Team(2);
  existing.mutable_members(1)->set_email_confirmed(true);
  for (const char* attempt : {"n1", "n2", "n3"}) {
    ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
      return notifier_->AlreadyApplied(tx, existing, 1, "secret-token", "conf1", attempt,
                                       June1() + absl::Hours(1));
    }).ok());
  }
  auto rows = Pending();
  ASSERT_EQ(rows.size(), 1u);  // one a day, whatever the attempt
  EXPECT_EQ(rows[0].kind, "already_applied");
  EXPECT_THAT(rows[0].id, Not(HasSubstr("n1")));
  Parsed mail = ParseMail(rows[0].payload);
  EXPECT_THAT(mail.Header("To"), Not(HasSubstr("山田")));
  EXPECT_THAT(mail.body, Not(HasSubstr("山田")));
  EXPECT_THAT(mail.body, Not(HasSubstr("http")));
  EXPECT_THAT(mail.body, Not(HasSubstr("secret-token")));
  EXPECT_THAT(mail.body, Not(HasSubstr("conf1")));
  EXPECT_THAT(mail.body, HasSubstr("既にあります"));
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->AlreadyApplied(tx, existing, 1, "", "", "n4", June1() + absl::Hours(25));
  }).ok());
  EXPECT_EQ(Pending().size(), 2u);  // the next Tokyo day
}

TEST_F(NotifyTest, StateChangesNameTheDeadlineInTokyoAndTellAnUnconfirmedExpiry) {
  v1::Application app = Team(1);
  app.mutable_members(0)->set_email_confirmed(true);
  Move(app, v1::Application::WAITLISTED);
  Move(app, v1::Application::OFFERED);
  *app.mutable_offer_expire_time() = ToProto(absl::FromUnixSeconds(1656824400));
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->ApplicationStateChanged(tx, app, 0, June1());
  }).ok());
  // A team whose second address was never confirmed: only the confirmed
  // member hears of the expiry (L7'), with the "not confirmed" text.
  v1::Application unconfirmed = Team(2);
  unconfirmed.set_name("cohorts/c1/applications/a2");
  unconfirmed.mutable_members(0)->set_email_confirmed(true);
  Move(unconfirmed, v1::Application::EXPIRED);
  unconfirmed.mutable_history(1)->set_reason(std::string(kEmailNotConfirmed));
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->ApplicationStateChanged(tx, unconfirmed, 0, June1());
  }).ok());
  auto rows = Pending();
  const auto* offer = Find(rows, "application-state/cohorts/c1/applications/a1/2/0");
  ASSERT_NE(offer, nullptr);
  EXPECT_EQ(offer->kind, "offer_made");
  EXPECT_THAT(ParseMail(offer->payload).body, HasSubstr("期限: 2022年7月3日(日) 14:00"));
  const auto* expired = Find(rows, "application-state/cohorts/c1/applications/a2/1/0");
  ASSERT_NE(expired, nullptr);
  EXPECT_THAT(ParseMail(expired->payload).body, HasSubstr("メールアドレスの確認が済まなかった"));
  EXPECT_EQ(Find(rows, "application-state/cohorts/c1/applications/a2/1/1"), nullptr);
}

TEST_F(NotifyTest, ExpiryAfterARefusedArrivalSaysSoNotUnconfirmed) {
  v1::Application app = Team(1);
  app.mutable_members(0)->set_email_confirmed(true);
  Move(app, v1::Application::EXPIRED);
  app.mutable_history(1)->set_reason(std::string(kArrivalRefused));
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->ApplicationStateChanged(tx, app, 0, June1());
  }).ok());
  auto rows = Pending();
  ASSERT_EQ(rows.size(), 1u);
  const std::string body = ParseMail(rows[0].payload).body;
  EXPECT_THAT(body, HasSubstr("確認が済みましたが、お受けできませんでした"));
  EXPECT_THAT(body, Not(HasSubstr("確認が済まなかった")));
}

TEST_F(NotifyTest, APartialTeamsOthersAreToldTheyWereNotAdmitted) {
  v1::Application app = Team(3);
  for (auto& m : *app.mutable_members()) m.set_email_confirmed(true);
  Move(app, v1::Application::ACCEPTED);
  app.set_admitted_member_count(2);
  app.set_access_token("secret-token");
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->ApplicationStateChanged(tx, app, 0, June1());
  }).ok());
  auto rows = Pending();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(Find(rows, "application-state/cohorts/c1/applications/a1/1/1")->kind,
            "application_accepted");
  const auto* left_out = Find(rows, "application-state/cohorts/c1/applications/a1/1/2");
  EXPECT_EQ(left_out->kind, "application_not_admitted");
  const std::string body = ParseMail(left_out->payload).body;
  EXPECT_THAT(body, Not(HasSubstr("空きが出た場合")));
  EXPECT_THAT(body, Not(HasSubstr("secret-token")));  // only member 0 has the link
  EXPECT_THAT(ParseMail(Find(rows, "application-state/cohorts/c1/applications/a1/1/0")->payload)
                  .body,
              HasSubstr("secret-token"));
  EXPECT_THAT(ParseMail(Find(rows, "application-state/cohorts/c1/applications/a1/1/1")->payload)
                  .body,
              Not(HasSubstr("secret-token")));
}

TEST_F(NotifyTest, AnArrivedApplicationWithoutFlagsIsAddressedByName) {
  // Stored before e-mail confirmation existed: no member carries the flag,
  // but it arrived (WAITLISTED, ACCEPTED): its addresses are the members'.
  v1::Application app = Team(1);
  Move(app, v1::Application::WAITLISTED);
  Move(app, v1::Application::OFFERED);
  Move(app, v1::Application::EXPIRED);  // a lapsed offer
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->ApplicationStateChanged(tx, app, 0, June1());
  }).ok());
  auto rows = Pending();
  ASSERT_EQ(rows.size(), 1u);
  const Parsed mail = ParseMail(rows[0].payload);
  EXPECT_TRUE(absl::StartsWith(mail.body, "山田 太郎0 様\n")) << mail.body;
  EXPECT_THAT(mail.body, HasSubstr("回答の期限が過ぎた"));
}

TEST_F(NotifyTest, AnAnsweredOfferDeletesItsPendingReminders) {
  v1::Application app = Team(2);
  Move(app, v1::Application::OFFERED);
  *app.mutable_offer_expire_time() = ToProto(June1() + absl::Hours(6));
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->OfferExpiringSoon(tx, app, June1());
  }).ok());
  auto rows = Pending();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].subject_ref, "cohorts/c1/applications/a1/offer-reminder/0");
  Move(app, v1::Application::ACCEPTED);
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->ApplicationStateChanged(tx, app, 0, June1() + absl::Hours(1));
  }).ok());
  for (const auto& r : Pending()) EXPECT_NE(r.kind, "offer_expiring") << r.id;
}

TEST_F(NotifyTest, RemindersHonourTheSettingAndCarryListUnsubscribe) {
  v1::Application app = Team(2);
  Move(app, v1::Application::OFFERED);
  *app.mutable_offer_expire_time() = ToProto(June1() + absl::Hours(6));
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    absl::Status off = tx.SetRemindersEnabled(EmailKey("Person1@City.example.jp "), false, June1());
    if (!off.ok()) return off;
    return notifier_->OfferExpiringSoon(tx, app, June1());
  }).ok());
  auto rows = Pending();
  ASSERT_EQ(rows.size(), 1u);  // member 1 turned reminders off
  EXPECT_EQ(rows[0].id, "offer-expiring/cohorts/c1/applications/a1/1/0");
  Parsed mail = ParseMail(rows[0].payload);
  const std::string link = absl::StrCat(
      "https://kaizen.example.jp/reminders/unsubscribe#token=",
      notifier_->UnsubscribeTokenFor(EmailKey("person0@city.example.jp")));
  EXPECT_EQ(mail.Header("List-Unsubscribe"), absl::StrCat("<", link, ">"));
  EXPECT_THAT(mail.body, HasSubstr(link));
  EXPECT_EQ(mail.Header("Auto-Submitted"), "auto-generated");
}

TEST_F(NotifyTest, HandOverCarriesTheAttachmentAndSkipsRemindersThatAreOff) {
  v1::Participant p;
  p.set_name("cohorts/c1/participants/p1");
  p.set_display_name("佐藤 花子");
  p.set_email("hanako@city.example.jp");
  kaizen::type::EnqueueNotificationRequest meeting;
  meeting.set_idempotency_key("scheduling:meeting-confirmed/m1/1");
  meeting.set_kind(kaizen::type::MEETING_CONFIRMED);
  meeting.set_cohort("cohorts/c1");
  (*meeting.mutable_params())["meeting"] = "cohorts/c1/meetings/m1";
  (*meeting.mutable_params())["meeting_title"] = "第3回 研究会";
  (*meeting.mutable_params())["start_time"] = "2022-07-03T14:00:00+09:00";
  (*meeting.mutable_params())["end_time"] = "2022-07-03T16:00:00+09:00";
  meeting.mutable_attachment()->set_filename("meeting.ics");
  meeting.mutable_attachment()->set_content_type("text/calendar; charset=UTF-8; method=REQUEST");
  meeting.mutable_attachment()->set_data(
      "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSEQUENCE:0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
  kaizen::type::EnqueueNotificationRequest task;
  task.set_idempotency_key("scheduling:task-due/t1");
  task.set_kind(kaizen::type::TASK_DUE);
  task.set_cohort("cohorts/c1");
  (*task.mutable_params())["task"] = "cohorts/c1/tasks/t1";
  (*task.mutable_params())["task_title"] = "行動計画";
  (*task.mutable_params())["due_time"] = "2022-07-15T17:00:00+09:00";
  std::vector<bool> written;
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    absl::Status off = tx.SetRemindersEnabled(EmailKey(p.email()), false, June1());
    if (!off.ok()) return off;
    for (const auto* r : {&meeting, &task}) {
      auto w = notifier_->HandOver(tx, *r, p, "研究会", June1());
      if (!w.ok()) return w.status();
      written.push_back(*w);
    }
    return absl::OkStatus();
  }).ok());
  EXPECT_EQ(written, (std::vector<bool>{true, false}));  // meetings are transactional
  auto rows = Pending();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, "handover/scheduling:meeting-confirmed/m1/1/cohorts/c1/participants/p1");
  EXPECT_EQ(rows[0].kind, "meeting_confirmed");
  EXPECT_EQ(rows[0].subject_ref, "cohorts/c1/participants/p1");
  Parsed mail = ParseMail(rows[0].payload);
  EXPECT_THAT(mail.Header("Content-Type"), HasSubstr("multipart/mixed"));
  EXPECT_THAT(mail.body, HasSubstr("佐藤 花子 様"));
  EXPECT_THAT(rows[0].payload, HasSubstr("meeting.ics"));
  EXPECT_THAT(rows[0].payload, HasSubstr("text/calendar; charset=UTF-8; method=REQUEST"));
  // The invitation names the organiser and this recipient (notify_ics.h),
  // the rest as scheduling sent it.
  const std::string ics =
      "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSEQUENCE:0\r\n"
      "ORGANIZER;CN=\"改善研究会 事務局\":mailto:noreply@kaizen.example.jp\r\n"
      "ATTENDEE;CN=\"佐藤 花子\";RSVP=FALSE:mailto:hanako@city.example.jp\r\n"
      "END:VEVENT\r\nEND:VCALENDAR\r\n";
  EXPECT_THAT(absl::StrReplaceAll(rows[0].payload, {{"\r\n", ""}}),
              HasSubstr(absl::Base64Escape(ics).substr(0, 60)));
}

TEST_F(NotifyTest, ClaimLinkGoesToTheParticipant) {
  v1::Participant p;
  p.set_name("cohorts/c1/participants/p1");
  p.set_display_name("佐藤 花子");
  p.set_email("hanako@city.example.jp");
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return notifier_->ClaimLinkIssued(tx, p, "研究会", "claim-token-1",
                                      absl::FromUnixSeconds(1656824400), June1());
  }).ok());
  auto rows = Pending();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].subject_ref, "cohorts/c1/participants/p1");
  Parsed mail = ParseMail(rows[0].payload);
  EXPECT_THAT(mail.body, HasSubstr("https://kaizen.example.jp/claim#token=claim-token-1"));
  EXPECT_THAT(mail.body, HasSubstr("2022年7月3日(日) 14:00"));
  EXPECT_THAT(rows[0].id, Not(HasSubstr("claim-token-1")));  // the id is not the secret
}

TEST_F(NotifyTest, UnsubscribeTokensRoundTripAndRefuseTampering) {
  const std::string key = EmailKey("person0@city.example.jp");
  const std::string token = notifier_->UnsubscribeTokenFor(key);
  auto back = notifier_->EmailKeyOfUnsubscribeToken(token);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, key);
  // Neither the address nor its key shows in the token.
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  EXPECT_THAT(raw, Not(HasSubstr(absl::HexStringToBytes(key))));
  EXPECT_THAT(token, Not(HasSubstr("person0")));
  // Every single flipped character is refused.
  for (size_t i = 0; i < token.size(); i += 7) {
    std::string bad = token;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    auto r = notifier_->EmailKeyOfUnsubscribeToken(bad);
    EXPECT_EQ(errors::Reason(r.status()), kUnsubscribeTokenInvalid) << i;
  }
  EXPECT_EQ(errors::Reason(notifier_->EmailKeyOfUnsubscribeToken("").status()),
            kUnsubscribeTokenInvalid);
  EXPECT_EQ(errors::Reason(notifier_->EmailKeyOfUnsubscribeToken("not a token!").status()),
            kUnsubscribeTokenInvalid);
  NotifyConfig other = config_;
  other.unsubscribe_key = "another-key-0123456789";
  auto foreign = Notifier(other).EmailKeyOfUnsubscribeToken(token);
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kPermissionDenied);
  NotifyConfig none = config_;
  none.unsubscribe_key.clear();
  EXPECT_FALSE(Notifier(none).EmailKeyOfUnsubscribeToken(token).ok());
  EXPECT_EQ(Notifier(none).UnsubscribeTokenFor(key), "");
}

}  // namespace
}  // namespace kaizen::enrollment

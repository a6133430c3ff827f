// The notification RPCs on real SQLite and a fake clock: the hand-over
// from scheduling (who, validation naming the field, repeat, recipients,
// skips, attachment), preferences (authorise first, round trip), the
// unsubscribe token, and the offer reminders (once per offer, in the window).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/notify/outbox.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/internal.h"

namespace kaizen::enrollment {
namespace notify_rpc_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT
using ::kaizen::type::EnqueueNotificationRequest;

class NotifyRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = EnrollmentStore::Open(storage::DatabaseOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    EnrollmentConfig config{"page-token-key-0123456789", "access-key-0123456789",
                            "claim-key-0123456789"};
    config.require_email_confirmation = false;  // admitted on arrival: participants at once
    config.notify.unsubscribe_key = "unsubscribe-key-0123456789";
    enrollment_ = std::make_unique<Enrollment>(store_.get(), &clock_, config);
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.set_cohort_id("fy2022");
    auto created = enrollment_->CreateCohort(Secretariat(), create);
    ASSERT_TRUE(created.ok()) << created.status();
    v1::TransitionCohortRequest open;
    open.set_name(created->name());
    open.set_state(v1::Cohort::OPEN);
    ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
    cohort_ = created->name();
  }

  v1::Application Apply1(int n, const std::string& town, int team = 1) {
    auto app = enrollment_->CreateApplication(User(absl::StrCat("user-", n)),
                                              Apply(cohort_, n, town, team));
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() ? *app : v1::Application();
  }

  v1::Participant Participant(const std::string& name) {
    v1::GetParticipantRequest get;
    get.set_name(name);
    auto p = enrollment_->GetParticipant(Secretariat(), get);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : v1::Participant();
  }

  EnqueueNotificationRequest Meeting(const std::string& key) {
    EnqueueNotificationRequest r;
    r.set_idempotency_key(absl::StrCat("scheduling:", key));
    r.set_kind(kaizen::type::MEETING_CONFIRMED);
    r.set_cohort(cohort_);
    auto& p = *r.mutable_params();
    p["meeting"] = absl::StrCat(cohort_, "/meetings/m1");
    p["meeting_title"] = "第1回 研究会";
    p["start_time"] = "2022-07-03T14:00:00+09:00";
    p["end_time"] = "2022-07-03T16:00:00+09:00";
    r.mutable_attachment()->set_filename("meeting.ics");
    r.mutable_attachment()->set_content_type("text/calendar; charset=UTF-8; method=REQUEST");
    r.mutable_attachment()->set_data(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    return r;
  }

  // Outbox rows whose id starts with `prefix`.
  std::vector<notify::OutboxMessage> Outbox(absl::string_view prefix) {
    std::vector<notify::OutboxMessage> out;
    EXPECT_TRUE(store_->database()
                    .RunInTransaction([&](SQLite::Database& db) -> absl::Status {
                      auto due = notify::Due(db, absl::FromUnixSeconds(4000000000), 10000);
                      if (!due.ok()) return due.status();
                      for (auto& m : *due) {
                        if (absl::StartsWith(m.id, prefix)) out.push_back(std::move(m));
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
  std::string cohort_;
};

TEST_F(NotifyRpcTest, OnlySchedulingsPrincipalMayHandOver) {
  EnqueueNotificationRequest invalid;  // refused for who, before what
  for (const Principal& p : {Secretariat(), Service("plans"), Service("enrollment"),
                             User("scheduling"), Anonymous()}) {
    auto r = enrollment_->EnqueueNotification(p, invalid);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied) << p.subject();
    EXPECT_EQ(errors::Reason(r.status()), kServicesOnly) << p.subject();
  }
  auto ok = enrollment_->EnqueueNotification(Service("scheduling"), Meeting("k1"));
  EXPECT_TRUE(ok.ok()) << ok.status();
}

TEST_F(NotifyRpcTest, ValidationNamesTheField) {
  struct Case {
    const char* field;
    std::function<void(EnqueueNotificationRequest&)> change;
  };
  const std::vector<Case> cases = {
      {"idempotency_key", [](auto& r) { r.clear_idempotency_key(); }},
      {"idempotency_key", [](auto& r) { r.set_idempotency_key("plans:x"); }},
      {"idempotency_key", [](auto& r) { r.set_idempotency_key("scheduling:a b"); }},
      {"idempotency_key",
       [](auto& r) { r.set_idempotency_key("scheduling:" + std::string(200, 'x')); }},
      {"kind", [](auto& r) { r.set_kind(kaizen::type::NOTIFICATION_KIND_UNSPECIFIED); }},
      {"cohort", [](auto& r) { r.set_cohort("fy2022"); }},
      {"participants[0]", [](auto& r) { r.add_participants("cohorts/other/participants/p1"); }},
      {"participants[1]",
       [this](auto& r) {
         r.add_participants(cohort_ + "/participants/p1");
         r.add_participants(cohort_ + "/participants/p1");
       }},
      {"params.colour", [](auto& r) { (*r.mutable_params())["colour"] = "red"; }},
      {"params.start_time", [](auto& r) { r.mutable_params()->erase("start_time"); }},
      {"params.end_time", [](auto& r) { (*r.mutable_params())["end_time"] = "7月3日"; }},
      {"params.meeting_title",
       [](auto& r) { (*r.mutable_params())["meeting_title"] = "a\r\nBcc: x"; }},
      {"params.meeting",
       [](auto& r) { (*r.mutable_params())["meeting"] = "cohorts/other/meetings/m"; }},
      {"params.place", [](auto& r) { (*r.mutable_params())["place"] = std::string(2001, 'x'); }},
      {"params",
       [](auto& r) {
         for (int i = 0; i < 21; ++i) (*r.mutable_params())[std::string(i + 1, 'k')] = "v";
       }},
      {"attachment.filename", [](auto& r) { r.mutable_attachment()->set_filename("../a.ics"); }},
      {"attachment.content_type",
       [](auto& r) { r.mutable_attachment()->set_content_type("x\ny"); }},
      {"attachment.data",
       [](auto& r) { r.mutable_attachment()->set_data(std::string(65537, 'x')); }},
  };
  for (const Case& c : cases) {
    EnqueueNotificationRequest r = Meeting("v");
    c.change(r);
    auto result = enrollment_->EnqueueNotification(Service("scheduling"), r);
    ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    auto bad = errors::GetBadRequest(result.status());
    ASSERT_TRUE(bad.has_value()) << c.field;
    bool named = false;
    for (const auto& v : bad->field_violations()) named |= v.field() == c.field;
    EXPECT_TRUE(named) << c.field << ": " << result.status();
  }
  EXPECT_TRUE(Outbox("handover/").empty());
}

TEST_F(NotifyRpcTest, UnknownCohortIsNotFound) {
  EnqueueNotificationRequest r = Meeting("nf");
  r.set_cohort("cohorts/nope");
  (*r.mutable_params())["meeting"] = "cohorts/nope/meetings/m1";
  EXPECT_EQ(enrollment_->EnqueueNotification(Service("scheduling"), r).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(NotifyRpcTest, EveryActiveParticipantByDefaultAndARepeatWritesNothing) {
  Apply1(1, kTowns[0], 2);
  Apply1(2, kTowns[1]);
  auto first = enrollment_->EnqueueNotification(Service("scheduling"), Meeting("m1-confirmed"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->enqueued(), 3);
  EXPECT_EQ(first->skipped(), 0);
  EXPECT_FALSE(first->repeat());
  auto rows = Outbox("handover/");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.kind, "meeting_confirmed");
    EXPECT_TRUE(absl::StartsWith(row.subject_ref, cohort_ + "/participants/"));
    EXPECT_TRUE(absl::StrContains(row.payload, "filename=\"meeting.ics\"") ||
                absl::StrContains(row.payload, "filename=meeting.ics"))
        << "the .ics is attached";
  }
  Apply1(3, kTowns[2]);  // joins after: a repeat must not reach them
  auto again = enrollment_->EnqueueNotification(Service("scheduling"), Meeting("m1-confirmed"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->repeat());
  EXPECT_EQ(again->enqueued(), 3);
  EXPECT_EQ(Outbox("handover/").size(), 3u);
}

TEST_F(NotifyRpcTest, ListedRecipientsSkipUnknownCancelledAndRemindersOff) {
  v1::Application a = Apply1(1, kTowns[0], 2);
  v1::Application b = Apply1(2, kTowns[1]);
  v1::CancelParticipantRequest cancel;
  cancel.set_name(b.participants(0));
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());
  // Member 1 of a turned reminders off.
  v1::UpdateNotificationPreferencesRequest off;
  off.mutable_preferences()->set_name(a.participants(1) + "/notificationPreferences");
  off.mutable_preferences()->set_reminders(false);
  ASSERT_TRUE(enrollment_->UpdateNotificationPreferences(Secretariat(), off).ok());

  EnqueueNotificationRequest task;
  task.set_idempotency_key("scheduling:task-due/t1");
  task.set_kind(kaizen::type::TASK_DUE);
  task.set_cohort(cohort_);
  (*task.mutable_params())["task"] = cohort_ + "/tasks/t1";
  (*task.mutable_params())["task_title"] = "行動計画の提出";
  (*task.mutable_params())["due_time"] = "2022-07-15T17:00:00+09:00";
  for (const std::string& p : {a.participants(0), a.participants(1), b.participants(0),
                               cohort_ + "/participants/unknown"}) {
    task.add_participants(p);
  }
  auto r = enrollment_->EnqueueNotification(Service("scheduling"), task);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->enqueued(), 1);
  EXPECT_EQ(r->skipped(), 3);  // reminders off, cancelled, unknown
  auto rows = Outbox("handover/");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].subject_ref, a.participants(0));
  EXPECT_EQ(rows[0].recipient, Participant(a.participants(0)).email());
  EXPECT_TRUE(absl::StrContains(rows[0].payload, "List-Unsubscribe: <"));

  // The same people, a transactional kind: reminders off does not matter.
  EnqueueNotificationRequest meeting = Meeting("m2");
  *meeting.mutable_participants() = task.participants();
  auto m = enrollment_->EnqueueNotification(Service("scheduling"), meeting);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->enqueued(), 2);
  EXPECT_EQ(m->skipped(), 2);
}

TEST_F(NotifyRpcTest, PreferencesAuthoriseFirstAndRoundTrip) {
  v1::Application a = Apply1(1, kTowns[0]);
  const v1::Participant me = Participant(a.participants(0));
  ASSERT_FALSE(me.subject().empty());
  const std::string name = me.name() + "/notificationPreferences";
  v1::GetNotificationPreferencesRequest get;
  get.set_name(name);
  auto mine = enrollment_->GetNotificationPreferences(User(me.subject()), get);
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->name(), name);
  EXPECT_TRUE(mine->reminders());

  v1::UpdateNotificationPreferencesRequest update;
  update.mutable_preferences()->set_name(name);
  update.mutable_preferences()->set_reminders(false);
  auto updated = enrollment_->UpdateNotificationPreferences(User(me.subject()), update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_FALSE(updated->reminders());
  EXPECT_FALSE(enrollment_->GetNotificationPreferences(Secretariat(), get)->reminders());

  // Someone else: refused, and the same for a participation that does not exist.
  v1::GetNotificationPreferencesRequest ghost;
  ghost.set_name(cohort_ + "/participants/nobody/notificationPreferences");
  for (const auto* r : {&get, &ghost}) {
    auto other = enrollment_->GetNotificationPreferences(User("someone-else"), *r);
    EXPECT_EQ(errors::Reason(other.status()), kNotYourParticipation);
  }
  EXPECT_EQ(enrollment_->GetNotificationPreferences(Anonymous(), get).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(enrollment_->UpdateNotificationPreferences(User("someone-else"), update)
                .status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(enrollment_->GetNotificationPreferences(Secretariat(), ghost).status().code(),
            absl::StatusCode::kNotFound);

  v1::GetNotificationPreferencesRequest bad;
  bad.set_name(me.name());
  auto malformed = enrollment_->GetNotificationPreferences(Secretariat(), bad);
  ASSERT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::GetBadRequest(malformed.status())->field_violations(0).field(), "name");
  auto empty = enrollment_->UpdateNotificationPreferences(Secretariat(), {});
  EXPECT_EQ(errors::Reason(empty.status()), kFieldRequired);
}

TEST_F(NotifyRpcTest, UnsubscribeTurnsRemindersOffForTheTokensAddressOnly) {
  v1::Application a = Apply1(1, kTowns[0], 2);
  const v1::Participant p0 = Participant(a.participants(0));
  const v1::Participant p1 = Participant(a.participants(1));
  v1::UnsubscribeRemindersRequest r;
  r.set_token(enrollment_->notifier().UnsubscribeTokenFor(EmailKey(p0.email())));
  for (int i = 0; i < 2; ++i) {  // idempotent
    auto done = enrollment_->UnsubscribeReminders(Anonymous(), r);
    ASSERT_TRUE(done.ok()) << done.status();
    EXPECT_FALSE(done->reminders());
  }
  v1::GetNotificationPreferencesRequest get;
  get.set_name(p0.name() + "/notificationPreferences");
  EXPECT_FALSE(enrollment_->GetNotificationPreferences(Secretariat(), get)->reminders());
  get.set_name(p1.name() + "/notificationPreferences");
  EXPECT_TRUE(enrollment_->GetNotificationPreferences(Secretariat(), get)->reminders());

  std::string tampered = r.token();
  tampered[5] = tampered[5] == 'x' ? 'y' : 'x';
  r.set_token(tampered);
  auto refused = enrollment_->UnsubscribeReminders(Anonymous(), r);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::Reason(refused.status()), kUnsubscribeTokenInvalid);
  r.set_token("");
  EXPECT_EQ(enrollment_->UnsubscribeReminders(Anonymous(), r).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(NotifyRpcTest, OfferRemindersGoOutOncePerOfferInsideTheWindow) {
  std::vector<v1::Application> in;
  for (int i = 0; i < 10; ++i) in.push_back(Apply1(i, kTowns[0]));
  v1::Application waiting = Apply1(20, kTowns[0]);
  ASSERT_EQ(waiting.state(), v1::Application::WAITLISTED);
  v1::WithdrawApplicationRequest w;
  w.set_name(in[3].name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(User("user-3"), w).ok());
  // The offer lapses at June1 + 48 h; the reminder opens 12 h before.
  clock_.Set(June1() + absl::Hours(35));
  ASSERT_EQ(*enrollment_->SendOfferReminders(), 0);
  EXPECT_TRUE(Outbox("offer-expiring/").empty());
  clock_.Set(June1() + absl::Hours(37));
  ASSERT_EQ(*enrollment_->SendOfferReminders(), 1);
  clock_.Set(June1() + absl::Hours(40));
  ASSERT_EQ(*enrollment_->SendOfferReminders(), 1);
  auto rows = Outbox("offer-expiring/");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].subject_ref, waiting.name() + "/offer-reminder/0");
  // It carries the application's link (its token is derived, not stored).
  EXPECT_TRUE(absl::StrContains(rows[0].payload, "List-Unsubscribe"));
  clock_.Set(June1() + absl::Hours(49));
  EXPECT_EQ(*enrollment_->SendOfferReminders(), 0);  // lapsed: nothing more
}

TEST_F(NotifyRpcTest, AShortOfferIsRemindedHalfwayNeverAtOnce) {
  // offer_reminder_before (30 h) > half the offer's 48 h: the reminder
  // opens 24 h before expiry (L1'), not 30 h, and never at the offer.
  EnrollmentConfig config{"page-token-key-0123456789", "access-key-0123456789",
                          "claim-key-0123456789"};
  config.require_email_confirmation = false;
  config.notify.unsubscribe_key = "unsubscribe-key-0123456789";
  config.notify.offer_reminder_before = absl::Hours(30);
  enrollment_ = std::make_unique<Enrollment>(store_.get(), &clock_, config);
  std::vector<v1::Application> in;
  for (int i = 0; i < 10; ++i) in.push_back(Apply1(i, kTowns[0]));
  v1::Application waiting = Apply1(20, kTowns[0]);
  ASSERT_EQ(waiting.state(), v1::Application::WAITLISTED);
  v1::WithdrawApplicationRequest w;
  w.set_name(in[3].name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(User("user-3"), w).ok());
  ASSERT_EQ(*enrollment_->SendOfferReminders(), 0);  // the moment of the offer
  clock_.Set(June1() + absl::Hours(23));
  ASSERT_EQ(*enrollment_->SendOfferReminders(), 0);
  EXPECT_TRUE(Outbox("offer-expiring/").empty());
  clock_.Set(June1() + absl::Hours(25));
  ASSERT_EQ(*enrollment_->SendOfferReminders(), 1);
  ASSERT_EQ(Outbox("offer-expiring/").size(), 1u);
}

TEST_F(NotifyRpcTest, AnAcceptedOfferLeavesNoPendingReminder) {
  std::vector<v1::Application> in;
  for (int i = 0; i < 10; ++i) in.push_back(Apply1(i, kTowns[0]));
  v1::Application waiting = Apply1(20, kTowns[0]);
  v1::WithdrawApplicationRequest w;
  w.set_name(in[3].name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(User("user-3"), w).ok());
  clock_.Set(June1() + absl::Hours(37));
  ASSERT_EQ(*enrollment_->SendOfferReminders(), 1);
  ASSERT_EQ(Outbox("offer-expiring/").size(), 1u);
  v1::AnswerOfferRequest answer;
  answer.set_name(waiting.name());
  auto accepted = enrollment_->AcceptOffer(User("user-20"), answer);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_TRUE(Outbox("offer-expiring/").empty());  // L2': not sent after the answer
}

TEST_F(NotifyRpcTest, AKnownKeyWithADifferentRequestIsANewHandOver) {
  Apply1(1, kTowns[0]);
  auto first = enrollment_->EnqueueNotification(Service("scheduling"), Meeting("m1/rev/1"));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(Outbox("handover/").size(), 1u);
  // Scheduling's database restored: the same key for a different change.
  EnqueueNotificationRequest moved = Meeting("m1/rev/1");
  (*moved.mutable_params())["start_time"] = "2022-07-10T14:00:00+09:00";
  (*moved.mutable_params())["end_time"] = "2022-07-10T16:00:00+09:00";
  auto second = enrollment_->EnqueueNotification(Service("scheduling"), moved);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->repeat());
  EXPECT_EQ(second->enqueued(), 1);
  auto rows = Outbox("handover/");
  ASSERT_EQ(rows.size(), 2u);
  // Both retried: repeats, nothing new.
  auto again = enrollment_->EnqueueNotification(Service("scheduling"), moved);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->repeat());
  auto first_again = enrollment_->EnqueueNotification(Service("scheduling"), Meeting("m1/rev/1"));
  ASSERT_TRUE(first_again.ok());
  EXPECT_TRUE(first_again->repeat());
  EXPECT_EQ(Outbox("handover/").size(), 2u);
}


int64_t OutboxCount(const v1::PurgeReport& report) {
  for (const auto& service : report.services()) {
    if (service.service() != "enrollment") continue;
    for (const auto& c : service.report().counts()) {
      if (c.kind() == "outbox_messages") return c.deleted();
    }
  }
  return -1;
}

TEST_F(NotifyRpcTest, ErasureDeletesThePersonsMessagesOnly) {
  v1::Application team = Apply1(1, kTowns[0], 2);
  // Messages to both members (as members and as participants), unsent.
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return enrollment_->notifier().ApplicationReceived(tx, team, "t", {}, {}, June1());
  }).ok());
  ASSERT_TRUE(enrollment_->EnqueueNotification(Service("scheduling"), Meeting("m1")).ok());
  auto about = [&](const std::string& ref) {
    int n = 0;
    for (const auto& m : Outbox("")) n += m.subject_ref == ref ? 1 : 0;
    return n;
  };
  ASSERT_GE(about(team.name() + "/members/0"), 1);
  ASSERT_EQ(about(team.participants(0)), 1);

  v1::CancelParticipantRequest cancel;
  cancel.set_name(team.participants(0));
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());
  // Both turned reminders off; the erased person's setting goes (M6').
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    for (int i = 0; i < 2; ++i) {
      absl::Status s = tx.SetRemindersEnabled(EmailKey(team.members(i).email()), false, June1());
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }).ok());
  v1::ErasePersonalDataRequest erase;
  erase.set_name(team.participants(0));
  auto report = enrollment_->ErasePersonalData(Secretariat(), erase);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_GE(OutboxCount(*report), 2);
  EXPECT_EQ(about(team.name() + "/members/0"), 0);
  EXPECT_EQ(about(team.participants(0)), 0);
  EXPECT_GE(about(team.name() + "/members/1"), 1);  // the team mate's stay
  EXPECT_EQ(about(team.participants(1)), 1);
  int settings = -1;
  ASSERT_TRUE(store_->database()
                  .RunInTransaction([&](SQLite::Database& db) -> absl::Status {
                    SQLite::Statement q(db, "SELECT COUNT(*) FROM reminder_settings");
                    q.executeStep();
                    settings = q.getColumn(0).getInt();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(settings, 1);  // the team mate's stays
}

TEST_F(NotifyRpcTest, AnApplicationsErasureDeletesItsMembersMessages) {
  Apply1(1, kTowns[0], 10);  // every seat
  v1::Application waiting = Apply1(2, kTowns[1], 2);
  ASSERT_EQ(waiting.state(), v1::Application::WAITLISTED);
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return enrollment_->notifier().ApplicationReceived(tx, waiting, "t", {}, {}, June1());
  }).ok());
  auto about = [&](const std::string& prefix) {
    int n = 0;
    for (const auto& m : Outbox("")) n += absl::StartsWith(m.subject_ref, prefix) ? 1 : 0;
    return n;
  };
  const int before = about(waiting.name() + "/");
  ASSERT_GE(before, 2);
  v1::WithdrawApplicationRequest w;
  w.set_name(waiting.name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(User("user-2"), w).ok());
  v1::ErasePersonalDataRequest erase;
  erase.set_name(waiting.name());
  auto report = enrollment_->ErasePersonalData(Secretariat(), erase);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(about(waiting.name() + "/"), 0);
  EXPECT_GE(OutboxCount(*report), before);
}


TEST_F(NotifyRpcTest, ACohortsPurgeDeletesEveryMessageAboutIt) {
  v1::Application team = Apply1(1, kTowns[0], 2);
  ASSERT_TRUE(store_->Write([&](EnrollmentTx& tx) {
    return tx.SetRemindersEnabled(EmailKey(team.members(1).email()), false, June1());
  }).ok());
  ASSERT_TRUE(enrollment_->EnqueueNotification(Service("scheduling"), Meeting("m1")).ok());
  auto about = [&](const std::string& prefix) {
    int n = 0;
    for (const auto& m : Outbox("")) n += absl::StartsWith(m.subject_ref, prefix) ? 1 : 0;
    return n;
  };
  const int before = about(cohort_ + "/");
  ASSERT_GE(before, 2);
  for (auto state : {v1::Cohort::CLOSED, v1::Cohort::RUNNING, v1::Cohort::FINISHED}) {
    v1::TransitionCohortRequest t;
    t.set_name(cohort_);
    t.set_state(state);
    ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), t).ok()) << state;
  }
  clock_.Set(June1() + absl::Hours(24 * 4000));  // past any retention
  v1::PurgeCohortPersonalDataRequest purge;
  purge.set_name(cohort_);
  auto purged = enrollment_->PurgeCohortPersonalData(Secretariat(), purge);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(about(cohort_ + "/"), 0);
  EXPECT_EQ(OutboxCount(purged->report()), before);
  int settings = -1;
  ASSERT_TRUE(store_->database()
                  .RunInTransaction([&](SQLite::Database& db) -> absl::Status {
                    SQLite::Statement q(db, "SELECT COUNT(*) FROM reminder_settings");
                    q.executeStep();
                    settings = q.getColumn(0).getInt();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(settings, 0);  // M6': no setting outlives the cohort's people
}

}  // namespace
}  // namespace kaizen::enrollment

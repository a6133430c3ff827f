// The seat ledger against real in-memory SQLite (EnrollmentStore).
#include "services/enrollment/waitlist.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status/status_macros.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {
namespace waitlist_test {

const absl::Time kNow = absl::FromUnixSeconds(1654009200);  // 2022-06-01 JST
constexpr char kTsu[] = "242012";
constexpr char kYokkaichi[] = "242021";
constexpr char kMatsusaka[] = "242047";

class SeatLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    cohort_.id = "fy2022";
    cohort_.revision = 1;
    v1::Cohort& c = cohort_.cohort;
    c.set_name("cohorts/fy2022");
    c.set_state(v1::Cohort::OPEN);
    c.set_capacity(3);
    c.set_max_municipalities(2);
    c.mutable_offer_ttl()->set_seconds(48 * 3600);
    c.mutable_fee()->set_currency_code("JPY");
    c.mutable_fee()->set_units(10000);
    Write([&](EnrollmentTx& tx) { return tx.InsertCohort(&cohort_); });
  }

  void Write(const std::function<absl::Status(EnrollmentTx&)>& fn) {
    absl::Status status = store_->Write(fn);
    ASSERT_TRUE(status.ok()) << status;
  }

  // Runs `fn` with a ledger at `now` in one write transaction.
  void WithLedger(absl::Time now, const std::function<absl::Status(EnrollmentTx&, SeatLedger&)>& fn) {
    Write([&](EnrollmentTx& tx) {
      SeatLedger ledger(tx, now, notifier_);
      return fn(tx, ledger);
    });
  }

  // Stores an application of `members` people from `town` in `state`.
  ApplicationRecord AddApplication(const std::string& id, const std::string& town,
                                   v1::Application::State state, int members = 1,
                                   int priority = 0) {
    ApplicationRecord rec = MakeApplication(id, town, state, members, priority);
    Write([&](EnrollmentTx& tx) { return tx.InsertApplication(&rec); });
    return rec;
  }

  // The same, not stored.
  ApplicationRecord MakeApplication(const std::string& id, const std::string& town,
                                    v1::Application::State state, int members = 1,
                                    int priority = 0) {
    ApplicationRecord rec;
    rec.cohort_id = cohort_.id;
    rec.id = id;
    rec.revision = 1;
    v1::Application& a = rec.application;
    a.set_name(absl::StrCat("cohorts/fy2022/applications/", id));
    a.set_state(state);
    a.set_priority(priority);
    a.set_municipality_code(town);
    a.set_submitter(absl::StrCat("sub-", id));
    for (int i = 0; i < members; ++i) {
      v1::Applicant* m = a.add_members();
      m->set_display_name(absl::StrCat("山田 太郎", i));
      m->set_email(absl::StrCat(id, "-", i, "@city.example.jp"));
      m->set_municipality_code(town);
      m->mutable_consent()->set_share_attendance(true);
    }
    if (state == v1::Application::OFFERED) {
      a.set_admitted_member_count(members);
      *a.mutable_offer_expire_time() = ToTimestamp(kNow + absl::Hours(48));
    }
    return rec;
  }

  ParticipantRecord AddParticipant(const std::string& id, const std::string& town,
                                   v1::Participant::Role role = v1::Participant::PARTICIPANT) {
    ParticipantRecord rec;
    rec.cohort_id = cohort_.id;
    rec.id = id;
    rec.revision = 1;
    rec.participant.set_name(absl::StrCat("cohorts/fy2022/participants/", id));
    rec.participant.set_role(role);
    rec.participant.set_state(v1::Participant::ACTIVE);
    rec.participant.set_municipality_code(town);
    Write([&](EnrollmentTx& tx) { return tx.InsertParticipant(&rec); });
    return rec;
  }

  ApplicationRecord GetApplication(const std::string& id) {
    ApplicationRecord out;
    Write([&](EnrollmentTx& tx) -> absl::Status {
      auto rec = tx.GetApplication(cohort_.id, id);
      if (!rec.ok()) return rec.status();
      out = *rec;
      return absl::OkStatus();
    });
    return out;
  }

  Usage GetUsage() {
    Usage usage;
    Write([&](EnrollmentTx& tx) -> absl::Status {
      auto u = SeatUsage(tx, cohort_.id);
      if (!u.ok()) return u.status();
      usage = *u;
      return absl::OkStatus();
    });
    return usage;
  }

  static google::protobuf::Timestamp ToTimestamp(absl::Time t) {
    google::protobuf::Timestamp ts;
    ts.set_seconds(absl::ToUnixSeconds(t));
    return ts;
  }

  std::unique_ptr<EnrollmentStore> store_;
  // The ledger mails every state change (waitlist.h); these tests look at
  // seats, so the messages are written and left alone.
  Notifier notifier_{NotifyConfig{}};
  CohortRecord cohort_;
};

TEST_F(SeatLedgerTest, ActiveParticipantsAndOpenOffersTakeSeatsStaffDoNot) {
  AddParticipant("p1", kTsu);
  AddParticipant("navigator", kMatsusaka, v1::Participant::NAVIGATOR);
  AddApplication("offered", kYokkaichi, v1::Application::OFFERED, 2);
  AddApplication("waiting", kMatsusaka, v1::Application::WAITLISTED);
  Usage usage = GetUsage();
  EXPECT_EQ(usage.seats, 3);
  EXPECT_EQ(usage.municipalities, (std::set<std::string>{kTsu, kYokkaichi}));
}

TEST_F(SeatLedgerTest, AnOffersOwnSeatsAreFreeForIt) {
  AddParticipant("p1", kTsu);
  ApplicationRecord offered = AddApplication("offered", kYokkaichi, v1::Application::OFFERED, 2);
  ApplicationRecord other = AddApplication("other", kYokkaichi, v1::Application::WAITLISTED, 2);
  WithLedger(kNow, [&](EnrollmentTx&, SeatLedger& ledger) -> absl::Status {
    auto mine = ledger.Fit(cohort_, offered);
    if (!mine.ok()) return mine.status();
    EXPECT_EQ(mine->admitted, 2);
    auto theirs = ledger.Fit(cohort_, other);
    if (!theirs.ok()) return theirs.status();
    EXPECT_EQ(theirs->admitted, 0);
    EXPECT_EQ(theirs->blocked_reason, kCohortFull);
    return absl::OkStatus();
  });
}

TEST_F(SeatLedgerTest, PromoteOffersInQueueOrderAndSkipsWhatDoesNotFit) {
  AddParticipant("p1", kTsu);
  AddParticipant("p2", kYokkaichi);
  // Queue: priority first, then arrival. A third municipality cannot come
  // in (limit 2), a team of two does not fit the one free seat.
  AddApplication("third-town", kMatsusaka, v1::Application::WAITLISTED, 1, /*priority=*/5);
  AddApplication("team", kTsu, v1::Application::WAITLISTED, 2);
  ApplicationRecord waiting = AddApplication("single", kTsu, v1::Application::WAITLISTED, 1);
  AddApplication("later", kYokkaichi, v1::Application::WAITLISTED, 1);
  WithLedger(kNow, [&](EnrollmentTx& tx, SeatLedger& ledger) -> absl::Status {
    auto position = WaitlistPosition(tx, waiting);
    if (!position.ok()) return position.status();
    EXPECT_EQ(*position, 3);
    return ledger.Promote(cohort_);
  });
  EXPECT_EQ(GetApplication("third-town").application.state(), v1::Application::WAITLISTED);
  EXPECT_EQ(GetApplication("team").application.state(), v1::Application::WAITLISTED);
  ApplicationRecord single = GetApplication("single");
  EXPECT_EQ(single.application.state(), v1::Application::OFFERED);
  EXPECT_EQ(single.application.admitted_member_count(), 1);
  EXPECT_EQ(single.application.history().rbegin()->reason(), kSeatAvailable);
  EXPECT_EQ(single.application.offer_expire_time().seconds(),
            absl::ToUnixSeconds(kNow + absl::Hours(48)));
  EXPECT_EQ(single.revision, 2);
  EXPECT_EQ(GetApplication("later").application.state(), v1::Application::WAITLISTED);
  EXPECT_EQ(GetUsage().seats, 3);
}

TEST_F(SeatLedgerTest, LapsedOffersExpireAndPassTheirSeatsOn) {
  AddParticipant("p1", kTsu);
  AddParticipant("p2", kTsu);
  AddApplication("offered", kTsu, v1::Application::OFFERED);
  AddApplication("next", kTsu, v1::Application::WAITLISTED);
  Write([&](EnrollmentTx& tx) {
    return tx.ReserveEmails(cohort_.id, "offered", {"key-offered"});
  });

  // Not yet: the offer holds until its expiry time.
  WithLedger(kNow + absl::Hours(47), [&](EnrollmentTx&, SeatLedger& ledger) -> absl::Status {
    auto n = ledger.ExpireLapsedOffers(cohort_);
    if (!n.ok()) return n.status();
    EXPECT_EQ(*n, 0);
    return absl::OkStatus();
  });
  EXPECT_EQ(GetApplication("offered").application.state(), v1::Application::OFFERED);

  // LoadCohortForWrite expires before anything else happens.
  WithLedger(kNow + absl::Hours(48), [&](EnrollmentTx&, SeatLedger& ledger) {
    return ledger.LoadCohortForWrite(cohort_.id).status();
  });
  ApplicationRecord lapsed = GetApplication("offered");
  EXPECT_EQ(lapsed.application.state(), v1::Application::EXPIRED);
  EXPECT_EQ(lapsed.application.admitted_member_count(), 0);
  EXPECT_EQ(lapsed.application.history().rbegin()->reason(), kOfferExpired);
  EXPECT_EQ(lapsed.application.history().rbegin()->actor(), "system");
  EXPECT_EQ(lapsed.revision, 2);
  EXPECT_EQ(GetApplication("next").application.state(), v1::Application::OFFERED);
  // The lapsed application's e-mail may apply again.
  Write([&](EnrollmentTx& tx) {
    return tx.ReserveEmails(cohort_.id, "someone-else", {"key-offered"});
  });
}

TEST_F(SeatLedgerTest, NothingMovesInCohortsThatAreNotLive) {
  cohort_.cohort.set_state(v1::Cohort::FINISHED);
  AddApplication("offered", kTsu, v1::Application::OFFERED);
  AddApplication("waiting", kTsu, v1::Application::WAITLISTED);
  WithLedger(kNow + absl::Hours(100), [&](EnrollmentTx&, SeatLedger& ledger) -> absl::Status {
    auto n = ledger.ExpireLapsedOffers(cohort_);
    if (!n.ok()) return n.status();
    EXPECT_EQ(*n, 0);
    return ledger.Promote(cohort_);
  });
  EXPECT_EQ(GetApplication("offered").application.state(), v1::Application::OFFERED);
  EXPECT_EQ(GetApplication("waiting").application.state(), v1::Application::WAITLISTED);
}

TEST_F(SeatLedgerTest, AdmittingCreatesParticipantsWithTheirOwnConsent) {
  ApplicationRecord team = AddApplication("team", kTsu, v1::Application::OFFERED, 2);
  WithLedger(kNow, [&](EnrollmentTx&, SeatLedger& ledger) {
    return ledger.AdmitApplication(cohort_, team, 2, "applicant", kOfferAccepted,
                                   v1::Application::Decision::OFFER_ACCEPTED);
  });
  // One write of the application: its etag moves by exactly one revision.
  EXPECT_EQ(team.revision, 2);
  ApplicationRecord stored = GetApplication("team");
  EXPECT_EQ(stored.revision, 2);
  EXPECT_EQ(stored.application.state(), v1::Application::ACCEPTED);
  EXPECT_FALSE(stored.application.has_offer_expire_time());
  ASSERT_EQ(stored.application.participants_size(), 2);

  std::vector<ParticipantRecord> people;
  Write([&](EnrollmentTx& tx) -> absl::Status {
    auto rows = tx.ListParticipants(cohort_.id, {}, 0, 0);
    if (!rows.ok()) return rows.status();
    people = *rows;
    auto changes = tx.ListChanges(0, "", 0);
    if (!changes.ok()) return changes.status();
    EXPECT_EQ(changes->size(), 2u);  // both announced on the feed
    return absl::OkStatus();
  });
  ASSERT_EQ(people.size(), 2u);
  EXPECT_EQ(people[0].participant.subject(), "sub-team");
  EXPECT_TRUE(people[0].participant.consent().share_attendance());
  EXPECT_EQ(people[1].participant.subject(), "");
  // Each member keeps the consent the application recorded for them.
  EXPECT_TRUE(people[1].participant.consent().share_attendance());
  EXPECT_EQ(people[0].participant.fee_status(), v1::Participant::UNPAID);
  // The offer's seats became participants' seats: still two.
  EXPECT_EQ(GetUsage().seats, 2);
}

TEST_F(SeatLedgerTest, EndingAnAcceptedApplicationCancelsItsPeopleAndPromotes) {
  cohort_.cohort.set_capacity(1);
  ApplicationRecord first = AddApplication("first", kTsu, v1::Application::WAITLISTED);
  AddApplication("second", kTsu, v1::Application::WAITLISTED);
  WithLedger(kNow, [&](EnrollmentTx&, SeatLedger& ledger) {
    return ledger.AdmitApplication(cohort_, first, 1, "secretariat-1", "欠員補充",
                                   v1::Application::Decision::ACCEPT);
  });
  EXPECT_EQ(GetUsage().seats, 1);
  WithLedger(kNow, [&](EnrollmentTx&, SeatLedger& ledger) {
    return ledger.EndApplication(cohort_, first, v1::Application::WITHDRAWN, "applicant", "",
                                 v1::Application::Decision::WITHDRAW);
  });
  EXPECT_EQ(first.revision, 3);
  EXPECT_EQ(GetApplication("first").application.state(), v1::Application::WITHDRAWN);
  EXPECT_EQ(GetApplication("second").application.state(), v1::Application::OFFERED);
  ParticipantFilter active;
  active.state = v1::Participant::ACTIVE;
  Write([&](EnrollmentTx& tx) -> absl::Status {
    auto rows = tx.ListParticipants(cohort_.id, active, 0, 0);
    if (!rows.ok()) return rows.status();
    EXPECT_TRUE(rows->empty());
    return absl::OkStatus();
  });
}

TEST_F(SeatLedgerTest, SavingARaisedCapacityOffersTheNewSeats) {
  cohort_.cohort.set_capacity(1);
  AddParticipant("p1", kTsu);
  AddApplication("waiting", kTsu, v1::Application::WAITLISTED);
  cohort_.cohort.set_capacity(2);
  WithLedger(kNow, [&](EnrollmentTx&, SeatLedger& ledger) { return ledger.SaveCohort(cohort_); });
  EXPECT_EQ(cohort_.revision, 2);
  EXPECT_EQ(cohort_.cohort.update_time().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(GetApplication("waiting").application.state(), v1::Application::OFFERED);
}

// The place of every waiting application is its place in the queue as
// listed, whatever priorities wait ahead of and behind it: the newest
// arrival's comes from the waiting-list counter (application_sql.cc), the
// others' from counting the queue ahead of them.
TEST_F(SeatLedgerTest, EveryPlaceIsThePlaceInTheListedQueue) {
  cohort_.cohort.set_capacity(1);
  cohort_.cohort.set_max_waitlist(100);
  AddParticipant("p1", kTsu);
  int n = 0;
  for (int priority : {0, 5, -3, 0, 5, -3, 0}) {
    AddApplication(absl::StrCat("old", n++), kTsu, v1::Application::WAITLISTED, 1, priority);
  }
  auto expect_places = [&](EnrollmentTx& tx, const std::string& newest) -> absl::Status {
    ApplicationFilter waiting;
    waiting.state = v1::Application::WAITLISTED;
    ASSIGN_OR_RETURN(auto queue, tx.ListApplications(cohort_.id, waiting, std::nullopt, 0));
    bool saw_newest = false;
    for (size_t i = 0; i < queue.size(); ++i) {
      ASSIGN_OR_RETURN(int place, WaitlistPosition(tx, queue[i]));
      EXPECT_EQ(place, static_cast<int>(i) + 1) << queue[i].id;
      saw_newest = saw_newest || queue[i].id == newest;
    }
    EXPECT_TRUE(saw_newest) << newest;
    ASSIGN_OR_RETURN(int64_t counted, tx.CountWaiting(cohort_.id));
    EXPECT_EQ(counted, static_cast<int64_t>(queue.size()));
    return absl::OkStatus();
  };
  for (int priority : {0, 5, -3, 7, -10, 0}) {
    ApplicationRecord rec =
        MakeApplication(absl::StrCat("new", n++), kYokkaichi, v1::Application::SUBMITTED, 1,
                        priority);
    WithLedger(kNow, [&](EnrollmentTx& tx, SeatLedger& ledger) -> absl::Status {
      RETURN_IF_ERROR(ledger.Arrive(cohort_, rec, "seat available"));
      EXPECT_EQ(rec.application.state(), v1::Application::WAITLISTED);
      return expect_places(tx, rec.id);
    });
  }
  // A confirmed application moved to the end of the queue (MoveToQueueEnd)
  // is the newest arrival too.
  ApplicationRecord old = GetApplication("old1");
  WithLedger(kNow, [&](EnrollmentTx& tx, SeatLedger&) -> absl::Status {
    RETURN_IF_ERROR(tx.MoveToQueueEnd(&old));
    return expect_places(tx, old.id);
  });
}

}  // namespace
}  // namespace kaizen::enrollment

// Every path that changes an application's state tells its members, in the
// same transaction (SeatLedger::SaveStateChange, waitlist.h): a walk through
// arrival by confirmation, waiting, offers made by a withdrawal, a raised
// capacity and a cancelled participation, an accepted and a lapsed offer,
// the secretariat's reject and accept, an unconfirmed expiry; and the claim
// link. Then a cross-check: every ACCEPTED, WAITLISTED, OFFERED, REJECTED
// and EXPIRED entry of every history has its message.
#include <map>
#include <string>
#include <vector>

#include "google/protobuf/field_mask.pb.h"
#include "gtest/gtest.h"
#include "services/enrollment/confirmation_fixture.h"

namespace kaizen::enrollment {
namespace state_mail_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

std::string Email(int n) { return absl::StrCat("person", n * 100, "@city.example.jp"); }

class StateMailTest : public ConfirmationTest {
 protected:
  std::string LastKind(int n) {
    std::vector<std::string> kinds = KindsTo(*store_, Email(n));
    return kinds.empty() ? "" : kinds.back();
  }
  v1::Application State(const v1::Application& app) { return Get(app.name(), Secretariat()); }
};

TEST_F(StateMailTest, EveryStateChangeIsMailedWhereverItHappens) {
  v1::Cohort one = Fy2022Cohort();
  one.set_capacity(1);
  one.set_max_municipalities(1);
  one.set_allow_partial_team(true);  // D's team of two may apply to one seat
  const std::string cohort = MakeOpenCohort(one, "walk");

  // Arrival by confirmation: ACCEPTED, then WAITLISTED.
  const v1::Application a = MustApply(Anonymous(), Apply(cohort, 1, kTowns[0]));
  ASSERT_TRUE(ConfirmAll(a).ok());
  EXPECT_EQ(LastKind(1), "application_accepted");
  const v1::Application b = MustApply(Anonymous(), Apply(cohort, 2, kTowns[1]));
  ASSERT_TRUE(ConfirmAll(b).ok());
  EXPECT_EQ(LastKind(2), "application_waitlisted");

  // A withdrawal frees the seat: B is offered it (the ledger's Promote).
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(a.name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(WithToken(a.access_token()), withdraw).ok());
  EXPECT_EQ(LastKind(2), "offer_made");
  v1::AnswerOfferRequest answer;
  answer.set_name(b.name());
  ASSERT_TRUE(enrollment_->AcceptOffer(WithToken(b.access_token()), answer).ok());
  EXPECT_EQ(LastKind(2), "application_accepted");

  // The secretariat rejects B: C (waiting) is offered the seat and lets
  // the offer lapse (the periodic expiry).
  const v1::Application c = MustApply(User("c"), Apply(cohort, 3, kTowns[2]));
  EXPECT_EQ(LastKind(3), "application_waitlisted");
  v1::DecideApplicationRequest reject;
  reject.set_name(b.name());
  reject.set_reason("書類不備");
  ASSERT_TRUE(enrollment_->RejectApplication(Secretariat(), reject).ok());
  EXPECT_EQ(LastKind(2), "application_rejected");
  EXPECT_EQ(LastKind(3), "offer_made");
  clock_.Advance(absl::Hours(49));
  ASSERT_EQ(*enrollment_->ExpireLapsedOffers(), 1);
  EXPECT_EQ(LastKind(3), "application_expired");

  // The secretariat's accept of a rejected application.
  v1::DecideApplicationRequest accept;
  accept.set_name(b.name());
  accept.set_reason("再審査");
  ASSERT_TRUE(enrollment_->AcceptApplication(Secretariat(), accept).ok());
  EXPECT_EQ(LastKind(2), "application_accepted");

  // A raised capacity offers the waiting D a seat (UpdateCohort).
  const v1::Application d = MustApply(User("d"), Apply(cohort, 4, kTowns[3], 2));
  EXPECT_EQ(LastKind(4), "application_waitlisted");
  v1::UpdateCohortRequest raise;
  raise.mutable_cohort()->set_name(cohort);
  raise.mutable_cohort()->set_capacity(3);
  raise.mutable_cohort()->set_max_municipalities(3);
  raise.mutable_update_mask()->add_paths("capacity");
  raise.mutable_update_mask()->add_paths("max_municipalities");
  ASSERT_TRUE(enrollment_->UpdateCohort(Secretariat(), raise).ok());
  EXPECT_EQ(LastKind(4), "offer_made");
  ASSERT_TRUE(enrollment_
                  ->AcceptOffer(User("d"),
                                [&] {
                                  v1::AnswerOfferRequest r;
                                  r.set_name(d.name());
                                  return r;
                                }())
                  .ok());

  // A cancelled participation offers the waiting E a seat.
  const v1::Application e = MustApply(User("e"), Apply(cohort, 5, kTowns[4]));
  EXPECT_EQ(LastKind(5), "application_waitlisted");
  v1::CancelParticipantRequest cancel;
  const v1::Application b_now = State(b);  // its first participation was cancelled
  cancel.set_name(b_now.participants(b_now.participants_size() - 1));
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());
  EXPECT_EQ(LastKind(5), "offer_made");

  // An unconfirmed application expires: told to the member who confirmed
  // (the other never proved the address, and gets nothing).
  const v1::Application f = MustApply(Anonymous(), Apply(cohort, 6, kTowns[5], 2));
  ASSERT_TRUE(Confirm(f.name(), enrollment_->ConfirmationTokenFor(f.name(), 0)).ok());
  clock_.Advance(absl::Hours(48));
  ASSERT_EQ(*enrollment_->ExpireUnconfirmedApplications(), 1);
  EXPECT_EQ(LastKind(6), "application_expired");
  EXPECT_EQ(KindsTo(*store_, "person601@city.example.jp"),
            std::vector<std::string>{"confirm_email"});

  // The claim link for D's team mate goes to the team mate's own address.
  v1::IssueClaimLinkRequest link;
  link.set_name(State(d).participants(1));
  ASSERT_TRUE(enrollment_->IssueClaimLink(Secretariat(), link).ok());
  EXPECT_EQ(KindsTo(*store_, "person401@city.example.jp").back(), "claim_link");

  // The cross-check: per application, one message to member 0 for each
  // history entry in a state that is mailed.
  const std::map<v1::Application::State, std::string> kind = {
      {v1::Application::ACCEPTED, "application_accepted"},
      {v1::Application::WAITLISTED, "application_waitlisted"},
      {v1::Application::OFFERED, "offer_made"},
      {v1::Application::REJECTED, "application_rejected"},
      {v1::Application::EXPIRED, "application_expired"}};
  int checked = 0;
  for (const v1::Application& app : {a, b, c, d, e, f}) {
    std::vector<std::string> expected;
    const v1::Application now = State(app);
    for (const auto& h : now.history()) {
      auto k = kind.find(h.state());
      if (k != kind.end()) expected.push_back(k->second);
    }
    std::vector<std::string> mailed;
    for (const Mail& m : OutboxRows(*store_)) {
      if (m.subject_ref == app.name() + "/members/0" && m.kind != "confirm_email" &&
          m.kind != "application_received") {
        mailed.push_back(m.kind);
      }
    }
    EXPECT_EQ(mailed, expected) << app.name();
    checked += static_cast<int>(expected.size());
  }
  EXPECT_GE(checked, 13);
}

}  // namespace
}  // namespace kaizen::enrollment

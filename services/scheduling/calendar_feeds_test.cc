// Subscribable calendars (issue 12, point 3): a secret URL per person and a
// staff feed per cohort, created, rotated and revoked by their owner, read
// without credentials, and authorised again at every read.
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_replace.h"
#include "common/auth/keys.h"
#include "common/status/errors.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/calendar_feed_token.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace calendar_feeds_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

const auth::KeyRing kKeyA({std::string(32, 'a')});

class CalendarFeedsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = SchedulingStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(Tokyo(2022, 7, 1, 10));
    scheduling_ = Make(kKeyA);
    v1::CreateMeetingSeriesRequest series;
    series.set_parent(kCohort);
    series.set_template_("templates/next-gen-leaders-fy2022");
    series.set_start_year(2022);
    *series.mutable_first_meeting_start() = ToProtoTimestamp(FirstMeeting());
    ASSERT_TRUE(scheduling_->CreateMeetingSeries(Secretariat(), series).ok());
    // An advisor's session, booked by p1.
    v1::CreateSupportSlotRequest slot;
    slot.set_parent(kCohort);
    slot.mutable_support_slot()->set_staff(Person("advisor"));
    *slot.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 10, 3, 19));
    *slot.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, 3, 20));
    auto created = scheduling_->CreateSupportSlot(Navigator(), slot);
    ASSERT_TRUE(created.ok()) << created.status();
    v1::BookSupportSlotRequest book;
    book.set_name(created->name());
    ASSERT_TRUE(scheduling_->BookSupportSlot(Participant(1), book).ok());
  }

  std::unique_ptr<Scheduling> Make(auth::KeyRing keys) {
    SchedulingConfig config;
    config.page_token_key = std::string(32, 'p');
    config.calendar_feed_keys = std::move(keys);
    return std::make_unique<Scheduling>(store_.get(), &roster_, &clock_, std::move(config));
  }

  absl::StatusOr<v1::CalendarFeed> Create(const Principal& caller, v1::CalendarFeed::Kind kind) {
    v1::CreateCalendarFeedRequest r;
    r.set_parent(kCohort);
    r.mutable_calendar_feed()->set_kind(kind);
    return scheduling_->CreateCalendarFeed(caller, r);
  }

  // The feed as a calendar app gets it: no credentials. Unfolded (RFC 5545
  // 3.1) so that long Japanese lines can be searched.
  absl::StatusOr<std::string> Read(const std::string& token, Scheduling* s = nullptr) {
    v1::ReadCalendarFeedRequest r;
    r.set_token(token);
    auto body = (s ? s : scheduling_.get())->ReadCalendarFeed(::kaizen::testkit::Anonymous(), r);
    if (!body.ok()) return body.status();
    EXPECT_EQ(body->content_type(), "text/calendar; charset=utf-8");
    return absl::StrReplaceAll(body->data(), {{"\r\n ", ""}});
  }

  // The roster without `id`, or with its subject replaced.
  void ChangeRoster(const std::string& id, bool remove, const std::string& subject = "",
                    ev1::Participant::Role role = ev1::Participant::ROLE_UNSPECIFIED) {
    ev1::Roster roster = *roster_.GetRoster(kCohort);
    ev1::Roster out = roster;
    out.clear_entries();
    for (const auto& e : roster.entries()) {
      if (e.participant() != Person(id)) {
        *out.add_entries() = e;
      } else if (!remove) {
        auto* changed = out.add_entries();
        *changed = e;
        if (!subject.empty()) changed->set_subject(subject);
        if (role != ev1::Participant::ROLE_UNSPECIFIED) changed->set_role(role);
      }
    }
    roster_.SetRoster(out);
  }

  static void ExpectFeedNotFound(const absl::Status& s, const absl::Status& reference) {
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
    EXPECT_EQ(errors::Reason(s), "FEED_NOT_FOUND");
    EXPECT_EQ(s, reference);  // one message and the same details, whatever the cause
  }

  absl::Status Unknown() {
    return Read(NewFeedToken("fy2022", "nosuchfeed")).status();
  }

  FakeRoster roster_;
  FakeClock clock_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<Scheduling> scheduling_;
};

TEST_F(CalendarFeedsTest, APersonFeedWorksWithoutCredentialsAndNamesTheStaffMember) {
  auto feed = Create(Participant(1), v1::CalendarFeed::PERSON);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->owner(), Person("p1"));
  EXPECT_EQ(feed->state(), v1::CalendarFeed::ACTIVE);
  EXPECT_EQ(feed->url_path(), "/v1/calendarFeeds/" + feed->token() + "/calendar.ics");
  auto ics = Read(feed->token());
  ASSERT_TRUE(ics.ok()) << ics.status();
  EXPECT_NE(ics->find("X-WR-CALNAME:参加者1 の予定"), std::string::npos) << *ics;
  EXPECT_NE(ics->find("UID:cohorts/fy2022/meetings/m1@kaizen"), std::string::npos);
  EXPECT_NE(ics->find("SUMMARY:アクションプラン作成個別支援（担当: 小川 恵美）"), std::string::npos)
      << *ics;
  // A participant's own feed does not name them to themself, nor anyone else.
  EXPECT_EQ(ics->find("参加者: "), std::string::npos);

  // p2 booked nothing: meetings only.
  auto other = Create(Participant(2), v1::CalendarFeed::PERSON);
  ASSERT_TRUE(other.ok());
  auto other_ics = Read(other->token());
  ASSERT_TRUE(other_ics.ok());
  EXPECT_EQ(other_ics->find("個別支援"), std::string::npos);
}

TEST_F(CalendarFeedsTest, TheStoreKeepsOnlyAKeyedHashOfTheToken) {
  auto feed = Create(Participant(1), v1::CalendarFeed::PERSON);
  ASSERT_TRUE(feed.ok());
  ASSERT_TRUE(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    auto stored = tx.GetCalendarFeed(feed->name());
    EXPECT_TRUE(stored.ok());
    EXPECT_TRUE(stored->message.token().empty());
    EXPECT_TRUE(stored->message.url_path().empty());
    auto secret = tx.GetCalendarFeedSecret(feed->name());
    EXPECT_TRUE(secret.ok());
    EXPECT_EQ(secret->token_hmac(), FeedTokenHmac(kKeyA.current(), feed->token()));
    EXPECT_EQ(secret->token_hmac().find(feed->token().substr(feed->token().rfind('.') + 1)),
              std::string::npos);
    return absl::OkStatus();
  }).ok());
}

TEST_F(CalendarFeedsTest, RotatingStopsTheOldUrlAtOnceAndRevokingStopsItForGood) {
  const absl::Status unknown = Unknown();
  auto feed = Create(Participant(1), v1::CalendarFeed::PERSON);
  ASSERT_TRUE(feed.ok());
  v1::RotateCalendarFeedRequest rotate;
  rotate.set_name(feed->name());
  auto rotated = scheduling_->RotateCalendarFeed(Participant(1), rotate);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_NE(rotated->token(), feed->token());
  EXPECT_EQ(rotated->name(), feed->name());
  ExpectFeedNotFound(Read(feed->token()).status(), unknown);
  EXPECT_TRUE(Read(rotated->token()).ok());

  v1::RevokeCalendarFeedRequest revoke;
  revoke.set_name(feed->name());
  auto revoked = scheduling_->RevokeCalendarFeed(Participant(1), revoke);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->state(), v1::CalendarFeed::REVOKED);
  EXPECT_TRUE(revoked->token().empty());
  ExpectFeedNotFound(Read(rotated->token()).status(), unknown);
  // Revoking again changes nothing; rotating a revoked feed is refused.
  EXPECT_TRUE(scheduling_->RevokeCalendarFeed(Participant(1), revoke).ok());
  EXPECT_EQ(errors::Reason(scheduling_->RotateCalendarFeed(Participant(1), rotate).status()),
            "FEED_REVOKED");
  // A new feed may be made once the old one is revoked.
  EXPECT_TRUE(Create(Participant(1), v1::CalendarFeed::PERSON).ok());
}

TEST_F(CalendarFeedsTest, MalformedAndAlteredTokensGetTheSameRefusal) {
  const absl::Status unknown = Unknown();
  auto feed = Create(Participant(1), v1::CalendarFeed::PERSON);
  ASSERT_TRUE(feed.ok());
  std::string altered = feed->token();
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  for (const std::string& token : {altered, std::string(""), std::string("x"),
                                   feed->token() + "x", std::string(5000, 'a')}) {
    ExpectFeedNotFound(Read(token).status(), unknown);
  }
  // The refusal never echoes the token.
  EXPECT_EQ(std::string(Read(altered).status().message()).find(altered), std::string::npos);
}

TEST_F(CalendarFeedsTest, AuthorisationIsCheckedAtEveryRead) {
  const absl::Status unknown = Unknown();
  auto feed = Create(Participant(1), v1::CalendarFeed::PERSON);
  ASSERT_TRUE(feed.ok());
  ASSERT_TRUE(Read(feed->token()).ok());
  // The account linked to the entry changed: the old account's URL is dead.
  ChangeRoster("p1", /*remove=*/false, "someone-else");
  ExpectFeedNotFound(Read(feed->token()).status(), unknown);
  // Removed from the cohort: nothing of it.
  ChangeRoster("p1", /*remove=*/true);
  ExpectFeedNotFound(Read(feed->token()).status(), unknown);
  // Enrollment down: try again later, nothing revealed or served.
  auto p2 = Create(Participant(2), v1::CalendarFeed::PERSON);
  ASSERT_TRUE(p2.ok());
  roster_.SetDown(true);
  auto down = Read(p2->token());
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable) << down.status();
}

TEST_F(CalendarFeedsTest, TheStaffFeedShowsEverySessionAndStopsWhenTheRoleGoes) {
  const absl::Status unknown = Unknown();
  EXPECT_EQ(errors::Reason(Create(Participant(1), v1::CalendarFeed::COHORT).status()),
            "STAFF_ONLY");
  auto feed = Create(Navigator(), v1::CalendarFeed::COHORT);
  ASSERT_TRUE(feed.ok()) << feed.status();
  auto ics = Read(feed->token());
  ASSERT_TRUE(ics.ok()) << ics.status();
  EXPECT_NE(ics->find("SUMMARY:アクションプラン作成個別支援: 参加者1（担当: 小川 恵美）"),
            std::string::npos)
      << *ics;
  EXPECT_NE(ics->find("X-WR-CALNAME:次世代改善リーダー事例研究会（スタッフ）"), std::string::npos);
  // The secretariat's roster entry may hold one too.
  EXPECT_TRUE(Create(Secretariat(), v1::CalendarFeed::COHORT).ok());
  // No longer staff of the cohort: the staff feed stops.
  ChangeRoster("navigator", /*remove=*/false, "", ev1::Participant::PARTICIPANT);
  ExpectFeedNotFound(Read(feed->token()).status(), unknown);
}

TEST_F(CalendarFeedsTest, TheStaffMembersOwnFeedNamesWhoBookedThem) {
  auto feed = Create(Advisor(), v1::CalendarFeed::PERSON);
  ASSERT_TRUE(feed.ok()) << feed.status();
  auto ics = Read(feed->token());
  ASSERT_TRUE(ics.ok());
  EXPECT_NE(ics->find("SUMMARY:アクションプラン作成個別支援: 参加者1（担当: 小川 恵美）"),
            std::string::npos)
      << *ics;
}

TEST_F(CalendarFeedsTest, OneActiveFeedPerOwnerAndKindAndKindIsRequired) {
  ASSERT_TRUE(Create(Navigator(), v1::CalendarFeed::PERSON).ok());
  auto again = Create(Navigator(), v1::CalendarFeed::PERSON);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(errors::Reason(again.status()), "FEED_EXISTS");
  EXPECT_TRUE(Create(Navigator(), v1::CalendarFeed::COHORT).ok());
  auto unset = Create(Navigator(), v1::CalendarFeed::KIND_UNSPECIFIED);
  EXPECT_EQ(unset.status().code(), absl::StatusCode::kInvalidArgument);
  auto bad = errors::GetBadRequest(unset.status());
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "calendar_feed.kind");
}

TEST_F(CalendarFeedsTest, OnlyTheOwnerRotatesAndOnlyOwnerOrSecretariatRevokes) {
  auto feed = Create(Participant(1), v1::CalendarFeed::PERSON);
  ASSERT_TRUE(feed.ok());
  v1::RotateCalendarFeedRequest rotate;
  rotate.set_name(feed->name());
  v1::RotateCalendarFeedRequest ghost;
  ghost.set_name(std::string(kCohort) + "/calendarFeeds/nosuchfeed");
  // Another participant cannot tell someone's feed from no feed.
  const absl::Status theirs = scheduling_->RotateCalendarFeed(Participant(2), rotate).status();
  const absl::Status missing = scheduling_->RotateCalendarFeed(Participant(2), ghost).status();
  EXPECT_EQ(theirs.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(theirs.message(), absl::StrReplaceAll(missing.message(), {{"nosuchfeed",
                                                   feed->name().substr(feed->name().rfind('/') + 1)}}));
  // The secretariat may revoke but not take the URL over.
  EXPECT_EQ(errors::Reason(scheduling_->RotateCalendarFeed(Secretariat(), rotate).status()),
            "NOT_YOURSELF");
  v1::RevokeCalendarFeedRequest revoke;
  revoke.set_name(feed->name());
  EXPECT_EQ(scheduling_->RevokeCalendarFeed(Participant(2), revoke).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(Read(feed->token()).ok());
  EXPECT_TRUE(scheduling_->RevokeCalendarFeed(Secretariat(), revoke).ok());
  EXPECT_EQ(Read(feed->token()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(CalendarFeedsTest, ListingShowsOwnFeedsWithoutSecretsAndAllToTheSecretariat) {
  ASSERT_TRUE(Create(Participant(1), v1::CalendarFeed::PERSON).ok());
  ASSERT_TRUE(Create(Participant(2), v1::CalendarFeed::PERSON).ok());
  ASSERT_TRUE(Create(Navigator(), v1::CalendarFeed::COHORT).ok());
  v1::ListCalendarFeedsRequest r;
  r.set_parent(kCohort);
  auto mine = scheduling_->ListCalendarFeeds(Participant(1), r);
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_EQ(mine->calendar_feeds_size(), 1);
  EXPECT_EQ(mine->total_size(), 1);
  EXPECT_EQ(mine->calendar_feeds(0).owner(), Person("p1"));
  EXPECT_TRUE(mine->calendar_feeds(0).token().empty());
  EXPECT_TRUE(mine->calendar_feeds(0).url_path().empty());
  r.set_page_size(2);
  auto first = scheduling_->ListCalendarFeeds(Secretariat(), r);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->calendar_feeds_size(), 2);
  EXPECT_EQ(first->total_size(), 3);
  r.set_page_token(first->next_page_token());
  auto second = scheduling_->ListCalendarFeeds(Secretariat(), r);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->calendar_feeds_size(), 1);
  EXPECT_EQ(second->calendar_feeds(0).owner(), Person("navigator"));
  EXPECT_TRUE(second->next_page_token().empty());
  // Services read meetings, nothing else.
  r.clear_page_token();
  EXPECT_EQ(scheduling_->ListCalendarFeeds(::kaizen::testkit::Service("plans"), r).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(CalendarFeedsTest, OutsidersAreRefusedAlikeForRealAndMissingCohorts) {
  for (const Principal& outsider :
       {::kaizen::testkit::User("stranger", kaizen::type::ROLE_PARTICIPANT),
        ::kaizen::testkit::PartnerHr("242047")}) {
    for (const std::string& cohort : {std::string(kCohort), std::string("cohorts/nosuch")}) {
      v1::CreateCalendarFeedRequest create;
      create.set_parent(cohort);
      create.mutable_calendar_feed()->set_kind(v1::CalendarFeed::PERSON);
      v1::ListCalendarFeedsRequest list;
      list.set_parent(cohort);
      v1::RevokeCalendarFeedRequest revoke;
      revoke.set_name(cohort + "/calendarFeeds/abc");
      v1::RotateCalendarFeedRequest rotate;
      rotate.set_name(cohort + "/calendarFeeds/abc");
      for (const absl::Status& s : {scheduling_->CreateCalendarFeed(outsider, create).status(),
                                    scheduling_->ListCalendarFeeds(outsider, list).status(),
                                    scheduling_->RevokeCalendarFeed(outsider, revoke).status(),
                                    scheduling_->RotateCalendarFeed(outsider, rotate).status()}) {
        EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << cohort << " " << s;
        EXPECT_EQ(errors::Reason(s), "NOT_ON_ROSTER") << cohort;
      }
    }
  }
  // The secretariat without an entry of its own holds no feed.
  auto unlisted = Create(::kaizen::testkit::Secretariat("sec-elsewhere"), v1::CalendarFeed::COHORT);
  EXPECT_EQ(unlisted.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::Reason(unlisted.status()), "NOT_ON_ROSTER");
}

TEST_F(CalendarFeedsTest, UrlsSurviveARotationOfTheInternalSecret) {
  auto feed = Create(Participant(1), v1::CalendarFeed::PERSON);
  ASSERT_TRUE(feed.ok());
  const auth::KeyRing key_b({std::string(32, 'b')});
  // Overlap: new key first, the old one still accepted; a read rehashes.
  auto overlap = Make(auth::KeyRing({key_b.current(), kKeyA.current()}));
  ASSERT_TRUE(Read(feed->token(), overlap.get()).ok());
  // The old key removed: the URL still works.
  auto after = Make(key_b);
  EXPECT_TRUE(Read(feed->token(), after.get()).ok());
  // Never read during the overlap: stops with the old key (documented).
  auto p2 = Create(Participant(2), v1::CalendarFeed::PERSON);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(Read(p2->token(), after.get()).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kaizen::scheduling

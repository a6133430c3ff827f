// Subscribable calendars: CreateCalendarFeed, ListCalendarFeeds,
// RotateCalendarFeed, RevokeCalendarFeed and ReadCalendarFeed, the one RPC
// scheduling serves to anonymous callers (the secret in its path is the
// credential; calendar_feed_token.h).
//
// What a feed may show is decided at every read, never at creation alone:
// the owner's roster entry must still exist with the account subject it had
// when the secret was made, and a COHORT feed's owner must still hold a
// staff role there. Everything a read refuses is the one FeedNotFound, so a
// URL tells nobody why it stopped working.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/status_macros.h"
#include "common/util/ids.h"
#include "common/util/proto_time.h"
#include "services/scheduling/access.h"
#include "services/scheduling/calendar_events.h"
#include "services/scheduling/calendar_feed_token.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/paging.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling {
namespace {

namespace ev1 = ::kaizen::enrollment::v1;

// Roster roles whose holders may keep a COHORT (staff) feed.
bool IsStaffEntry(const RosterEntry& e) {
  switch (e.role()) {
    case ev1::Participant::NAVIGATOR:
    case ev1::Participant::ADVISOR:
    case ev1::Participant::OBSERVER:
    case ev1::Participant::SECRETARIAT:
      return true;
    default:
      return false;
  }
}

// A fresh secret for `feed`: the token to hand out once, and what to store.
std::string Mint(const std::string& feed_name, const auth::KeyRing& keys,
                 const std::string& owner_subject, CalendarFeedSecret* secret) {
  absl::string_view rest = feed_name;
  absl::ConsumePrefix(&rest, "cohorts/");
  const size_t slash = rest.find('/');
  const std::string token = NewFeedToken(rest.substr(0, slash), rest.substr(rest.rfind('/') + 1));
  secret->set_token_hmac(FeedTokenHmac(keys.current(), token));
  secret->set_owner_subject(owner_subject);
  return token;
}

v1::CalendarFeed WithToken(v1::CalendarFeed feed, const std::string& token) {
  feed.set_token(token);
  feed.set_url_path(FeedUrlPath(token));
  return feed;
}

}  // namespace

absl::StatusOr<v1::CalendarFeed> Scheduling::CreateCalendarFeed(
    const Principal& caller, const v1::CreateCalendarFeedRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, internal::CohortOf("parent", r.parent()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  const RosterEntry* self = roster.FindCaller(caller);
  if (self == nullptr) {
    return CallerNotOnRoster(
        "a calendar feed belongs to your own entry on the cohort's roster, and you have none");
  }
  const v1::CalendarFeed::Kind kind = r.calendar_feed().kind();
  if (kind != v1::CalendarFeed::PERSON && kind != v1::CalendarFeed::COHORT) {
    return InvalidField("calendar_feed.kind", "must be PERSON or COHORT");
  }
  if (kind == v1::CalendarFeed::COHORT && (!IsCohortStaff(caller, roster) || !IsStaffEntry(*self))) {
    return StaffOnly("subscribe to the cohort's staff calendar", /*in_cohort=*/true);
  }
  const absl::Time now = clock_->Now();
  CalendarFeedRecord record;
  std::string token;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, cohort));
    RETURN_IF_ERROR(internal::RequireNotErased(tx, self->participant()));
    // One active feed per owner and kind, checked in the writing transaction.
    ASSIGN_OR_RETURN(auto feeds, tx.ListCalendarFeeds(cohort));
    for (const auto& f : feeds) {
      if (f.message.owner() == self->participant() && f.message.kind() == kind &&
          f.message.state() == v1::CalendarFeed::ACTIVE) {
        return FeedExists(f.name);
      }
    }
    record = CalendarFeedRecord{};
    record.name = absl::StrCat(cohort, "/calendarFeeds/", NewId());
    v1::CalendarFeed& feed = record.message;
    feed.set_name(record.name);
    feed.set_kind(kind);
    feed.set_owner(self->participant());
    feed.set_state(v1::CalendarFeed::ACTIVE);
    *feed.mutable_create_time() = ToProtoTimestamp(now);
    *feed.mutable_rotate_time() = ToProtoTimestamp(now);
    CalendarFeedSecret secret;
    token = Mint(record.name, feed_keys_, self->subject(), &secret);
    return tx.InsertCalendarFeed(&record, secret);
  }));
  return WithToken(record.message, token);
}

absl::StatusOr<v1::ListCalendarFeedsResponse> Scheduling::ListCalendarFeeds(
    const Principal& caller, const v1::ListCalendarFeedsRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, internal::CohortOf("parent", r.parent()));
  const std::string fingerprint = absl::StrCat("calendarFeeds\x1f", cohort);
  ASSIGN_OR_RETURN(PageRequest page,
                   ReadPageRequest(page_tokens_, fingerprint, r.page_size(), r.page_token()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  const RosterEntry* self = roster.FindCaller(caller);
  const bool all = IsSecretariat(caller);
  // A Kaizen service passes FetchRoster but owns no feed and sees none.
  if (!all && self == nullptr) {
    return CallerNotOnRoster("you are not on this cohort's roster");
  }
  std::vector<CalendarFeedRecord> visible;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto feeds, tx.ListCalendarFeeds(cohort));
    for (auto& f : feeds) {
      if (all || f.message.owner() == self->participant()) visible.push_back(std::move(f));
    }
    return absl::OkStatus();
  }));
  auto cut = TakePage(
      std::move(visible), [](const CalendarFeedRecord& f) { return OrderedKey({f.seq}); }, page,
      page_tokens_, fingerprint);
  v1::ListCalendarFeedsResponse out;
  for (auto& f : cut.items) *out.add_calendar_feeds() = std::move(f.message);
  out.set_next_page_token(cut.next_page_token);
  out.set_total_size(cut.total_size);
  return out;
}

absl::StatusOr<Scheduling::ManagedFeed> Scheduling::FindManagedFeed(const Principal& caller,
                                                                    const std::string& name) {
  ASSIGN_OR_RETURN(std::string cohort,
                   internal::CohortOfChild("name", name, {"cohorts", "calendarFeeds"}));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  const RosterEntry* self = roster.FindCaller(caller);
  ManagedFeed out{cohort, false};
  bool exists = false;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    absl::StatusOr<CalendarFeedRecord> feed = tx.GetCalendarFeed(name);
    if (absl::IsNotFound(feed.status())) return absl::OkStatus();
    if (!feed.ok()) return feed.status();
    exists = true;
    out.own = self != nullptr && feed->message.owner() == self->participant();
    return absl::OkStatus();
  }));
  // Someone else's feed is as missing as no feed, except to the secretariat.
  if (!exists || (!out.own && !IsSecretariat(caller))) return NotFound("CalendarFeed", name);
  return out;
}

absl::StatusOr<v1::CalendarFeed> Scheduling::RotateCalendarFeed(
    const Principal& caller, const v1::RotateCalendarFeedRequest& r) {
  ASSIGN_OR_RETURN(ManagedFeed managed, FindManagedFeed(caller, r.name()));
  if (!managed.own) {
    return NotYourself("only the feed's owner may rotate it; the secretariat may revoke it");
  }
  const absl::Time now = clock_->Now();
  CalendarFeedRecord record;
  std::string token;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(record, tx.GetCalendarFeed(r.name()));
    if (record.message.state() != v1::CalendarFeed::ACTIVE) return FeedRevoked();
    ASSIGN_OR_RETURN(CalendarFeedSecret secret, tx.GetCalendarFeedSecret(r.name()));
    token = Mint(record.name, feed_keys_, secret.owner_subject(), &secret);
    *record.message.mutable_rotate_time() = ToProtoTimestamp(now);
    return tx.UpdateCalendarFeed(&record, secret);
  }));
  return WithToken(record.message, token);
}

absl::StatusOr<v1::CalendarFeed> Scheduling::RevokeCalendarFeed(
    const Principal& caller, const v1::RevokeCalendarFeedRequest& r) {
  RETURN_IF_ERROR(FindManagedFeed(caller, r.name()).status());
  const absl::Time now = clock_->Now();
  CalendarFeedRecord record;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(record, tx.GetCalendarFeed(r.name()));
    if (record.message.state() == v1::CalendarFeed::REVOKED) return absl::OkStatus();
    ASSIGN_OR_RETURN(CalendarFeedSecret secret, tx.GetCalendarFeedSecret(r.name()));
    secret.clear_token_hmac();  // nothing left that any token could match
    record.message.set_state(v1::CalendarFeed::REVOKED);
    *record.message.mutable_revoke_time() = ToProtoTimestamp(now);
    return tx.UpdateCalendarFeed(&record, secret);
  }));
  return record.message;
}

absl::StatusOr<kaizen::type::HttpBody> Scheduling::ReadCalendarFeed(
    const Principal& /*caller: anyone; the token is the credential*/,
    const v1::ReadCalendarFeedRequest& r) {
  const std::optional<FeedToken> parsed = ParseFeedToken(r.token());
  if (!parsed.has_value()) return FeedNotFound();
  const std::string name = parsed->FeedName();
  const std::string cohort = absl::StrCat("cohorts/", parsed->cohort_id);
  CalendarFeedRecord feed;
  CalendarFeedSecret secret;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    absl::StatusOr<CalendarFeedRecord> f = tx.GetCalendarFeed(name);
    if (absl::IsNotFound(f.status())) return FeedNotFound();
    RETURN_IF_ERROR(f.status());
    feed = *std::move(f);
    absl::StatusOr<CalendarFeedSecret> s = tx.GetCalendarFeedSecret(name);
    if (absl::IsNotFound(s.status())) return FeedNotFound();
    RETURN_IF_ERROR(s.status());
    secret = *std::move(s);
    return absl::OkStatus();
  }));
  // Revoked feeds have no HMAC left; the state check only says so plainly.
  const int key_index = MatchFeedToken(feed_keys_, r.token(), secret.token_hmac());
  if (feed.message.state() != v1::CalendarFeed::ACTIVE || key_index < 0) return FeedNotFound();

  // Authorisation at read time, from enrollment's current roster.
  absl::StatusOr<enrollment_client::Roster> fetched = roster_->GetRoster(cohort);
  if (absl::IsNotFound(fetched.status())) return FeedNotFound();
  RETURN_IF_ERROR(fetched.status());  // UNAVAILABLE: the calendar app retries
  RosterView roster(*std::move(fetched));
  const RosterEntry* owner = roster.FindByName(feed.message.owner());
  if (owner == nullptr || owner->subject().empty() ||
      owner->subject() != secret.owner_subject()) {
    return FeedNotFound();
  }
  const bool staff_feed = feed.message.kind() == v1::CalendarFeed::COHORT;
  if (staff_feed && !IsStaffEntry(*owner)) return FeedNotFound();

  if (key_index > 0) {
    // Hashed under a previous key (the internal secret was rotated): rehash
    // under the current one, so the URL outlives the old key. Best effort:
    // this read is served either way and the next one tries again.
    store_
        ->Write([&](SchedulingTx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(CalendarFeedRecord current, tx.GetCalendarFeed(name));
          ASSIGN_OR_RETURN(CalendarFeedSecret stored, tx.GetCalendarFeedSecret(name));
          if (current.message.state() != v1::CalendarFeed::ACTIVE ||
              MatchFeedToken(feed_keys_, r.token(), stored.token_hmac()) != key_index) {
            return absl::OkStatus();  // rotated or revoked meanwhile
          }
          stored.set_token_hmac(FeedTokenHmac(feed_keys_.current(), r.token()));
          return tx.UpdateCalendarFeed(&current, stored);
        })
        .IgnoreError();
  }

  std::vector<CalendarEvent> events;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::AddMeetings(tx, cohort, &events));
    return internal::AddSupportSessions(tx, cohort, roster,
                                        staff_feed ? std::string() : owner->participant(),
                                        &events);
  }));
  const std::string title = staff_feed ? "次世代改善リーダー事例研究会（スタッフ）"
                                       : absl::StrCat(owner->display_name(), " の予定");
  return internal::CalendarBody(title, events, "kaizen-calendar.ics");
}

}  // namespace kaizen::scheduling

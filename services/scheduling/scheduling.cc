#include "services/scheduling/scheduling.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/resource_table.h"
#include "common/util/etag.h"
#include "common/util/ids.h"
#include "common/util/proto_time.h"
#include "common/util/resource_name.h"
#include "common/validation/validation.h"
#include "services/scheduling/feeds.h"
#include "services/scheduling/poll_rule.h"
#include "services/scheduling/templates.h"

namespace kaizen::scheduling {
namespace {

namespace ev1 = ::kaizen::enrollment::v1;
using storage::Resource;

constexpr char kMeeting[] = "Meeting";
constexpr char kPoll[] = "Poll";
constexpr char kTask[] = "Task";
constexpr char kSlot[] = "SupportSlot";
constexpr char kTemplate[] = "Template";
constexpr char kAttendance[] = "MeetingAttendance";

// ---------------------------------------------------------------- names

// "cohorts/{id}" -> itself, validated.
absl::StatusOr<std::string> CohortOf(absl::string_view field, absl::string_view name) {
  RETURN_IF_ERROR(ParseResourceName(field, name, {"cohorts"}).status());
  return std::string(name);
}

struct MeetingName {
  std::string cohort;   // "cohorts/c"
  std::string meeting;  // "cohorts/c/meetings/m3"
};

absl::StatusOr<MeetingName> ParseMeeting(absl::string_view field, absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts", "meetings"}));
  return MeetingName{absl::StrCat("cohorts/", ids[0]), std::string(name)};
}

// The cohort ("cohorts/{id}") of a name matching `collections`.
absl::StatusOr<std::string> CohortOfChild(absl::string_view field, absl::string_view name,
                                          const std::vector<absl::string_view>& collections) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, collections));
  return absl::StrCat("cohorts/", ids[0]);
}

std::string PollKey(const std::string& meeting) { return meeting + "/polls/poll"; }
std::string SheetKey(const std::string& meeting) { return meeting + "/attendance/sheet"; }

// ---------------------------------------------------------------- callers

bool IsOrganiser(const Principal& p) {
  return auth::HasRole(p, kaizen::type::ROLE_SECRETARIAT) ||
         auth::HasRole(p, kaizen::type::ROLE_NAVIGATOR);
}

bool IsSecretariat(const Principal& p) {
  return auth::HasRole(p, kaizen::type::ROLE_SECRETARIAT);
}

absl::Status Denied(absl::string_view reason, absl::string_view message) {
  return errors::PermissionDenied(reason, message);
}

// Staff of this cohort: the secretariat everywhere; a navigator, advisor or
// observer only where the roster lists that account with that role (and the
// token carries it too). A staff role in a token alone opens no cohort.
bool IsCohortStaff(const Principal& caller, const RosterView& roster,
                   bool organiser_only = false) {
  if (IsSecretariat(caller)) return true;
  const RosterEntry* e = roster.FindBySubject(caller.subject());
  if (e == nullptr) return false;
  switch (e->role()) {
    case ev1::Participant::NAVIGATOR:
      return auth::HasRole(caller, kaizen::type::ROLE_NAVIGATOR);
    case ev1::Participant::ADVISOR:
      return !organiser_only && auth::HasRole(caller, kaizen::type::ROLE_ADVISOR);
    case ev1::Participant::OBSERVER:
      return !organiser_only && auth::HasRole(caller, kaizen::type::ROLE_OBSERVER);
    default:
      return false;
  }
}

bool IsOrganiserOf(const Principal& caller, const RosterView& roster) {
  return IsCohortStaff(caller, roster, /*organiser_only=*/true);
}

absl::Status RequireOrganiserOf(const Principal& caller, const RosterView& roster) {
  if (IsOrganiserOf(caller, roster)) return absl::OkStatus();
  return Denied("ORGANISER_ONLY", "only the secretariat and this cohort's navigator may do this");
}

// The token's role, checked before anything else is looked at; the cohort
// is checked with RequireOrganiserOf once the roster is at hand.
absl::Status RequireOrganiser(const Principal& p) {
  if (IsOrganiser(p)) return absl::OkStatus();
  return Denied("ORGANISER_ONLY", "only the secretariat and the navigator may do this");
}

std::string Actor(const Principal& p) { return p.subject(); }

// The roster entry a request acts for: `requested` (a participant name) or
// the caller's own entry. Only the secretariat may act for someone else.
absl::StatusOr<const RosterEntry*> ActingFor(const Principal& caller, const RosterView& roster,
                                             const std::string& field,
                                             const std::string& requested) {
  const RosterEntry* self = roster.FindBySubject(caller.subject());
  if (requested.empty()) {
    if (self == nullptr) {
      return Denied("NOT_ON_ROSTER", "you are not on this cohort's roster");
    }
    return self;
  }
  const RosterEntry* target = roster.FindByName(requested);
  if (target == nullptr) {
    return errors::InvalidField(field, "is not on this cohort's roster", "NOT_ON_ROSTER");
  }
  if (target != self && !IsSecretariat(caller)) {
    return Denied("NOT_YOURSELF", "you may only act for yourself");
  }
  return target;
}

// ---------------------------------------------------------------- meetings

void SetEtag(const Resource<v1::Meeting>& r, v1::Meeting* out) {
  *out = r.message;
  out->set_etag(MakeEtag(r.name, r.revision));
}

v1::Poll PollOut(const Resource<v1::Poll>& r, const std::string& meeting,
                 const RosterView* roster) {
  v1::Poll out = r.message;
  out.set_name(meeting + "/poll");
  out.set_etag(MakeEtag(out.name(), r.revision));
  if (roster != nullptr) {
    for (auto& a : *out.mutable_answers()) {
      const RosterEntry* e = roster->FindByName(a.participant());
      if (e != nullptr) a.set_display_name(e->display_name());
    }
  }
  return out;
}

absl::Status CheckInWindow(const v1::Meeting& m, absl::Time start, const std::string& field) {
  const absl::Time end = start + FromProtoDuration(m.duration());
  if (start < FromProtoTimestamp(m.window_start()) || end > FromProtoTimestamp(m.window_end())) {
    return errors::InvalidField(
        field,
        absl::StrCat("must fall within ",
                     absl::FormatTime("%Y-%m-%d", FromProtoTimestamp(m.window_start()),
                                      TokyoTimeZone()),
                     " to ",
                     absl::FormatTime("%Y-%m-%d", FromProtoTimestamp(m.window_end()) - absl::Seconds(1),
                                      TokyoTimeZone()),
                     " (Asia/Tokyo), ending by the window's end"),
        "OUTSIDE_WINDOW");
  }
  return absl::OkStatus();
}

void AddChange(v1::Meeting& m, absl::Time now, const std::string& actor, const std::string& kind,
               std::optional<absl::Time> start, const std::string& reason) {
  v1::Meeting::Change* c = m.add_history();
  *c->mutable_time() = ToProtoTimestamp(now);
  c->set_actor(actor);
  c->set_kind(kind);
  if (start.has_value()) *c->mutable_start_time() = ToProtoTimestamp(*start);
  c->set_reason(reason);
}

// Confirms or moves `m` to `start`.
void Confirm(v1::Meeting& m, absl::Time start, absl::Time now, const std::string& actor,
             const std::string& reason) {
  const bool moving = m.state() == v1::Meeting::CONFIRMED;
  m.set_state(v1::Meeting::CONFIRMED);
  *m.mutable_start_time() = ToProtoTimestamp(start);
  *m.mutable_end_time() = ToProtoTimestamp(start + FromProtoDuration(m.duration()));
  if (moving) m.set_calendar_sequence(m.calendar_sequence() + 1);
  AddChange(m, now, actor, moving ? "RESCHEDULED" : "CONFIRMED", start, reason);
}

const char* Mark(v1::Availability a) {
  switch (a) {
    case v1::YES: return "○";
    case v1::MAYBE: return "△";
    case v1::NO: return "×";
    default: return "";
  }
}

CalendarEvent MeetingEvent(const v1::Meeting& m) {
  CalendarEvent e;
  e.uid = m.name() + "@kaizen";
  e.sequence = m.calendar_sequence();
  e.start = FromProtoTimestamp(m.start_time());
  e.end = FromProtoTimestamp(m.end_time());
  e.stamp = m.history().empty() ? e.start : FromProtoTimestamp(m.history().rbegin()->time());
  e.summary = absl::StrCat("第", m.sequence(), "回 ", m.theme());
  e.description = absl::StrCat(m.theme(), "\n", m.format() == v1::ONLINE ? "WEB会合" : "対面会合");
  e.location = m.venue();
  e.url = m.online_url();
  e.cancelled = m.state() == v1::Meeting::CANCELLED;
  return e;
}

kaizen::type::HttpBody Calendar(const std::string& title, std::vector<CalendarEvent> events,
                                const std::string& filename) {
  kaizen::type::HttpBody body;
  body.set_content_type("text/calendar; charset=utf-8");
  body.set_data(RenderICalendar(title, events));
  body.set_filename(filename);
  return body;
}

absl::Status ValidateUrl(const std::string& field, const std::string& url) {
  if (!absl::StartsWith(url, "https://") || url.size() > 500 ||
      url.find_first_of(" \t\r\n\"<>") != std::string::npos) {
    return errors::InvalidField(field, "must be an https:// URL of at most 500 characters",
                                "INVALID_URL");
  }
  return absl::OkStatus();
}

}  // namespace

// ================================================================ store

absl::StatusOr<std::unique_ptr<SchedulingStore>> SchedulingStore::Open(
    const storage::DatabaseOptions& options) {
  static const auto* const kMigrations =
      new storage::Migrations{storage::kResourcesTableSql};
  ASSIGN_OR_RETURN(auto db, storage::Database::Open(options, *kMigrations));
  return std::unique_ptr<SchedulingStore>(new SchedulingStore(std::move(db)));
}

// ================================================================ Scheduling

Scheduling::Scheduling(SchedulingStore* store, RosterSource* roster, const Clock* clock)
    : store_(store), roster_(roster), clock_(clock) {}

absl::StatusOr<RosterView> Scheduling::FetchRoster(const std::string& cohort) {
  ASSIGN_OR_RETURN(ev1::Roster roster, roster_->GetRoster(cohort));
  return RosterView(std::move(roster));
}

absl::StatusOr<std::unique_ptr<RosterView>> Scheduling::RequireMember(const Principal& caller,
                                                                      const std::string& cohort) {
  if (IsSecretariat(caller)) return std::unique_ptr<RosterView>();
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(cohort));
  if (roster.FindBySubject(caller.subject()) == nullptr) {
    return Denied("NOT_ON_ROSTER", "only this cohort's members and staff may see this");
  }
  return std::make_unique<RosterView>(std::move(roster));
}

// ---------------------------------------------------------------- templates

absl::StatusOr<v1::ListTemplatesResponse> Scheduling::ListTemplates(
    const Principal& caller, const v1::ListTemplatesRequest&) {
  if (!auth::IsStaff(caller)) return Denied("STAFF_ONLY", "only staff may list templates");
  v1::ListTemplatesResponse response;
  for (const auto& t : BuiltInTemplates()) *response.add_templates() = t;
  RETURN_IF_ERROR(store_->Read([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto custom, storage::ListResources<v1::Template>(db, "", "templates"));
    for (const auto& t : custom) *response.add_templates() = t.message;
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::Template> Scheduling::CreateTemplate(const Principal& caller,
                                                        const v1::CreateTemplateRequest& r) {
  if (!IsSecretariat(caller)) return Denied("SECRETARIAT_ONLY", "only the secretariat may do this");
  if (!IsValidResourceId(r.template_id())) {
    return errors::InvalidField("template_id",
                                "must be 1-63 chars of a-z, 0-9 and '-', starting with a letter");
  }
  RETURN_IF_ERROR(ValidateText("template.title", r.template_().title(), 1, 200, false));
  RETURN_IF_ERROR(ValidateTemplate(r.template_()));
  Resource<v1::Template> t;
  t.name = "templates/" + r.template_id();
  t.message = r.template_();
  t.message.set_name(t.name);
  t.message.set_built_in(false);
  for (const auto& b : BuiltInTemplates()) {
    if (b.name() == t.name) return errors::AlreadyExists(kTemplate, t.name);
  }
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) {
    return storage::InsertResource(db, kTemplate, &t);
  }));
  return t.message;
}

// ---------------------------------------------------------------- meetings

absl::StatusOr<v1::CreateMeetingSeriesResponse> Scheduling::CreateMeetingSeries(
    const Principal& caller, const v1::CreateMeetingSeriesRequest& r) {
  if (!IsSecretariat(caller)) return Denied("SECRETARIAT_ONLY", "only the secretariat may do this");
  ASSIGN_OR_RETURN(std::string cohort, CohortOf("parent", r.parent()));
  if (r.start_year() < 2000 || r.start_year() > 2100) {
    return errors::InvalidField("start_year", "must be a year between 2000 and 2100");
  }
  if (!r.online_url().empty()) RETURN_IF_ERROR(ValidateUrl("online_url", r.online_url()));
  // The roster call proves the cohort exists (NOT_FOUND otherwise) and that
  // enrollment is reachable, before anything is written.
  RETURN_IF_ERROR(FetchRoster(cohort).status());
  const absl::Time now = clock_->Now();
  v1::CreateMeetingSeriesResponse response;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    v1::Template chosen;
    bool found = false;
    for (const auto& b : BuiltInTemplates()) {
      if (b.name() == r.template_()) {
        chosen = b;
        found = true;
      }
    }
    if (!found) {
      RETURN_IF_ERROR(ParseResourceName("template", r.template_(), {"templates"}).status());
      ASSIGN_OR_RETURN(auto t, storage::GetResource<v1::Template>(db, kTemplate, r.template_()));
      chosen = t.message;
    }
    ASSIGN_OR_RETURN(auto existing, storage::ListResources<v1::Meeting>(db, cohort, "meetings"));
    if (!existing.empty()) {
      return errors::AlreadyExists("MeetingSeries", cohort + "/meetings", "SERIES_EXISTS");
    }
    for (const v1::Template::Entry& e : chosen.entries()) {
      Resource<v1::Meeting> m;
      m.name = absl::StrCat(cohort, "/meetings/m", e.sequence());
      v1::Meeting& meeting = m.message;
      meeting.set_name(m.name);
      meeting.set_sequence(e.sequence());
      meeting.set_theme(e.theme());
      meeting.set_phase(e.phase());
      auto [start, end] = EntryWindow(r.start_year(), e);
      *meeting.mutable_window_start() = ToProtoTimestamp(start);
      *meeting.mutable_window_end() = ToProtoTimestamp(end);
      *meeting.mutable_duration() = e.duration();
      meeting.set_format(e.format());
      if (e.format() == v1::ONLINE) meeting.set_online_url(r.online_url());
      meeting.set_state(v1::Meeting::UNSCHEDULED);
      if (e.sequence() == 1 && r.has_first_meeting_start()) {
        const absl::Time first = FromProtoTimestamp(r.first_meeting_start());
        RETURN_IF_ERROR(CheckInWindow(meeting, first, "first_meeting_start"));
        Confirm(meeting, first, now, Actor(caller), "fixed in the call for participants");
      }
      RETURN_IF_ERROR(storage::InsertResource(db, kMeeting, &m));
      SetEtag(m, response.add_meetings());
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::Meeting> Scheduling::GetMeeting(const Principal& caller,
                                                   const v1::GetMeetingRequest& r) {
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("name", r.name()));
  RETURN_IF_ERROR(RequireMember(caller, n.cohort).status());
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Read([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto m, storage::GetResource<v1::Meeting>(db, kMeeting, n.meeting));
    SetEtag(m, &out);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::ListMeetingsResponse> Scheduling::ListMeetings(
    const Principal& caller, const v1::ListMeetingsRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, CohortOf("parent", r.parent()));
  RETURN_IF_ERROR(RequireMember(caller, cohort).status());
  v1::ListMeetingsResponse response;
  RETURN_IF_ERROR(store_->Read([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto meetings, storage::ListResources<v1::Meeting>(db, cohort, "meetings"));
    std::sort(meetings.begin(), meetings.end(), [](const auto& a, const auto& b) {
      return a.message.sequence() < b.message.sequence();
    });
    for (const auto& m : meetings) SetEtag(m, response.add_meetings());
    return absl::OkStatus();
  }));
  return response;
}

namespace {

// Loads a meeting for a change, checking its etag.
absl::StatusOr<Resource<v1::Meeting>> LoadMeeting(SQLite::Database& db, const std::string& name,
                                                  const std::string& etag) {
  ASSIGN_OR_RETURN(auto m, storage::GetResource<v1::Meeting>(db, kMeeting, name));
  RETURN_IF_ERROR(CheckEtag(m.name, m.revision, etag));
  return m;
}

absl::Status SaveMeeting(SQLite::Database& db, Resource<v1::Meeting>& m, v1::Meeting* out) {
  ++m.revision;
  RETURN_IF_ERROR(storage::UpdateResource(db, kMeeting, m));
  SetEtag(m, out);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Meeting> Scheduling::UpdateMeetingFormat(
    const Principal& caller, const v1::UpdateMeetingFormatRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("name", r.name()));
  {
    ASSIGN_OR_RETURN(RosterView roster, FetchRoster(n.cohort));
    RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  }
  if (r.format() == v1::ONLINE) {
    RETURN_IF_ERROR(ValidateUrl("online_url", r.online_url()));
  } else if (r.format() == v1::IN_PERSON) {
    RETURN_IF_ERROR(ValidateText("venue", r.venue(), 1, 200, false));
  } else {
    return errors::InvalidField("format", "must be ONLINE or IN_PERSON");
  }
  if (r.has_duration()) {
    const absl::Duration d = FromProtoDuration(r.duration());
    if (d < absl::Minutes(15) || d > absl::Hours(8)) {
      return errors::InvalidField("duration", "must be between 15 minutes and 8 hours");
    }
  }
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto m, LoadMeeting(db, n.meeting, r.etag()));
    if (m.message.state() == v1::Meeting::CANCELLED) {
      return errors::FailedPrecondition("MEETING_CANCELLED", "this meeting was cancelled");
    }
    m.message.set_format(r.format());
    m.message.set_online_url(r.format() == v1::ONLINE ? r.online_url() : "");
    m.message.set_venue(r.format() == v1::IN_PERSON ? TrimSpaces(r.venue()) : "");
    if (r.has_duration()) {
      *m.message.mutable_duration() = r.duration();
      if (m.message.state() == v1::Meeting::CONFIRMED) {
        const absl::Time start = FromProtoTimestamp(m.message.start_time());
        RETURN_IF_ERROR(CheckInWindow(m.message, start, "duration"));
        *m.message.mutable_end_time() =
            ToProtoTimestamp(start + FromProtoDuration(r.duration()));
      }
    }
    if (m.message.state() == v1::Meeting::CONFIRMED) {
      m.message.set_calendar_sequence(m.message.calendar_sequence() + 1);
    }
    return SaveMeeting(db, m, &out);
  }));
  return out;
}

absl::StatusOr<v1::Meeting> Scheduling::ScheduleMeeting(const Principal& caller,
                                                        const v1::ScheduleMeetingRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("name", r.name()));
  {
    ASSIGN_OR_RETURN(RosterView roster, FetchRoster(n.cohort));
    RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  }
  if (!r.has_start_time()) return errors::InvalidField("start_time", "is required");
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 0, 500, true));
  const absl::Time now = clock_->Now();
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto m, LoadMeeting(db, n.meeting, r.etag()));
    switch (m.message.state()) {
      case v1::Meeting::CANCELLED:
        return errors::FailedPrecondition("MEETING_CANCELLED", "this meeting was cancelled");
      case v1::Meeting::POLLING:
        return errors::FailedPrecondition("POLL_OPEN",
                                          "close the date poll (or confirm a slot) first");
      default:
        break;
    }
    const absl::Time start = FromProtoTimestamp(r.start_time());
    RETURN_IF_ERROR(CheckInWindow(m.message, start, "start_time"));
    Confirm(m.message, start, now, Actor(caller), TrimSpaces(r.reason()));
    return SaveMeeting(db, m, &out);
  }));
  return out;
}

absl::StatusOr<v1::Meeting> Scheduling::CancelMeeting(const Principal& caller,
                                                      const v1::CancelMeetingRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("name", r.name()));
  {
    ASSIGN_OR_RETURN(RosterView roster, FetchRoster(n.cohort));
    RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  }
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 1, 500, true));
  const absl::Time now = clock_->Now();
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto m, LoadMeeting(db, n.meeting, r.etag()));
    if (m.message.state() == v1::Meeting::CANCELLED) {
      return errors::FailedPrecondition("MEETING_CANCELLED", "this meeting was already cancelled");
    }
    if (m.message.state() == v1::Meeting::CONFIRMED) {
      m.message.set_calendar_sequence(m.message.calendar_sequence() + 1);
    }
    m.message.set_state(v1::Meeting::CANCELLED);
    AddChange(m.message, now, Actor(caller), "CANCELLED", std::nullopt, TrimSpaces(r.reason()));
    return SaveMeeting(db, m, &out);
  }));
  return out;
}

// ---------------------------------------------------------------- polls

absl::StatusOr<v1::Poll> Scheduling::SetPollCandidates(const Principal& caller,
                                                       const v1::SetPollCandidatesRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  {
    ASSIGN_OR_RETURN(RosterView roster, FetchRoster(n.cohort));
    RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  }
  if (r.start_times_size() < 1 || r.start_times_size() > 20) {
    return errors::InvalidField("start_times", "must list 1 to 20 candidates");
  }
  v1::Poll out;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto m, storage::GetResource<v1::Meeting>(db, kMeeting, n.meeting));
    if (m.message.state() == v1::Meeting::CONFIRMED ||
        m.message.state() == v1::Meeting::CANCELLED) {
      return errors::FailedPrecondition("MEETING_CONFIRMED",
                                        "the meeting's date is already settled");
    }
    std::vector<absl::Time> starts;
    std::set<std::string> ids;
    for (int i = 0; i < r.start_times_size(); ++i) {
      const absl::Time start = FromProtoTimestamp(r.start_times(i));
      const std::string field = absl::StrCat("start_times[", i, "]");
      RETURN_IF_ERROR(CheckInWindow(m.message, start, field));
      if (!ids.insert(SlotId(start)).second) {
        return errors::InvalidField(field, "is listed twice", "DUPLICATE_SLOT");
      }
      starts.push_back(start);
    }
    std::sort(starts.begin(), starts.end());

    Resource<v1::Poll> poll;
    absl::StatusOr<Resource<v1::Poll>> existing =
        storage::GetResource<v1::Poll>(db, kPoll, PollKey(n.meeting));
    const bool fresh = absl::IsNotFound(existing.status());
    if (!fresh) {
      RETURN_IF_ERROR(existing.status());
      poll = *std::move(existing);
      RETURN_IF_ERROR(CheckEtag(n.meeting + "/poll", poll.revision, r.etag()));
    } else {
      poll.name = PollKey(n.meeting);
    }
    if (poll.message.state() == v1::Poll::CLOSED) {
      return errors::FailedPrecondition("POLL_CLOSED", "the poll is closed");
    }
    poll.message.set_state(v1::Poll::OPEN);
    poll.message.clear_slots();
    for (absl::Time start : starts) {
      v1::Poll::Slot* slot = poll.message.add_slots();
      slot->set_id(SlotId(start));
      *slot->mutable_start_time() = ToProtoTimestamp(start);
    }
    // Keep answers for slots that survived the edit; drop the rest.
    for (auto& answer : *poll.message.mutable_answers()) {
      auto* availability = answer.mutable_availability();
      for (auto it = availability->begin(); it != availability->end();) {
        it = ids.count(it->first) ? std::next(it) : availability->erase(it);
      }
    }
    if (fresh) {
      RETURN_IF_ERROR(storage::InsertResource(db, kPoll, &poll));
    } else {
      ++poll.revision;
      RETURN_IF_ERROR(storage::UpdateResource(db, kPoll, poll));
    }
    if (m.message.state() != v1::Meeting::POLLING) {
      m.message.set_state(v1::Meeting::POLLING);
      ++m.revision;
      RETURN_IF_ERROR(storage::UpdateResource(db, kMeeting, m));
    }
    out = PollOut(poll, n.meeting, nullptr);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Poll> Scheduling::GetPoll(const Principal& caller, const v1::GetPollRequest& r) {
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  ASSIGN_OR_RETURN(std::unique_ptr<RosterView> roster, RequireMember(caller, n.cohort));
  v1::Poll out;
  RETURN_IF_ERROR(store_->Read([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto poll, storage::GetResource<v1::Poll>(db, kPoll, PollKey(n.meeting)));
    out = PollOut(poll, n.meeting, roster.get());
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Poll> Scheduling::AnswerPoll(const Principal& caller,
                                                const v1::AnswerPollRequest& r) {
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  RETURN_IF_ERROR(ValidateText("comment", r.comment(), 0, 500, true));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(n.cohort));
  ASSIGN_OR_RETURN(const RosterEntry* person, ActingFor(caller, roster, "participant", r.participant()));
  const absl::Time now = clock_->Now();
  v1::Poll out;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto poll, storage::GetResource<v1::Poll>(db, kPoll, PollKey(n.meeting)));
    if (poll.message.state() != v1::Poll::OPEN) {
      return errors::FailedPrecondition("POLL_CLOSED", "the poll is closed");
    }
    std::set<std::string> slot_ids;
    for (const auto& s : poll.message.slots()) slot_ids.insert(s.id());
    for (const auto& [slot, availability] : r.availability()) {
      const std::string field = absl::StrCat("availability[", slot, "]");
      if (slot_ids.count(slot) == 0) {
        return errors::InvalidField(field, "is not one of the poll's slots", "UNKNOWN_SLOT");
      }
      if (availability == v1::AVAILABILITY_UNSPECIFIED) {
        return errors::InvalidField(field, "must be YES, MAYBE or NO");
      }
    }
    v1::Poll::Answer* answer = nullptr;
    for (auto& a : *poll.message.mutable_answers()) {
      if (a.participant() == person->participant()) answer = &a;
    }
    if (answer == nullptr) {
      answer = poll.message.add_answers();
      answer->set_participant(person->participant());
    }
    *answer->mutable_availability() = r.availability();
    answer->set_comment(TrimSpaces(r.comment()));
    *answer->mutable_update_time() = ToProtoTimestamp(now);
    ++poll.revision;
    RETURN_IF_ERROR(storage::UpdateResource(db, kPoll, poll));
    out = PollOut(poll, n.meeting, &roster);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Poll> Scheduling::ClosePoll(const Principal& caller,
                                               const v1::ClosePollRequest& r) {
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  if (r.slot_id().empty()) {
    RETURN_IF_ERROR(RequireOrganiser(caller));
  } else if (!IsSecretariat(caller)) {
    return Denied("SECRETARIAT_ONLY", "only the secretariat may confirm a slot by hand");
  }
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(n.cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  const absl::Time now = clock_->Now();
  v1::Poll out;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto poll, storage::GetResource<v1::Poll>(db, kPoll, PollKey(n.meeting)));
    RETURN_IF_ERROR(CheckEtag(n.meeting + "/poll", poll.revision, r.etag()));
    if (poll.message.state() != v1::Poll::OPEN) {
      return errors::FailedPrecondition("POLL_CLOSED", "the poll is already closed");
    }
    ASSIGN_OR_RETURN(v1::Poll::Result result, DecidePoll(poll.message, roster, r.slot_id()));
    ASSIGN_OR_RETURN(auto m, storage::GetResource<v1::Meeting>(db, kMeeting, n.meeting));
    Confirm(m.message, FromProtoTimestamp(result.start_time()), now,
            result.decided_by() == "RULE" ? "poll" : Actor(caller), result.explanation());
    ++m.revision;
    RETURN_IF_ERROR(storage::UpdateResource(db, kMeeting, m));
    poll.message.set_state(v1::Poll::CLOSED);
    *poll.message.mutable_result() = result;
    ++poll.revision;
    RETURN_IF_ERROR(storage::UpdateResource(db, kPoll, poll));
    out = PollOut(poll, n.meeting, &roster);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<kaizen::type::HttpBody> Scheduling::ExportPollAnswers(
    const Principal& caller, const v1::ExportPollAnswersRequest& r) {
  if (!auth::IsStaff(caller)) return Denied("STAFF_ONLY", "only staff may export answers");
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(n.cohort));
  if (!IsCohortStaff(caller, roster)) {
    return Denied("STAFF_ONLY", "only this cohort's staff may export answers");
  }
  CsvTable table;
  std::string filename;
  RETURN_IF_ERROR(store_->Read([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto poll, storage::GetResource<v1::Poll>(db, kPoll, PollKey(n.meeting)));
    ASSIGN_OR_RETURN(auto m, storage::GetResource<v1::Meeting>(db, kMeeting, n.meeting));
    filename = absl::StrCat("meeting-", m.message.sequence(), "-poll.csv");
    table.header = {"氏名", "役割", "自治体コード"};
    static const char* const kWeekdays[] = {"月", "火", "水", "木", "金", "土", "日"};
    for (const auto& slot : poll.message.slots()) {
      const absl::Time t = FromProtoTimestamp(slot.start_time());
      const absl::CivilSecond local = absl::ToCivilSecond(t, TokyoTimeZone());
      table.header.push_back(absl::StrCat(
          absl::FormatTime("%Y/%m/%d", t, TokyoTimeZone()), "(",
          kWeekdays[static_cast<int>(absl::GetWeekday(absl::CivilDay(local)))], ") ",
          absl::FormatTime("%H:%M", t, TokyoTimeZone())));
    }
    table.header.push_back("コメント");
    for (const RosterEntry& e : roster.roster().entries()) {
      const v1::Poll::Answer* answer = nullptr;
      for (const auto& a : poll.message.answers()) {
        if (a.participant() == e.participant()) answer = &a;
      }
      std::vector<std::string> row = {e.display_name(), ev1::Participant::Role_Name(e.role()),
                                      e.municipality_code()};
      for (const auto& slot : poll.message.slots()) {
        std::string mark;
        if (answer != nullptr) {
          auto it = answer->availability().find(slot.id());
          if (it != answer->availability().end()) mark = Mark(it->second);
        }
        row.push_back(mark);
      }
      row.push_back(answer == nullptr ? "" : answer->comment());
      table.rows.push_back(std::move(row));
    }
    return absl::OkStatus();
  }));
  kaizen::type::HttpBody body;
  body.set_content_type("text/csv; charset=utf-8");
  body.set_data(RenderExcelCsv(table));
  body.set_filename(filename);
  return body;
}

// ---------------------------------------------------------------- tasks

namespace {

v1::Task TaskOut(const Resource<v1::Task>& t, const RosterView& roster) {
  v1::Task out = t.message;
  const std::set<std::string> done(out.done_by().begin(), out.done_by().end());
  if (!out.assignee().empty()) {
    out.set_done(done.count(out.assignee()) > 0);
  } else {
    bool all = true;
    for (const RosterEntry* p : roster.Participants()) all = all && done.count(p->participant());
    out.set_done(all && !roster.Participants().empty());
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::Task> Scheduling::CreateTask(const Principal& caller,
                                                const v1::CreateTaskRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("parent", r.parent()));
  RETURN_IF_ERROR(ValidateText("task.title", r.task().title(), 1, 200, false));
  RETURN_IF_ERROR(ValidateText("task.description", r.task().description(), 0, 2000, true));
  if (!r.task().has_due_time()) return errors::InvalidField("task.due_time", "is required");
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(n.cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  if (!r.task().assignee().empty() && roster.FindByName(r.task().assignee()) == nullptr) {
    return errors::InvalidField("task.assignee", "is not on this cohort's roster",
                                "NOT_ON_ROSTER");
  }
  const absl::Time now = clock_->Now();
  Resource<v1::Task> t;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    RETURN_IF_ERROR(storage::GetResource<v1::Meeting>(db, kMeeting, n.meeting).status());
    t.name = absl::StrCat(n.meeting, "/tasks/", NewId());
    t.message.set_name(t.name);
    t.message.set_title(TrimSpaces(r.task().title()));
    t.message.set_description(TrimSpaces(r.task().description()));
    t.message.set_assignee(r.task().assignee());
    *t.message.mutable_due_time() = r.task().due_time();
    *t.message.mutable_create_time() = ToProtoTimestamp(now);
    return storage::InsertResource(db, kTask, &t);
  }));
  return TaskOut(t, roster);
}

absl::StatusOr<v1::ListTasksResponse> Scheduling::ListTasks(const Principal& caller,
                                                            const v1::ListTasksRequest& r) {
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("parent", r.parent()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(n.cohort));
  const RosterEntry* self = roster.FindBySubject(caller.subject());
  const bool staff = IsCohortStaff(caller, roster);
  if (!staff && self == nullptr) {
    return Denied("NOT_ON_ROSTER", "only this cohort's members and staff may see this");
  }
  v1::ListTasksResponse response;
  RETURN_IF_ERROR(store_->Read([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto tasks, storage::ListResources<v1::Task>(db, n.meeting, "tasks"));
    std::sort(tasks.begin(), tasks.end(), [](const auto& a, const auto& b) {
      return FromProtoTimestamp(a.message.due_time()) < FromProtoTimestamp(b.message.due_time());
    });
    for (const auto& t : tasks) {
      const std::string& assignee = t.message.assignee();
      if (staff || assignee.empty() || assignee == self->participant()) {
        *response.add_tasks() = TaskOut(t, roster);
      }
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::Task> Scheduling::SetTaskDone(const Principal& caller,
                                                 const v1::SetTaskDoneRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, CohortOfChild("name", r.name(), {"cohorts", "meetings", "tasks"}));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(cohort));
  const RosterEntry* person = nullptr;
  if (!r.participant().empty() && IsOrganiserOf(caller, roster)) {
    person = roster.FindByName(r.participant());
    if (person == nullptr) {
      return errors::InvalidField("participant", "is not on this cohort's roster", "NOT_ON_ROSTER");
    }
  } else {
    ASSIGN_OR_RETURN(person, ActingFor(caller, roster, "participant", r.participant()));
  }
  v1::Task out;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto t, storage::GetResource<v1::Task>(db, kTask, r.name()));
    if (!t.message.assignee().empty() && t.message.assignee() != person->participant()) {
      return errors::FailedPrecondition("NOT_ASSIGNEE", "this task is for someone else");
    }
    auto* done_by = t.message.mutable_done_by();
    auto it = std::find(done_by->begin(), done_by->end(), person->participant());
    if (r.done() && it == done_by->end()) done_by->Add(std::string(person->participant()));
    if (!r.done() && it != done_by->end()) done_by->erase(it);
    ++t.revision;
    RETURN_IF_ERROR(storage::UpdateResource(db, kTask, t));
    out = TaskOut(t, roster);
    return absl::OkStatus();
  }));
  return out;
}

// ---------------------------------------------------------------- attendance

namespace {

// Display names come from the roster at read time; sheets store none.
v1::MeetingAttendance WithNames(v1::MeetingAttendance sheet, const RosterView& roster) {
  for (auto& rec : *sheet.mutable_records()) {
    const RosterEntry* e = roster.FindByName(rec.participant());
    if (e != nullptr) rec.set_display_name(e->display_name());
  }
  return sheet;
}

}  // namespace

absl::StatusOr<v1::MeetingAttendance> Scheduling::RecordAttendance(
    const Principal& caller, const v1::RecordAttendanceRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  if (r.records_size() == 0) return errors::InvalidField("records", "must not be empty");
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(n.cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  for (int i = 0; i < r.records_size(); ++i) {
    const auto& rec = r.records(i);
    if (roster.FindByName(rec.participant()) == nullptr) {
      return errors::InvalidField(absl::StrCat("records[", i, "].participant"),
                                  "is not on this cohort's roster", "NOT_ON_ROSTER");
    }
    if (rec.status() == v1::ATTENDANCE_STATUS_UNSPECIFIED) {
      return errors::InvalidField(absl::StrCat("records[", i, "].status"),
                                  "must be PRESENT, LATE or ABSENT");
    }
  }
  v1::MeetingAttendance out;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto m, storage::GetResource<v1::Meeting>(db, kMeeting, n.meeting));
    if (m.message.state() != v1::Meeting::CONFIRMED) {
      return errors::FailedPrecondition("MEETING_NOT_CONFIRMED",
                                        "attendance is taken at confirmed meetings");
    }
    absl::StatusOr<Resource<v1::MeetingAttendance>> existing =
        storage::GetResource<v1::MeetingAttendance>(db, kAttendance, SheetKey(n.meeting));
    Resource<v1::MeetingAttendance> sheet;
    const bool fresh = absl::IsNotFound(existing.status());
    if (!fresh) {
      RETURN_IF_ERROR(existing.status());
      sheet = *std::move(existing);
    } else {
      sheet.name = SheetKey(n.meeting);
      sheet.message.set_meeting(n.meeting);
    }
    std::map<std::string, v1::AttendanceStatus> status;
    for (const auto& rec : sheet.message.records()) status[rec.participant()] = rec.status();
    for (const auto& rec : r.records()) status[rec.participant()] = rec.status();
    sheet.message.clear_records();
    for (const RosterEntry& e : roster.roster().entries()) {  // roster order
      auto it = status.find(e.participant());
      if (it == status.end()) continue;
      auto* rec = sheet.message.add_records();
      rec->set_participant(e.participant());  // names are not stored
      rec->set_status(it->second);
    }
    if (fresh) {
      RETURN_IF_ERROR(storage::InsertResource(db, kAttendance, &sheet));
    } else {
      ++sheet.revision;
      RETURN_IF_ERROR(storage::UpdateResource(db, kAttendance, sheet));
    }
    out = WithNames(sheet.message, roster);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::MeetingAttendance> Scheduling::GetMeetingAttendance(
    const Principal& caller, const v1::GetMeetingAttendanceRequest& r) {
  if (!auth::IsStaff(caller)) return Denied("STAFF_ONLY", "only staff may see attendance sheets");
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(n.cohort));
  if (!IsCohortStaff(caller, roster)) {
    return Denied("STAFF_ONLY", "only this cohort's staff may see attendance sheets");
  }
  v1::MeetingAttendance out;
  out.set_meeting(n.meeting);
  RETURN_IF_ERROR(store_->Read([&](SQLite::Database& db) -> absl::Status {
    RETURN_IF_ERROR(storage::GetResource<v1::Meeting>(db, kMeeting, n.meeting).status());
    auto sheet = storage::GetResource<v1::MeetingAttendance>(db, kAttendance, SheetKey(n.meeting));
    if (sheet.ok()) out = WithNames(sheet->message, roster);
    return absl::IsNotFound(sheet.status()) ? absl::OkStatus() : sheet.status();
  }));
  return out;
}

absl::StatusOr<v1::AttendanceSummary> Scheduling::GetAttendanceSummary(
    const Principal& caller, const v1::GetAttendanceSummaryRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, CohortOf("parent", r.parent()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(cohort));
  const RosterEntry* self = roster.FindBySubject(caller.subject());
  const bool staff = IsCohortStaff(caller, roster);
  if (!staff && self == nullptr) {
    return Denied("NOT_ON_ROSTER", "only this cohort's members and staff may see this");
  }
  v1::AttendanceSummary summary;
  summary.set_cohort(cohort);
  RETURN_IF_ERROR(store_->Read([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto meetings, storage::ListResources<v1::Meeting>(db, cohort, "meetings"));
    std::map<std::string, v1::AttendanceSummary::Row> rows;
    for (const auto& m : meetings) {
      auto sheet = storage::GetResource<v1::MeetingAttendance>(db, kAttendance, SheetKey(m.name));
      if (absl::IsNotFound(sheet.status())) continue;
      RETURN_IF_ERROR(sheet.status());
      for (const auto& rec : sheet->message.records()) {
        auto& row = rows[rec.participant()];
        row.set_recorded(row.recorded() + 1);
        if (rec.status() != v1::ABSENT) row.set_attended(row.attended() + 1);
        if (rec.status() == v1::LATE) row.set_late(row.late() + 1);
      }
    }
    for (const RosterEntry* p : roster.Participants()) {
      if (!staff && p != self) continue;
      v1::AttendanceSummary::Row row = rows[p->participant()];
      row.set_participant(p->participant());
      row.set_display_name(p->display_name());
      row.set_rate(row.recorded() == 0 ? 0.0
                                       : static_cast<double>(row.attended()) / row.recorded());
      *summary.add_rows() = row;
    }
    return absl::OkStatus();
  }));
  return summary;
}

// ---------------------------------------------------------------- support

namespace {

v1::SupportSlot SlotOut(const Resource<v1::SupportSlot>& s) {
  v1::SupportSlot out = s.message;
  out.set_etag(MakeEtag(s.name, s.revision));
  return out;
}

}  // namespace

absl::StatusOr<v1::SupportSlot> Scheduling::CreateSupportSlot(
    const Principal& caller, const v1::CreateSupportSlotRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(std::string cohort, CohortOf("parent", r.parent()));
  const v1::SupportSlot& in = r.support_slot();
  if (!in.has_start_time()) return errors::InvalidField("support_slot.start_time", "is required");
  if (!in.has_end_time()) return errors::InvalidField("support_slot.end_time", "is required");
  const absl::Time start = FromProtoTimestamp(in.start_time());
  const absl::Time end = FromProtoTimestamp(in.end_time());
  if (end <= start) {
    return errors::InvalidField("support_slot.end_time", "must be after start_time",
                                "END_BEFORE_START");
  }
  if (end - start > absl::Hours(4)) {
    return errors::InvalidField("support_slot.end_time", "a slot lasts at most 4 hours");
  }
  RETURN_IF_ERROR(ValidateText("support_slot.location", in.location(), 0, 500, false));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  const RosterEntry* staff = roster.FindByName(in.staff());
  if (staff == nullptr || staff->role() == ev1::Participant::PARTICIPANT) {
    return errors::InvalidField("support_slot.staff", "must be a staff member on the roster",
                                "NOT_STAFF");
  }
  Resource<v1::SupportSlot> slot;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto slots, storage::ListResources<v1::SupportSlot>(db, cohort, "supportSlots"));
    for (const auto& s : slots) {
      if (s.message.staff() == in.staff() &&
          start < FromProtoTimestamp(s.message.end_time()) &&
          FromProtoTimestamp(s.message.start_time()) < end) {
        return errors::AlreadyExists(kSlot, s.name, "SLOT_OVERLAPS");
      }
    }
    slot.name = absl::StrCat(cohort, "/supportSlots/", NewId());
    slot.message.set_name(slot.name);
    slot.message.set_staff(in.staff());
    *slot.message.mutable_start_time() = in.start_time();
    *slot.message.mutable_end_time() = in.end_time();
    slot.message.set_location(TrimSpaces(in.location()));
    slot.message.set_state(v1::SupportSlot::OPEN);
    return storage::InsertResource(db, kSlot, &slot);
  }));
  return SlotOut(slot);
}

absl::StatusOr<v1::ListSupportSlotsResponse> Scheduling::ListSupportSlots(
    const Principal& caller, const v1::ListSupportSlotsRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, CohortOf("parent", r.parent()));
  ASSIGN_OR_RETURN(std::unique_ptr<RosterView> roster, RequireMember(caller, cohort));
  const bool staff = roster == nullptr || IsCohortStaff(caller, *roster);
  v1::ListSupportSlotsResponse response;
  RETURN_IF_ERROR(store_->Read([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto slots, storage::ListResources<v1::SupportSlot>(db, cohort, "supportSlots"));
    std::sort(slots.begin(), slots.end(), [](const auto& a, const auto& b) {
      return FromProtoTimestamp(a.message.start_time()) < FromProtoTimestamp(b.message.start_time());
    });
    for (const auto& s : slots) {
      if (r.open_only() && s.message.state() != v1::SupportSlot::OPEN) continue;
      v1::SupportSlot out = SlotOut(s);
      if (!staff) out.clear_booked_by();  // who booked whom is not for everyone
      *response.add_support_slots() = out;
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::SupportSlot> Scheduling::BookSupportSlot(const Principal& caller,
                                                            const v1::BookSupportSlotRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, CohortOfChild("name", r.name(), {"cohorts", "supportSlots"}));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(cohort));
  ASSIGN_OR_RETURN(const RosterEntry* person, ActingFor(caller, roster, "participant", r.participant()));
  const absl::Time now = clock_->Now();
  Resource<v1::SupportSlot> slot;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(slot, storage::GetResource<v1::SupportSlot>(db, kSlot, r.name()));
    if (slot.message.state() != v1::SupportSlot::OPEN) {
      return errors::FailedPrecondition("SLOT_TAKEN", "this slot is already booked");
    }
    if (FromProtoTimestamp(slot.message.start_time()) <= now) {
      return errors::FailedPrecondition("SLOT_IN_PAST", "this slot has already started");
    }
    slot.message.set_state(v1::SupportSlot::BOOKED);
    slot.message.set_booked_by(person->participant());
    *slot.message.mutable_book_time() = ToProtoTimestamp(now);
    ++slot.revision;
    return storage::UpdateResource(db, kSlot, slot);
  }));
  return SlotOut(slot);
}

absl::StatusOr<v1::SupportSlot> Scheduling::CancelSupportBooking(
    const Principal& caller, const v1::CancelSupportBookingRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, CohortOfChild("name", r.name(), {"cohorts", "supportSlots"}));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(cohort));
  const RosterEntry* self = roster.FindBySubject(caller.subject());
  Resource<v1::SupportSlot> slot;
  RETURN_IF_ERROR(store_->Write([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(slot, storage::GetResource<v1::SupportSlot>(db, kSlot, r.name()));
    if (slot.message.state() != v1::SupportSlot::BOOKED) {
      return errors::FailedPrecondition("SLOT_NOT_BOOKED", "this slot is not booked");
    }
    const bool own = self != nullptr && self->participant() == slot.message.booked_by();
    if (!own && !IsOrganiserOf(caller, roster)) {
      return Denied("NOT_YOUR_BOOKING", "only the booker and organisers may cancel it");
    }
    slot.message.set_state(v1::SupportSlot::OPEN);
    slot.message.clear_booked_by();
    slot.message.clear_book_time();
    ++slot.revision;
    return storage::UpdateResource(db, kSlot, slot);
  }));
  return SlotOut(slot);
}

// ---------------------------------------------------------------- calendars

absl::StatusOr<kaizen::type::HttpBody> Scheduling::GetCohortCalendar(
    const Principal& caller, const v1::GetCohortCalendarRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, CohortOf("parent", r.parent()));
  RETURN_IF_ERROR(RequireMember(caller, cohort).status());
  std::vector<CalendarEvent> events;
  RETURN_IF_ERROR(store_->Read([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto meetings, storage::ListResources<v1::Meeting>(db, cohort, "meetings"));
    for (const auto& m : meetings) {
      if (m.message.has_start_time()) events.push_back(MeetingEvent(m.message));
    }
    return absl::OkStatus();
  }));
  return Calendar("次世代改善リーダー事例研究会", std::move(events), "kaizen-cohort.ics");
}

absl::StatusOr<kaizen::type::HttpBody> Scheduling::GetPersonCalendar(
    const Principal& caller, const v1::GetPersonCalendarRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, CohortOfChild("participant", r.participant(), {"cohorts", "participants"}));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(cohort));
  const RosterEntry* person = roster.FindByName(r.participant());
  if (person == nullptr) return errors::NotFound("Participant", r.participant());
  if (!IsCohortStaff(caller, roster) && person->subject() != caller.subject()) {
    return Denied("NOT_YOURSELF", "only the person themself and staff may see this calendar");
  }
  std::vector<CalendarEvent> events;
  RETURN_IF_ERROR(store_->Read([&](SQLite::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto meetings, storage::ListResources<v1::Meeting>(db, cohort, "meetings"));
    for (const auto& m : meetings) {
      if (m.message.has_start_time()) events.push_back(MeetingEvent(m.message));
    }
    ASSIGN_OR_RETURN(auto slots, storage::ListResources<v1::SupportSlot>(db, cohort, "supportSlots"));
    for (const auto& s : slots) {
      const bool mine = s.message.booked_by() == person->participant() ||
                        (s.message.staff() == person->participant() &&
                         s.message.state() == v1::SupportSlot::BOOKED);
      if (!mine) continue;
      CalendarEvent e;
      e.uid = s.name + "@kaizen";
      e.sequence = static_cast<int>(s.revision);
      e.start = FromProtoTimestamp(s.message.start_time());
      e.end = FromProtoTimestamp(s.message.end_time());
      e.stamp = FromProtoTimestamp(s.message.book_time());
      e.summary = "アクションプラン作成個別支援";
      e.location = s.message.location();
      events.push_back(std::move(e));
    }
    return absl::OkStatus();
  }));
  return Calendar(absl::StrCat(person->display_name(), " の予定"), std::move(events),
                  "kaizen-my-calendar.ics");
}

}  // namespace kaizen::scheduling

// Templates, meeting series and meetings: ListTemplates, CreateTemplate,
// CreateMeetingSeries, GetMeeting, ListMeetings, UpdateMeetingFormat,
// ScheduleMeeting, CancelMeeting.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/status_macros.h"
#include "common/util/etag.h"
#include "common/util/ids.h"
#include "common/util/proto_time.h"
#include "common/util/resource_name.h"
#include "common/validation/validation.h"
#include "services/scheduling/access.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/paging.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/templates.h"

namespace kaizen::scheduling {

using internal::CohortOf;
using internal::MeetingName;
using internal::MeetingOut;
using internal::ParseMeeting;

namespace {

absl::Status ValidateUrl(const std::string& field, const std::string& url) {
  if (!absl::StartsWith(url, "https://") || url.size() > 500 ||
      url.find_first_of(" \t\r\n\"<>") != std::string::npos) {
    return InvalidUrl(field);
  }
  return absl::OkStatus();
}

// Loads a meeting for a change, checking its etag.
absl::StatusOr<MeetingRecord> LoadMeeting(SchedulingTx& tx, const std::string& name,
                                          const std::string& etag) {
  ASSIGN_OR_RETURN(MeetingRecord m, tx.GetMeeting(name));
  RETURN_IF_ERROR(CheckEtag(m.name, m.revision, etag));
  return m;
}

// Saves a changed meeting (bumping its revision) and returns it as the API
// shows it.
absl::Status SaveMeeting(SchedulingTx& tx, MeetingRecord& m, v1::Meeting* out) {
  RETURN_IF_ERROR(tx.UpdateMeeting(&m));
  *out = MeetingOut(m);
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------- templates

absl::StatusOr<v1::ListTemplatesResponse> Scheduling::ListTemplates(
    const Principal& caller, const v1::ListTemplatesRequest& r) {
  if (!auth::IsStaff(caller)) return StaffOnly("list templates", /*in_cohort=*/false);
  constexpr absl::string_view kFingerprint = "templates";
  ASSIGN_OR_RETURN(PageRequest page,
                   ReadPageRequest(page_tokens_, kFingerprint, r.page_size(), r.page_token()));
  std::vector<v1::Template> all(BuiltInTemplates().begin(), BuiltInTemplates().end());
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto custom, tx.ListTemplates());
    for (auto& t : custom) all.push_back(std::move(t.message));
    return absl::OkStatus();
  }));
  // Built-in first, then custom ones, each by name (names are unique).
  auto key = [](const v1::Template& t) { return absl::StrCat(t.built_in() ? "0" : "1", t.name()); };
  std::sort(all.begin(), all.end(),
            [&](const v1::Template& a, const v1::Template& b) { return key(a) < key(b); });
  auto cut = TakePage(std::move(all), key, page, page_tokens_, kFingerprint);
  v1::ListTemplatesResponse response;
  for (auto& t : cut.items) *response.add_templates() = std::move(t);
  response.set_next_page_token(cut.next_page_token);
  response.set_total_size(cut.total_size);
  return response;
}

absl::StatusOr<v1::Template> Scheduling::CreateTemplate(const Principal& caller,
                                                        const v1::CreateTemplateRequest& r) {
  if (!IsSecretariat(caller)) return SecretariatOnly("do this");
  if (!IsValidResourceId(r.template_id())) {
    return InvalidField("template_id",
                        "must be 1-63 chars of a-z, 0-9 and '-', starting with a letter");
  }
  RETURN_IF_ERROR(ValidateText("template.title", r.template_().title(), 1, 200, false));
  RETURN_IF_ERROR(ValidateTemplate(r.template_()));
  TemplateRecord t;
  t.name = "templates/" + r.template_id();
  t.message = r.template_();
  t.message.set_name(t.name);
  t.message.set_built_in(false);
  for (const auto& b : BuiltInTemplates()) {
    if (b.name() == t.name) return TemplateExists(t.name);
  }
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) { return tx.InsertTemplate(&t); }));
  return t.message;
}

// ---------------------------------------------------------------- series

absl::StatusOr<v1::CreateMeetingSeriesResponse> Scheduling::CreateMeetingSeries(
    const Principal& caller, const v1::CreateMeetingSeriesRequest& r) {
  if (!IsSecretariat(caller)) return SecretariatOnly("do this");
  ASSIGN_OR_RETURN(std::string cohort, CohortOf("parent", r.parent()));
  if (r.start_year() < 2000 || r.start_year() > 2100) {
    return InvalidField("start_year", "must be a year between 2000 and 2100");
  }
  if (!r.online_url().empty()) RETURN_IF_ERROR(ValidateUrl("online_url", r.online_url()));
  // The roster call proves the cohort exists (NOT_FOUND otherwise) and that
  // enrollment is reachable, before anything is written.
  RETURN_IF_ERROR(FetchRoster(caller, cohort).status());
  const absl::Time now = clock_->Now();
  v1::CreateMeetingSeriesResponse response;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
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
      ASSIGN_OR_RETURN(TemplateRecord t, tx.GetTemplate(r.template_()));
      chosen = t.message;
    }
    ASSIGN_OR_RETURN(auto existing, tx.ListMeetings(cohort));
    if (!existing.empty()) return SeriesExists(cohort);
    for (const v1::Template::Entry& e : chosen.entries()) {
      MeetingRecord m;
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
        RETURN_IF_ERROR(internal::CheckInWindow(meeting, first, "first_meeting_start"));
        internal::Confirm(meeting, first, now, Actor(caller),
                          "fixed in the call for participants");
      }
      RETURN_IF_ERROR(tx.InsertMeeting(&m));
      *response.add_meetings() = MeetingOut(m);
    }
    return absl::OkStatus();
  }));
  return response;
}

// ---------------------------------------------------------------- meetings

absl::StatusOr<v1::Meeting> Scheduling::GetMeeting(const Principal& caller,
                                                   const v1::GetMeetingRequest& r) {
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("name", r.name()));
  RETURN_IF_ERROR(RequireMemberOrService(caller, n.cohort));
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(MeetingRecord m, tx.GetMeeting(n.meeting));
    out = MeetingOut(m);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::ListMeetingsResponse> Scheduling::ListMeetings(
    const Principal& caller, const v1::ListMeetingsRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, CohortOf("parent", r.parent()));
  const std::string fingerprint = absl::StrCat("meetings\x1f", cohort);
  ASSIGN_OR_RETURN(PageRequest page,
                   ReadPageRequest(page_tokens_, fingerprint, r.page_size(), r.page_token()));
  RETURN_IF_ERROR(RequireMemberOrService(caller, cohort));
  std::vector<MeetingRecord> meetings;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(meetings, tx.ListMeetings(cohort));
    return absl::OkStatus();
  }));
  std::sort(meetings.begin(), meetings.end(), [](const auto& a, const auto& b) {
    return a.message.sequence() < b.message.sequence();
  });
  auto cut = TakePage(
      std::move(meetings),
      [](const MeetingRecord& m) { return OrderedKey({m.message.sequence()}); }, page,
      page_tokens_, fingerprint);
  v1::ListMeetingsResponse response;
  for (const auto& m : cut.items) *response.add_meetings() = MeetingOut(m);
  response.set_next_page_token(cut.next_page_token);
  response.set_total_size(cut.total_size);
  return response;
}

absl::StatusOr<v1::Meeting> Scheduling::UpdateMeetingFormat(
    const Principal& caller, const v1::UpdateMeetingFormatRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("name", r.name()));
  {
    ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
    RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  }
  if (r.format() == v1::ONLINE) {
    RETURN_IF_ERROR(ValidateUrl("online_url", r.online_url()));
  } else if (r.format() == v1::IN_PERSON) {
    RETURN_IF_ERROR(ValidateText("venue", r.venue(), 1, 200, false));
  } else {
    return InvalidField("format", "must be ONLINE or IN_PERSON");
  }
  if (r.has_duration()) {
    const absl::Duration d = FromProtoDuration(r.duration());
    if (d < absl::Minutes(15) || d > absl::Hours(8)) {
      return InvalidField("duration", "must be between 15 minutes and 8 hours");
    }
  }
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(MeetingRecord m, LoadMeeting(tx, n.meeting, r.etag()));
    if (m.message.state() == v1::Meeting::CANCELLED) {
      return MeetingCancelled(/*already=*/false);
    }
    m.message.set_format(r.format());
    m.message.set_online_url(r.format() == v1::ONLINE ? r.online_url() : "");
    m.message.set_venue(r.format() == v1::IN_PERSON ? TrimSpaces(r.venue()) : "");
    if (r.has_duration()) {
      *m.message.mutable_duration() = r.duration();
      if (m.message.state() == v1::Meeting::CONFIRMED) {
        const absl::Time start = FromProtoTimestamp(m.message.start_time());
        RETURN_IF_ERROR(internal::CheckInWindow(m.message, start, "duration"));
        *m.message.mutable_end_time() =
            ToProtoTimestamp(start + FromProtoDuration(r.duration()));
      }
    }
    if (m.message.state() == v1::Meeting::CONFIRMED) {
      m.message.set_calendar_sequence(m.message.calendar_sequence() + 1);
    }
    return SaveMeeting(tx, m, &out);
  }));
  return out;
}

absl::StatusOr<v1::Meeting> Scheduling::ScheduleMeeting(const Principal& caller,
                                                        const v1::ScheduleMeetingRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("name", r.name()));
  {
    ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
    RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  }
  if (!r.has_start_time()) return InvalidField("start_time", "is required");
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 0, 500, true));
  const absl::Time now = clock_->Now();
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(MeetingRecord m, LoadMeeting(tx, n.meeting, r.etag()));
    switch (m.message.state()) {
      case v1::Meeting::CANCELLED:
        return MeetingCancelled(/*already=*/false);
      case v1::Meeting::POLLING:
        return PollOpen();
      default:
        break;
    }
    const absl::Time start = FromProtoTimestamp(r.start_time());
    RETURN_IF_ERROR(internal::CheckInWindow(m.message, start, "start_time"));
    internal::Confirm(m.message, start, now, Actor(caller), TrimSpaces(r.reason()));
    return SaveMeeting(tx, m, &out);
  }));
  return out;
}

absl::StatusOr<v1::Meeting> Scheduling::CancelMeeting(const Principal& caller,
                                                      const v1::CancelMeetingRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("name", r.name()));
  {
    ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
    RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  }
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 1, 500, true));
  const absl::Time now = clock_->Now();
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(MeetingRecord m, LoadMeeting(tx, n.meeting, r.etag()));
    if (m.message.state() == v1::Meeting::CANCELLED) {
      return MeetingCancelled(/*already=*/true);
    }
    if (m.message.state() == v1::Meeting::CONFIRMED) {
      m.message.set_calendar_sequence(m.message.calendar_sequence() + 1);
    }
    m.message.set_state(v1::Meeting::CANCELLED);
    internal::AddChange(m.message, now, Actor(caller), internal::kChangeCancelled, std::nullopt,
                        TrimSpaces(r.reason()));
    return SaveMeeting(tx, m, &out);
  }));
  return out;
}

}  // namespace kaizen::scheduling

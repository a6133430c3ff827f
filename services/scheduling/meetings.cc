// Templates, meeting series and meetings: ListTemplates, CreateTemplate,
// CreateMeetingSeries, CreateMeeting (one more for a series), GetMeeting,
// ListMeetings. Changes to a meeting are in meeting_changes.cc.
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
#include "services/scheduling/notifications.h"
#include "services/scheduling/paging.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/templates.h"

namespace kaizen::scheduling {

using internal::CohortOf;
using internal::MeetingName;
using internal::MeetingOut;
using internal::ParseMeeting;

using internal::ValidateUrl;

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
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, cohort));
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
      RETURN_IF_ERROR(internal::NotifyMeetingChange(tx, nullptr, m, now));
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

absl::StatusOr<v1::Meeting> Scheduling::CreateMeeting(const Principal& caller,
                                                      const v1::CreateMeetingRequest& r) {
  if (!IsSecretariat(caller)) return SecretariatOnly("add a meeting to a series");
  ASSIGN_OR_RETURN(std::string cohort, CohortOf("parent", r.parent()));
  const v1::Meeting& in = r.meeting();
  RETURN_IF_ERROR(ValidateText("meeting.theme", in.theme(), 1, 200, false));
  if (in.phase() == v1::PHASE_UNSPECIFIED || !v1::Phase_IsValid(in.phase())) {
    return InvalidField("meeting.phase", "is required");
  }
  if (!in.has_duration()) return InvalidField("meeting.duration", "is required");
  const absl::Duration duration = FromProtoDuration(in.duration());
  if (duration < absl::Minutes(15) || duration > absl::Hours(8)) {
    return InvalidField("meeting.duration", "must be between 15 minutes and 8 hours");
  }
  if (in.format() == v1::ONLINE) {  // required, as in UpdateMeetingFormat
    RETURN_IF_ERROR(ValidateUrl("meeting.online_url", in.online_url()));
  } else if (in.format() == v1::IN_PERSON) {
    RETURN_IF_ERROR(ValidateText("meeting.venue", in.venue(), 1, 200, false));
  } else {
    return InvalidField("meeting.format", "must be ONLINE or IN_PERSON");
  }
  if (r.window_year() < 2000 || r.window_year() > 2100) {
    return InvalidField("window_year", "must be a year between 2000 and 2100");
  }
  if (r.window_month() < 1 || r.window_month() > 12) {
    return InvalidField("window_month", "must be a month, 1 to 12");
  }
  // Proves the cohort exists and enrollment answers before anything is
  // written, as for the series.
  RETURN_IF_ERROR(FetchRoster(caller, cohort).status());
  const absl::Time now = clock_->Now();
  MeetingRecord m;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, cohort));
    ASSIGN_OR_RETURN(auto existing, tx.ListMeetings(cohort));
    if (existing.empty()) return NoSeries(cohort);
    int sequence = 0;
    for (const auto& e : existing) sequence = std::max(sequence, e.message.sequence());
    ++sequence;
    v1::Template::Entry entry;
    entry.set_year_offset(0);
    entry.set_month(r.window_month());
    auto [start, end] = EntryWindow(r.window_year(), entry);
    m.name = absl::StrCat(cohort, "/meetings/m", sequence);
    v1::Meeting& meeting = m.message;
    meeting.set_name(m.name);
    meeting.set_sequence(sequence);
    meeting.set_theme(TrimSpaces(in.theme()));
    meeting.set_phase(in.phase());
    *meeting.mutable_window_start() = ToProtoTimestamp(start);
    *meeting.mutable_window_end() = ToProtoTimestamp(end);
    *meeting.mutable_duration() = in.duration();
    meeting.set_format(in.format());
    if (in.format() == v1::ONLINE) meeting.set_online_url(in.online_url());
    if (in.format() == v1::IN_PERSON) meeting.set_venue(TrimSpaces(in.venue()));
    meeting.set_state(v1::Meeting::UNSCHEDULED);
    if (r.has_start_time()) {
      const absl::Time first = FromProtoTimestamp(r.start_time());
      RETURN_IF_ERROR(internal::CheckInWindow(meeting, first, "start_time"));
      internal::Confirm(meeting, first, now, Actor(caller), "added to the series");
    }
    RETURN_IF_ERROR(tx.InsertMeeting(&m));
    return internal::NotifyMeetingChange(tx, nullptr, m, now);
  }));
  return MeetingOut(m);
}

}  // namespace kaizen::scheduling

#include "services/scheduling/internal.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/util/clock.h"
#include "common/util/etag.h"
#include "common/util/proto_time.h"
#include "common/util/resource_name.h"
#include "services/scheduling/scheduling_errors.h"

namespace kaizen::scheduling::internal {

absl::StatusOr<std::string> CohortOf(absl::string_view field, absl::string_view name) {
  RETURN_IF_ERROR(ParseResourceName(field, name, {"cohorts"}).status());
  return std::string(name);
}

absl::StatusOr<MeetingName> ParseMeeting(absl::string_view field, absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts", "meetings"}));
  return MeetingName{absl::StrCat("cohorts/", ids[0]), std::string(name)};
}

absl::StatusOr<std::string> CohortOfChild(absl::string_view field, absl::string_view name,
                                          const std::vector<absl::string_view>& collections) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, collections));
  return absl::StrCat("cohorts/", ids[0]);
}

v1::Meeting MeetingOut(const MeetingRecord& m) {
  v1::Meeting out = m.message;
  out.set_etag(MakeEtag(m.name, m.revision));
  return out;
}

absl::Status CheckInWindow(const v1::Meeting& m, absl::Time start, const std::string& field) {
  const absl::Time end = start + FromProtoDuration(m.duration());
  if (start < FromProtoTimestamp(m.window_start()) || end > FromProtoTimestamp(m.window_end())) {
    return OutsideWindow(
        field,
        absl::StrCat("must fall within ",
                     absl::FormatTime("%Y-%m-%d", FromProtoTimestamp(m.window_start()),
                                      TokyoTimeZone()),
                     " to ",
                     absl::FormatTime("%Y-%m-%d",
                                      FromProtoTimestamp(m.window_end()) - absl::Seconds(1),
                                      TokyoTimeZone()),
                     " (Asia/Tokyo), ending by the window's end"));
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

void Confirm(v1::Meeting& m, absl::Time start, absl::Time now, const std::string& actor,
             const std::string& reason) {
  const bool moving = m.state() == v1::Meeting::CONFIRMED;
  m.set_state(v1::Meeting::CONFIRMED);
  *m.mutable_start_time() = ToProtoTimestamp(start);
  *m.mutable_end_time() = ToProtoTimestamp(start + FromProtoDuration(m.duration()));
  if (moving) m.set_calendar_sequence(m.calendar_sequence() + 1);
  AddChange(m, now, actor, moving ? kChangeRescheduled : kChangeConfirmed, start, reason);
}

absl::Status ValidateUrl(const std::string& field, const std::string& url) {
  if (!absl::StartsWith(url, "https://") || url.size() > 500 ||
      url.find_first_of(" \t\r\n\"<>") != std::string::npos) {
    return InvalidUrl(field);
  }
  return absl::OkStatus();
}

absl::StatusOr<MeetingRecord> LoadMeeting(SchedulingTx& tx, const std::string& name,
                                          const std::string& etag) {
  ASSIGN_OR_RETURN(MeetingRecord m, tx.GetMeeting(name));
  RETURN_IF_ERROR(CheckEtag(m.name, m.revision, etag));
  return m;
}

absl::Status SaveMeeting(SchedulingTx& tx, MeetingRecord& m, v1::Meeting* out) {
  RETURN_IF_ERROR(tx.UpdateMeeting(&m));
  *out = MeetingOut(m);
  return absl::OkStatus();
}

absl::Status RequireNotPurged(SchedulingTx& tx, const std::string& cohort) {
  ASSIGN_OR_RETURN(bool purged, tx.IsCohortPurged(cohort));
  return purged ? CohortPurged() : absl::OkStatus();
}

}  // namespace kaizen::scheduling::internal

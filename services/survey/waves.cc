// Waves of a cohort: PRE (before meeting 1), FOLLOW_UP_6 (before meeting 7)
// and FOLLOW_UP_12 (before meeting 8), each on a published instrument
// version, open and closed by time (the injected clock).
#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/enrollment/membership.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/etag.h"
#include "common/util/proto_time.h"
#include "services/survey/internal.h"
#include "services/survey/survey.h"
#include "services/survey/survey_errors.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey {

using enrollment_client::CohortMembership;
using internal::Violations;
using internal::WaveId;

namespace {

constexpr absl::Duration kDefaultWindow = absl::Hours(24 * 30);

// The wave as `membership` may see it: state from the clock, the submitted
// count for staff only.
v1::Wave PresentWave(const WaveRecord& rec, absl::Time now, int64_t submitted, bool staff) {
  v1::Wave w = rec.wave;
  w.set_state(internal::StateAt(w, now));
  w.set_submitted_count(staff ? static_cast<int32_t>(submitted) : 0);
  w.set_etag(MakeEtag(w.name(), rec.revision));
  return w;
}

}  // namespace

absl::StatusOr<v1::Wave> Survey::CreateWave(const Principal& caller,
                                            const v1::CreateWaveRequest& r) {
  if (!auth::HasRole(caller, kaizen::type::ROLE_SECRETARIAT)) {
    return SecretariatOnly("create survey waves");
  }
  ASSIGN_OR_RETURN(std::string cohort_id, internal::ParseCohortName("parent", r.parent()));
  const v1::Wave& in = r.wave();
  Violations v;
  const std::string wave_id = internal::WaveIdOf(in.kind());
  if (wave_id.empty()) v.Add("wave.kind", "must be PRE, FOLLOW_UP_6 or FOLLOW_UP_12");
  auto version = internal::ParseVersionName("wave.instrument_version", in.instrument_version());
  v.Check(version.status());
  if (in.has_open_time() != in.has_close_time() && in.has_open_time()) {
    v.Add("wave.close_time", "is required with open_time");
  }
  if (in.has_open_time() && in.has_close_time() &&
      FromProtoTimestamp(in.close_time()) <= FromProtoTimestamp(in.open_time())) {
    v.Add("wave.close_time", "must be after open_time");
  }
  RETURN_IF_ERROR(v.Result());

  // Before the transaction: the cohort must exist (its roster), and the
  // default window comes from the closing meeting's start.
  RETURN_IF_ERROR(roster_->GetRoster(r.parent()).status());
  const absl::Time now = clock_->Now();
  absl::Time close;
  absl::Time open;
  if (in.has_close_time()) {
    close = FromProtoTimestamp(in.close_time());
    open = in.has_open_time() ? FromProtoTimestamp(in.open_time()) : close - kDefaultWindow;
  } else {
    const int sequence = internal::ClosingMeetingOf(in.kind());
    const std::string meeting = absl::StrCat(r.parent(), "/meetings/m", sequence);
    absl::StatusOr<std::optional<absl::Time>> start =
        scheduling_client::MeetingStart(*meetings_, r.parent(), sequence);
    if (absl::IsNotFound(start.status())) return MeetingNotScheduled(meeting);
    if (!start.ok()) return start.status();
    if (!start->has_value()) return MeetingNotScheduled(meeting);
    close = **start;
    // The pre-survey opens at once (people answer it before meeting 1);
    // follow-ups open 30 days before their meeting.
    open = in.kind() == v1::Wave::PRE ? std::min(now, close) : close - kDefaultWindow;
    if (open >= close) open = close - absl::Hours(1);
  }

  v1::Wave out;
  RETURN_IF_ERROR(store_->Write([&](SurveyTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, cohort_id));
    ASSIGN_OR_RETURN(VersionRecord ver, tx.GetVersion(version->first, version->second));
    if (ver.version.state() != v1::InstrumentVersion::PUBLISHED) {
      return VersionNotPublished(ver.version.name());
    }
    WaveRecord rec;
    rec.cohort_id = cohort_id;
    rec.id = wave_id;
    const WaveId id{cohort_id, wave_id};
    rec.wave.set_name(id.name());
    rec.wave.set_kind(in.kind());
    rec.wave.set_instrument_version(ver.version.name());
    *rec.wave.mutable_open_time() = ToProtoTimestamp(open);
    *rec.wave.mutable_close_time() = ToProtoTimestamp(close);
    rec.wave.set_anonymous(in.anonymous());
    RETURN_IF_ERROR(tx.InsertWave(&rec));
    out = PresentWave(rec, now, 0, true);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Wave> Survey::GetWave(const Principal& caller, const v1::GetWaveRequest& r) {
  ASSIGN_OR_RETURN(WaveId id, internal::ParseWaveName("name", r.name()));
  ASSIGN_OR_RETURN(auto membership, CohortMembership::Fetch(*roster_, id.cohort_name(), caller));
  if (!membership->member()) return CallerNotOnRoster();
  const absl::Time now = clock_->Now();
  v1::Wave out;
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(WaveRecord rec, tx.GetWave(id.cohort_id, id.wave_id));
    ASSIGN_OR_RETURN(int64_t submitted, tx.CountResponses(id.cohort_id, id.wave_id, true));
    out = PresentWave(rec, now, submitted, membership->staff());
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::ListWavesResponse> Survey::ListWaves(const Principal& caller,
                                                        const v1::ListWavesRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort_id, internal::ParseCohortName("parent", r.parent()));
  ASSIGN_OR_RETURN(auto membership, CohortMembership::Fetch(*roster_, r.parent(), caller));
  if (!membership->member()) return CallerNotOnRoster();
  const absl::Time now = clock_->Now();
  v1::ListWavesResponse out;
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto waves, tx.ListWaves(cohort_id));
    for (const WaveRecord& rec : waves) {
      ASSIGN_OR_RETURN(int64_t submitted, tx.CountResponses(cohort_id, rec.id, true));
      *out.add_waves() = PresentWave(rec, now, submitted, membership->staff());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Wave> Survey::UpdateWave(const Principal& caller,
                                            const v1::UpdateWaveRequest& r) {
  if (!auth::HasRole(caller, kaizen::type::ROLE_SECRETARIAT)) {
    return SecretariatOnly("change survey waves");
  }
  ASSIGN_OR_RETURN(WaveId id, internal::ParseWaveName("wave.name", r.wave().name()));
  const v1::Wave& in = r.wave();
  Violations v;
  if (in.etag().empty()) v.Add("wave.etag", "is required");
  if (!in.has_open_time()) v.Add("wave.open_time", "is required");
  if (!in.has_close_time()) v.Add("wave.close_time", "is required");
  if (in.has_open_time() && in.has_close_time() &&
      FromProtoTimestamp(in.close_time()) <= FromProtoTimestamp(in.open_time())) {
    v.Add("wave.close_time", "must be after open_time");
  }
  RETURN_IF_ERROR(v.Result());
  const absl::Time now = clock_->Now();
  v1::Wave out;
  RETURN_IF_ERROR(store_->Write([&](SurveyTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, id.cohort_id));
    ASSIGN_OR_RETURN(WaveRecord rec, tx.GetWave(id.cohort_id, id.wave_id));
    RETURN_IF_ERROR(CheckEtag(rec.wave.name(), rec.revision, in.etag()));
    if (in.anonymous() != rec.wave.anonymous()) {
      // Any response, even a partial one, fixes the mode: switching would
      // either expose anonymous answers or mix linked ones into them.
      ASSIGN_OR_RETURN(int64_t any, tx.CountResponses(id.cohort_id, id.wave_id, false));
      if (any > 0) return AnonymityLocked();
      rec.wave.set_anonymous(in.anonymous());
    }
    *rec.wave.mutable_open_time() = in.open_time();
    *rec.wave.mutable_close_time() = in.close_time();
    RETURN_IF_ERROR(tx.UpdateWave(&rec));
    ASSIGN_OR_RETURN(int64_t submitted, tx.CountResponses(id.cohort_id, id.wave_id, true));
    out = PresentWave(rec, now, submitted, true);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::survey

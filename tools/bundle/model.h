// What a bundle holds, independent of how it was fetched or rendered: the
// municipality's consenting people (from the partner feed) and, per person,
// the shared results of each consented category, cut to the bundle's period.
//
// The period is two calendar days in Asia/Tokyo, both included: an item is
// in it when its time (a meeting's start, a stage version's or a survey
// response's submission) falls on a day from `from` to `to` in Tokyo.
#ifndef KAIZEN_TOOLS_BUNDLE_MODEL_H_
#define KAIZEN_TOOLS_BUNDLE_MODEL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/plans/v1/plans.pb.h"
#include "kaizen/scheduling/v1/scheduling.pb.h"
#include "kaizen/survey/v1/survey.pb.h"

namespace kaizen::bundle {

struct Period {
  absl::CivilDay from;
  absl::CivilDay to;
  // True when `t`'s day in Asia/Tokyo is in [from, to].
  bool Contains(absl::Time t) const;
};

// "YYYY-MM-DD" (a real date); INVALID_FLAG naming `flag` otherwise.
absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text, absl::string_view flag);

// Bundle ids: 1-64 of [A-Za-z0-9._-] (the services' rule for `bundle`).
bool IsValidBundleId(absl::string_view id);

// One person as the partner feed last described them (an UPSERTED change).
struct Person {
  std::string participant;  // "cohorts/{c}/participants/{p}"
  std::string cohort_id;    // {c}
  std::string participant_id;  // {p}
  std::string display_name;
  std::string municipality_code;
  std::string municipality_name;
  std::string cohort_title;
  bool share_attendance = false;
  bool share_action_plan = false;
  bool share_survey_profile = false;
};

// Splits "cohorts/{c}/participants/{p}"; false when it is not one (ids are
// [a-z0-9-], as every Kaizen id).
bool SplitParticipant(absl::string_view name, std::string* cohort, std::string* participant);

// The last segment of a resource name ("cohorts/c/meetings/m1" -> "m1").
std::string LastSegment(absl::string_view name);

// A person's results in the bundle. A category is absent when the person
// does not share it or consent went away between the feed and the read.
struct PersonResults {
  Person person;
  std::optional<scheduling::v1::SharedAttendance> attendance;
  std::optional<plans::v1::SharedPlanStages> plans;
  std::optional<survey::v1::SharedSurveyProfile> survey;
};

struct BundleData {
  std::string bundle_id;
  std::string municipality_code;
  std::string municipality_name;  // from the feed ("" when nobody is in it)
  Period period;
  absl::Time create_time;
  // By participant name.
  std::vector<PersonResults> people;
  // Categories the feed said were shared but the service refused as no
  // longer shared (consent revoked meanwhile): a count, nothing personal.
  int skipped_categories = 0;
  // People pulled (so recorded as provided on the server) who had nothing
  // in the period: left out of the bundle, only counted.
  int people_without_results = 0;
};

// The people of `municipality_code` from the whole feed, in feed order:
// the latest UPSERTED change per participant wins, a later DELETED removes
// the person; CANCELLED participants, other municipalities and people who
// share no category are left out. Other change kinds (result changes) are
// ignored. Sorted by participant name; names that are not participant
// names are skipped.
std::vector<Person> PeopleFromFeed(const std::vector<enrollment::v1::Change>& changes,
                                   absl::string_view municipality_code);

// Cuts each result to the period: meetings starting in it (held, attended,
// late and rate recomputed over them), stage versions submitted in it
// (plans left without one are dropped), survey waves submitted in it (and
// the shared texts of those waves).
scheduling::v1::SharedAttendance AttendanceInPeriod(const scheduling::v1::SharedAttendance& a,
                                                    const Period& period);
plans::v1::SharedPlanStages PlanStagesInPeriod(const plans::v1::SharedPlanStages& p,
                                               const Period& period);
survey::v1::SharedSurveyProfile SurveyInPeriod(const survey::v1::SharedSurveyProfile& s,
                                               const Period& period);

// Unicode bidi controls (U+200E/200F, U+202A-202E, U+2066-2069) removed: a
// name or text could otherwise reorder what a reader sees in the PDF, CSV or
// JSON (e.g. make "1 ABSENT" read as something else).
std::string StripBidiControls(absl::string_view text);
// The same for every string field of `message`, recursively.
void StripBidiControls(google::protobuf::Message* message);

// True when a person has anything left after the period cut: a meeting, a
// stage version or a survey wave. People without are not in the bundle.
bool HasResultsInPeriod(const PersonResults& r);

// Record keys (README.md "Record keys"): stable across bundles, so a
// re-import replaces rather than duplicates.
std::string PersonKey(const Person& p);                                 // person/{c}/{p}
std::string AttendanceKey(const Person& p, absl::string_view meeting);  // attendance/{c}/{p}/{m}
std::string PlanStageKey(absl::string_view plan, plans::v1::Stage stage);  // plan_stage/{c}/{plan}/{STAGE}
std::string SurveyKey(const Person& p, absl::string_view wave);         // survey_profile/{c}/{p}/{w}

// Labels shared by the CSV, JSON and PDF renderers.
const char* StageName(plans::v1::Stage stage);        // "INTERIM"
const char* StageLabelJa(plans::v1::Stage stage);     // "時点版"
const char* StatusName(scheduling::v1::AttendanceStatus s);   // "PRESENT", "UNRECORDED"
const char* StatusLabelJa(scheduling::v1::AttendanceStatus s);  // "出席"
const char* WallName(type::Wall wall);                // "PEERS"
const char* WallLabelJa(type::Wall wall);             // the wall: "同僚の壁"
const char* WallGoalJa(type::Wall wall);              // its result: "身近な仲間を巻き込める"
const char* WaveKindLabelJa(survey::v1::Wave::Kind kind);  // "事前"

// Times as people in Japan read them: "2022-05-10 13:30" (Asia/Tokyo), and
// RFC 3339 with the +09:00 offset.
std::string TokyoMinute(absl::Time t);
std::string TokyoRfc3339(absl::Time t);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_MODEL_H_

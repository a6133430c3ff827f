// Instruments (questionnaires): the built-in Japanese pre-survey and the
// rules every instrument version and every set of answers must follow.
// Pure functions: no storage, no clock, no gRPC.
//
// Errors are INVALID_ARGUMENT with one google.rpc.BadRequest violation per
// problem, all of them collected in one pass (so an editor fixing a
// questionnaire hears about every mistake at once). Reasons:
//   INVALID_INSTRUMENT  a version breaks a structural rule below
//   ITEM_ID_CHANGED     an item id of the previous published version changed
//                       its type (or, for Likert, its number of points)
//   INVALID_ANSWER      an answer is malformed, unknown or repeated
//   ANSWER_REQUIRED     submit without an answer to a required item
// When several kinds occur, ErrorInfo.reason is the first one found; the
// order of checks makes that INVALID_INSTRUMENT before ITEM_ID_CHANGED and
// INVALID_ANSWER before ANSWER_REQUIRED. Descriptions never echo an answer's
// value (free text is personal data); item and choice ids are named. At
// most 100 violations are listed (then one more saying the rest were left
// out), so a hostile request cannot produce a huge error.
#ifndef KAIZEN_SERVICES_SURVEY_INSTRUMENTS_H_
#define KAIZEN_SERVICES_SURVEY_INSTRUMENTS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_field.h"
#include "kaizen/survey/v1/survey.pb.h"

namespace kaizen::survey {


// The built-in pre-survey's resource name.
inline constexpr absl::string_view kPreSurveyName = "instruments/kaizen-pre";
// Its free-text item "いまぶつかっている壁" (the wall I am hitting now), the
// one the text analysis reads by default.
inline constexpr absl::string_view kPreSurveyWallNowItem = "free-wall-now";
// FREE_TEXT items with max_length 0 accept this many characters.
inline constexpr int kDefaultFreeTextMaxLength = 2000;

// The built-in Japanese pre-survey (次世代改善リーダー 事前アンケート):
// name kPreSurveyName and `first_version` holding 40 items and 10 scales.
// Only items and scales are set in `first_version`; its name, number, state
// and etag are the service's to assign (it seeds and publishes it as v1).
//
// All Likert items are 5-point (まったくあてはまらない .. とてもあてはまる),
// required, and belong to exactly one scale; every scale has at least one
// reverse-coded item (acquiescence: agreeing with everything must not read
// as a strong or weak profile).
//   WALL (higher = stronger wall), 4 items each:
//     wall-peers       同僚の協力の壁          (PEERS)
//     wall-seniors     先輩・上司の壁          (SENIORS_AND_BOSSES)
//     wall-executives  経営幹部への壁          (EXECUTIVES)
//     wall-hr          人事評価の壁            (HR_EVALUATION)
//   MANAGEMENT (higher = more of the characteristic), 3 items each:
//     mgmt-openness 提案への開放性, mgmt-speed 意思決定の速さ,
//     mgmt-culture 改善文化, mgmt-cooperation 部署間の協力,
//     mgmt-leadership トップのリーダーシップ
//   SELF_EFFICACY: self-efficacy 改善の自己効力感, 4 items
// Other items (no scale):
//   profile-department  SINGLE_CHOICE, required (7 kinds of department)
//   profile-years       NUMBER, integer 0-45, required (years of service)
//   profile-activities  MULTIPLE_CHOICE, optional (improvement work so far)
//   free-wall-now       FREE_TEXT, optional, 2,000 chars (いまぶつかっている壁)
//   free-wish           FREE_TEXT, optional, 2,000 chars (実現したい改善)
// Item ids are "<scale>-<n>" for scale items. They are stable forever:
// follow-up waves and later years compare on them.
v1::Instrument DefaultPreSurvey();

// The number of characters a FREE_TEXT item accepts (max_length, or
// kDefaultFreeTextMaxLength when 0).
int EffectiveMaxLength(const v1::Item& item);

// Checks an instrument version's items and scales (name, number, state,
// publish_time and etag are output only and ignored). Field paths are
// "version.items[<i>]..." and "version.scales[<i>]..." by index, because an
// item's id may itself be what is wrong.
//
// Items (at most 500):
//   - id: 1-63 chars of a-z, 0-9 and '-', starting with a letter and not
//     ending with '-' (IsValidResourceId, AIP-122); unique in the version;
//   - type: LIKERT, SINGLE_CHOICE, MULTIPLE_CHOICE, NUMBER or FREE_TEXT;
//   - text: 1-500 characters of valid UTF-8 without control characters
//     (line breaks allowed), counted in code points after trimming;
//   - LIKERT: `likert` set, points 2-11, labels none or exactly `points`,
//     each 1-100 characters on one line;
//   - SINGLE_/MULTIPLE_CHOICE: 2-30 choices, ids as item ids and unique
//     within the item, labels 1-200 characters on one line;
//   - NUMBER: `number` set, min and max finite, min <= max, and with
//     `integer` at least one whole number between them;
//   - FREE_TEXT: max_length 0 (meaning the default, 2,000) or 1-4,000;
//   - a spec that belongs to another type is an error (choices on a Likert
//     item, max_length on a number, ...): it would be silently ignored.
// Scales (at most 100):
//   - id as item ids, unique among scales; title 1-200 characters;
//   - kind: WALL, MANAGEMENT, SELF_EFFICACY or OTHER;
//   - WALL scales name a wall, other kinds none; at most one WALL scale per
//     wall (the insect's eye ranks the four walls by their scales);
//   - item_ids: at least 2, distinct, each a LIKERT item of this version,
//     all with the same number of points (a mean over 5- and 7-point items
//     means nothing);
//   - reverse_item_ids: distinct, each also in item_ids.
// Against `previous_published` (may be null): an item id that existed there
// keeps its type, and a Likert item its number of points, or waves would
// compare different questions under one id. Field "version.items[<i>].type"
// (or ".likert.points"), reason ITEM_ID_CHANGED; use a new id instead.
// Items may be added or removed freely.
absl::Status ValidateVersion(const v1::InstrumentVersion& version,
                             const v1::InstrumentVersion* previous_published);

// Checks a response's answers against `version` (assumed valid). Field
// paths are "answers[<item_id>]"; an answer whose item_id is not even a
// well-formed id is named by position instead, "answers[<index>]" (ids
// start with a letter, so the two never collide).
//   - the item exists in the version, and is answered at most once;
//   - the value is set and of the item's type (likert / choice / choices /
//     number / text);
//   - LIKERT: 1..points; SINGLE_CHOICE: one of the item's choice ids;
//     MULTIPLE_CHOICE: at least one id, all the item's and distinct;
//     NUMBER: finite, within min..max, a whole number when `integer`;
//     FREE_TEXT: valid UTF-8, no control characters except "\n" and "\t",
//     at most EffectiveMaxLength code points after trimming;
//   - share_text and share_with_employer are only for FREE_TEXT answers.
// All of these are INVALID_ANSWER. Leaving an item out is how one skips
// it; an all-blank text counts as not answered.
// With `submit`, every required item must be answered (an answer that is
// itself invalid is reported only as INVALID_ANSWER): ANSWER_REQUIRED at
// "answers[<item_id>]" for each missing one, in item order.
absl::Status ValidateAnswers(
    const v1::InstrumentVersion& version,
    const google::protobuf::RepeatedPtrField<v1::Answer>& answers,
    bool submit);

}  // namespace kaizen::survey

#endif  // KAIZEN_SERVICES_SURVEY_INSTRUMENTS_H_

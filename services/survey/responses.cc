// Responses: each roster participant answers for themself; partial saves,
// submit, edits until the wave closes; the unlinkable anonymous mode; the
// staff's list and CSV export.
//
// Anonymous waves: the response row carries no participant, only the
// SHA-256 of a random key returned once to the respondent, a date instead of
// a time, and the municipality only when at least k of the cohort's
// participants share it (else nothing about where the respondent works is
// kept). Who has answered is a separate per-wave set (survey_store.h), so
// "one response per person" holds without linking the two. Request ids are
// not recorded in anonymous waves (the record would link the caller to the
// response); a retried first save answers ALREADY_RESPONDED.
#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "clients/enrollment/membership.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/crypto.h"
#include "common/util/etag.h"
#include "common/municipality/municipality.h"
#include "common/util/excel_csv.h"
#include "common/util/ids.h"
#include "common/util/proto_time.h"
#include "common/validation/validation.h"
#include "services/survey/disclosure.h"
#include "services/survey/instruments.h"
#include "services/survey/internal.h"
#include "services/survey/survey.h"
#include "services/survey/survey_errors.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey {

using enrollment_client::CohortMembership;
using internal::Violations;
using internal::WaveId;

namespace {

std::string KeyHash(absl::string_view key) { return crypto::Hex(crypto::Sha256(key)); }

v1::Response PresentResponse(const ResponseRecord& rec) {
  v1::Response r = rec.response;
  r.set_etag(MakeEtag(r.name(), rec.revision));
  r.clear_response_key();
  return r;
}

// The municipality an anonymous response may keep: only one shared by at
// least k participants of the cohort (otherwise it would point at a person).
std::string AnonymousMunicipality(const CohortMembership& m, const std::string& municipality,
                                  int k) {
  int same = 0;
  for (const auto* e : m.roster().Participants()) {
    if (e->municipality_code() == municipality) ++same;
  }
  return same >= k ? municipality : "";
}

// Loads the wave and its (published) version.
absl::Status LoadWave(SurveyTx& tx, const WaveId& id, WaveRecord* wave, VersionRecord* version) {
  ASSIGN_OR_RETURN(*wave, tx.GetWave(id.cohort_id, id.wave_id));
  ASSIGN_OR_RETURN(auto v, internal::ParseVersionName("wave.instrument_version",
                                                      wave->wave.instrument_version()));
  ASSIGN_OR_RETURN(*version, tx.GetVersion(v.first, v.second));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Response> Survey::SaveResponse(const Principal& caller,
                                                  const v1::SaveResponseRequest& r) {
  ASSIGN_OR_RETURN(WaveId id, internal::ParseWaveName("parent", r.parent()));
  Violations v;
  internal::CheckRequestId(v, r.request_id());
  if (r.response_key().size() > 128) v.Add("response_key", "is not a response key");
  RETURN_IF_ERROR(v.Result());
  ASSIGN_OR_RETURN(auto membership, CohortMembership::Fetch(*roster_, id.cohort_name(), caller));
  if (membership->self() == nullptr) {
    return membership->member() ? NotAParticipant() : CallerNotOnRoster();
  }
  const std::string participant = membership->self()->participant();
  const std::string municipality = membership->self()->municipality_code();
  const int k = disclosure::EffectiveK(config_.min_group_size);
  const absl::Time now = clock_->Now();
  const std::string scope = absl::StrCat("SaveResponse\x1f", r.parent(), "\x1f", caller.subject());

  v1::Response out;
  RETURN_IF_ERROR(store_->Write([&](SurveyTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, id.cohort_id, participant));
    WaveRecord wave;
    VersionRecord version;
    RETURN_IF_ERROR(LoadWave(tx, id, &wave, &version));
    const v1::Wave::State state = internal::StateAt(wave.wave, now);
    if (state != v1::Wave::OPEN) {
      return WaveNotOpen(FromProtoTimestamp(wave.wave.open_time()),
                         FromProtoTimestamp(wave.wave.close_time()));
    }
    const bool anonymous = wave.wave.anonymous();
    if (!anonymous) {
      ASSIGN_OR_RETURN(auto replayed, internal::Replayed(tx, scope, r.request_id(), r));
      if (replayed.has_value()) {
        ASSIGN_OR_RETURN(ResponseRecord rec, tx.FindResponseOf(id.cohort_id, id.wave_id,
                                                               participant));
        out = PresentResponse(rec);
        return absl::OkStatus();
      }
    }
    // The person's existing response, if any.
    std::optional<ResponseRecord> existing;
    if (!anonymous) {
      absl::StatusOr<ResponseRecord> found =
          tx.FindResponseOf(id.cohort_id, id.wave_id, participant);
      if (found.ok()) {
        existing = std::move(*found);
      } else if (!absl::IsNotFound(found.status())) {
        return found.status();
      }
    } else if (!r.response_key().empty()) {
      absl::StatusOr<ResponseRecord> found =
          tx.FindResponseByKey(id.cohort_id, id.wave_id, KeyHash(r.response_key()));
      if (absl::IsNotFound(found.status())) {
        return InvalidField("response_key", "is not the key of a response in this survey");
      }
      if (!found.ok()) return found.status();
      existing = std::move(*found);
    } else {
      ASSIGN_OR_RETURN(std::set<std::string> answered,
                       tx.ParticipationOf(id.cohort_id, id.wave_id));
      if (answered.count(participant) > 0) return AlreadyResponded();
    }
    if (existing.has_value() && !r.etag().empty()) {
      RETURN_IF_ERROR(CheckEtag(existing->response.name(), existing->revision, r.etag()));
    }
    // Once submitted, every later save is a submission (required items stay
    // answered).
    const bool submit = r.submit() || (existing.has_value() && existing->response.submitted());
    RETURN_IF_ERROR(ValidateAnswers(version.version, r.answers(), submit));

    ResponseRecord rec;
    std::string key;
    if (existing.has_value()) {
      rec = std::move(*existing);
    } else {
      rec.cohort_id = id.cohort_id;
      rec.wave_id = id.wave_id;
      rec.id = NewId();
      rec.wave_kind = wave.wave.kind();
      rec.instrument_id = version.instrument_id;
      rec.response.set_name(internal::ResponseName(id, rec.id));
      if (anonymous) {
        key = crypto::Hex(crypto::RandomBytes(24));
        rec.key_hash = KeyHash(key);
      } else {
        rec.participant = participant;
        rec.response.set_participant(participant);
      }
    }
    rec.response.set_municipality_code(
        anonymous ? AnonymousMunicipality(*membership, municipality, k) : municipality);
    *rec.response.mutable_answers() = r.answers();
    // Texts were measured trimmed (ValidateAnswers); store what was measured.
    for (v1::Answer& a : *rec.response.mutable_answers()) {
      if (a.value_case() == v1::Answer::kText) a.set_text(TrimSpaces(a.text()));
    }
    rec.response.set_submitted(submit);
    if (submit) {
      if (anonymous) {
        const absl::CivilDay day = absl::ToCivilDay(now, TokyoTimeZone());
        rec.response.mutable_submit_date()->set_year(static_cast<int>(day.year()));
        rec.response.mutable_submit_date()->set_month(day.month());
        rec.response.mutable_submit_date()->set_day(day.day());
      } else {
        *rec.response.mutable_submit_time() = ToProtoTimestamp(now);
      }
    }
    if (existing.has_value()) {
      RETURN_IF_ERROR(tx.UpdateResponse(&rec));
    } else {
      RETURN_IF_ERROR(tx.InsertResponse(&rec));
      if (anonymous) {
        ASSIGN_OR_RETURN(std::set<std::string> answered,
                         tx.ParticipationOf(id.cohort_id, id.wave_id));
        answered.insert(participant);
        RETURN_IF_ERROR(tx.SetParticipation(id.cohort_id, id.wave_id, answered));
      }
    }
    if (!anonymous && submit) {
      // What GetSharedSurveyProfile answers for this person changed (a
      // submission, new answers or texts, a share_with_employer flag, and
      // in any case the submit time, which every such save renews): logged in
      // this transaction, so the row exists if and only if the save
      // committed. Drafts are nobody's profile; anonymous waves are never
      // shared (a row would link the person to the wave's timing).
      RETURN_IF_ERROR(tx.AppendResultChange(id.cohort_id, participant, now));
    }
    if (!anonymous) {
      RETURN_IF_ERROR(internal::Remember(tx, scope, r.request_id(), r, rec.response.name(), now));
    }
    out = PresentResponse(rec);
    if (!key.empty()) out.set_response_key(key);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Response> Survey::GetMyResponse(const Principal& caller,
                                                   const v1::GetMyResponseRequest& r) {
  ASSIGN_OR_RETURN(WaveId id, internal::ParseWaveName("parent", r.parent()));
  ASSIGN_OR_RETURN(auto membership, CohortMembership::Fetch(*roster_, id.cohort_name(), caller));
  if (membership->self() == nullptr) {
    return membership->member() ? NotAParticipant() : CallerNotOnRoster();
  }
  v1::Response out;
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(WaveRecord wave, tx.GetWave(id.cohort_id, id.wave_id));
    if (wave.wave.anonymous()) {
      if (r.response_key().empty()) return ResponseKeyRequired();
      ASSIGN_OR_RETURN(ResponseRecord rec, tx.FindResponseByKey(id.cohort_id, id.wave_id,
                                                                KeyHash(r.response_key())));
      out = PresentResponse(rec);
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(ResponseRecord rec,
                     tx.FindResponseOf(id.cohort_id, id.wave_id,
                                       membership->self()->participant()));
    out = PresentResponse(rec);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::ListResponsesResponse> Survey::ListResponses(
    const Principal& caller, const v1::ListResponsesRequest& r) {
  ASSIGN_OR_RETURN(WaveId id, internal::ParseWaveName("parent", r.parent()));
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(r.page_size(), 50, 500));
  const std::string fingerprint = absl::StrCat("responses\x1f", r.parent());
  std::string after;
  if (!r.page_token().empty()) {
    ASSIGN_OR_RETURN(after, page_tokens_.Decode(fingerprint, r.page_token()));
  }
  ASSIGN_OR_RETURN(auto membership, CohortMembership::Fetch(*roster_, id.cohort_name(), caller));
  if (!membership->staff()) {
    return membership->member() ? StaffOnly("read everyone's answers") : CallerNotOnRoster();
  }
  v1::ListResponsesResponse out;
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.GetWave(id.cohort_id, id.wave_id).status());
    ASSIGN_OR_RETURN(auto rows,
                     tx.ListResponses(id.cohort_id, id.wave_id, true, after, page_size + 1));
    const bool more = static_cast<int>(rows.size()) > page_size;
    if (more) rows.resize(page_size);
    for (const ResponseRecord& rec : rows) *out.add_responses() = PresentResponse(rec);
    if (more) out.set_next_page_token(page_tokens_.Encode(fingerprint, rows.back().id));
    return absl::OkStatus();
  }));
  return out;
}

namespace {

// A submitted response may leave optional items out: the cell says so rather
// than staying empty (an empty cell reads as "not exported" in Excel).
constexpr char kUnanswered[] = "未回答";

// One answer as a cell: Likert and numbers as numbers, choices by label.
std::string Cell(const v1::Item& item, const v1::Answer& a) {
  switch (a.value_case()) {
    case v1::Answer::kLikert:
      return absl::StrCat(a.likert());
    case v1::Answer::kNumber:
      return absl::StrCat(a.number());
    case v1::Answer::kText:
      return a.text();
    case v1::Answer::kChoice:
      for (const auto& c : item.choices()) {
        if (c.id() == a.choice()) return c.label();
      }
      return a.choice();
    case v1::Answer::kChoices: {
      std::vector<std::string> labels;
      for (const std::string& id : a.choices().ids()) {
        std::string label = id;
        for (const auto& c : item.choices()) {
          if (c.id() == id) label = c.label();
        }
        labels.push_back(label);
      }
      return absl::StrJoin(labels, "、");
    }
    default:
      return "";
  }
}

}  // namespace

absl::StatusOr<kaizen::type::HttpBody> Survey::ExportResponses(
    const Principal& caller, const v1::ExportResponsesRequest& r) {
  ASSIGN_OR_RETURN(WaveId id, internal::ParseWaveName("parent", r.parent()));
  ASSIGN_OR_RETURN(auto membership, CohortMembership::Fetch(*roster_, id.cohort_name(), caller));
  if (!membership->staff()) {
    return membership->member() ? StaffOnly("export everyone's answers") : CallerNotOnRoster();
  }
  CsvTable table;
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    WaveRecord wave;
    VersionRecord version;
    RETURN_IF_ERROR(LoadWave(tx, id, &wave, &version));
    const bool anonymous = wave.wave.anonymous();
    table.header = {"回答"};
    if (!anonymous) table.header.push_back("参加者");
    table.header.push_back("自治体コード");
    table.header.push_back("自治体名");
    table.header.push_back(anonymous ? "提出日" : "提出日時");
    for (const v1::Item& item : version.version.items()) {
      table.header.push_back(absl::StrCat(item.id(), " ", item.text()));
    }
    ASSIGN_OR_RETURN(auto rows, tx.ListResponses(id.cohort_id, id.wave_id, true, "", 0));
    for (const ResponseRecord& rec : rows) {
      std::vector<std::string> row = {rec.id};
      if (!anonymous) {
        const auto* e = membership->roster().FindByName(rec.response.participant());
        row.push_back(e != nullptr ? e->display_name() : rec.response.participant());
      }
      const std::string& code = rec.response.municipality_code();
      row.push_back(code.empty() ? "" : ExcelText(code));
      row.push_back(municipality::NameOf(code));
      if (anonymous) {
        const auto& d = rec.response.submit_date();
        row.push_back(absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day()));
      } else {
        row.push_back(absl::FormatTime("%Y-%m-%d %H:%M",
                                       FromProtoTimestamp(rec.response.submit_time()),
                                       TokyoTimeZone()));
      }
      for (const v1::Item& item : version.version.items()) {
        std::string cell = kUnanswered;
        for (const v1::Answer& a : rec.response.answers()) {
          if (a.item_id() == item.id()) cell = Cell(item, a);
        }
        row.push_back(cell);
      }
      table.rows.push_back(std::move(row));
    }
    return absl::OkStatus();
  }));
  kaizen::type::HttpBody body;
  body.set_content_type("text/csv; charset=utf-8");
  body.set_data(RenderExcelCsv(table));
  body.set_filename(absl::StrCat(id.cohort_id, "-", id.wave_id, "-responses.csv"));
  return body;
}

}  // namespace kaizen::survey
